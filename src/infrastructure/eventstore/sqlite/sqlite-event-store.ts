import Database from 'better-sqlite3';
import { LimitedStatements } from '../../sqlite/limited-statements.js';
import { AppendsInWriting, toEventJsonInTurns } from '../event-json.js';
import { checkExpected } from '../expected-revision.js';
import { DEFAULT_MAX_PENDING, GroupCommitQueue, type Outcome } from '../group-commit.js';
import {
  type AppendResult,
  type EventHandler,
  type EventStore,
  type ExpectedRevision,
  type JsonValue,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  StoreUnavailableError,
  type SubscribeOptions,
  type Subscription,
  WrongExpectedRevisionError,
} from '../port.js';
import { checkAfter, checkStreamName, fromRevisionOf, pageSize } from '../port-arguments.js';
import {
  type AppendOutcome,
  type AppendRequest,
  BatchFailure,
  type FailureCause,
} from './sqlite-append-batch.js';
import { SqliteSubscription } from './sqlite-subscription.js';
import { type AppendBatchWriter, InProcessWriter, WriterThread } from './sqlite-writer.js';

export { StoreOverloadedError } from '../port.js';

export interface SqliteEventStoreOptions {
  /** Database file. Its directory must exist (openEventStore creates it). */
  readonly path: string;
  /**
   * How often idle subscriptions look for events committed by other
   * processes sharing the file. Commits made through this instance wake them
   * at once. Default 100 ms.
   */
  readonly pollIntervalMs?: number;
  /** How long a writer waits for another process's write lock before failing. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** Appends allowed to wait for the next group commit before StoreOverloadedError. Default 10,000. */
  readonly maxPendingAppends?: number;
  /**
   * Commit on a writer thread of its own (sqlite-writer.ts) rather than on the event loop. Default
   * true for a file; ':memory:' always commits on the event loop.
   */
  readonly writerThread?: boolean;
}

export interface SqliteEventStoreStats {
  /** Write transactions committed (each one fsync under synchronous=FULL). */
  readonly commits: number;
  /** Appends committed successfully (rejected ones are not counted). */
  readonly appends: number;
  /** Events written. */
  readonly events: number;
}

export interface SqlitePragmas {
  readonly journalMode: string;
  readonly synchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA' | string;
  readonly busyTimeoutMs: number;
}

interface EventRow {
  position: bigint;
  stream: string;
  revision: bigint;
  type: string;
  data: string;
  metadata: string | null;
  recorded_at: string;
}

const SCHEMA_VERSION = 1n;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  stream TEXT NOT NULL,
  revision INTEGER NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  metadata TEXT,
  recorded_at TEXT NOT NULL,
  UNIQUE (stream, revision)
);
`;

const SYNCHRONOUS_NAMES = ['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const;

const COLUMNS = 'position, stream, revision, type, data, metadata, recorded_at';

/**
 * Embedded event store on one SQLite file.
 *
 * Several processes may share the file: writes take the database write lock
 * with BEGIN IMMEDIATE, so transactions from all processes are serialised and
 * the AUTOINCREMENT position order is the commit order. A reader therefore
 * never sees position N+1 before N, which is what lets subscriptions read
 * "everything after the last delivered position" without gaps.
 *
 * Empty appends: an append with no events writes nothing and is only a check.
 * It goes through the same queue and expectation check as other appends, and
 * resolves with the stream's current revision and the position of its last
 * event, or -1n for both when the stream does not exist (the EventStoreDB
 * client's convention for "no stream").
 */
export class SqliteEventStore implements EventStore {
  readonly kind = 'sqlite';
  readonly path: string;
  readonly #db: Database.Database;
  readonly #pollIntervalMs: number;
  readonly #queue: GroupCommitQueue<AppendRequest, AppendResult>;
  readonly #writer: AppendBatchWriter;
  readonly #commitListeners = new Set<() => void>();
  readonly #subscriptions = new Set<SqliteSubscription<EventRow>>();
  #closing = false;
  readonly #writing = new AppendsInWriting();
  #closed: Promise<void> | undefined;
  #stats = { commits: 0, appends: 0, events: 0 };

  // LIMIT as a literal, one statement per page size: a bound LIMIT re-prepares the statement on every run.
  readonly #readStream: LimitedStatements<[string, bigint], EventRow>;
  readonly #readAll: LimitedStatements<[bigint], EventRow>;
  readonly #readAllFromStart: LimitedStatements<[], EventRow>;
  readonly #lastPosition: Database.Statement<[], { position: bigint | null }>;

  constructor(options: SqliteEventStoreOptions) {
    this.path = options.path;
    this.#pollIntervalMs = options.pollIntervalMs ?? 100;
    if (!(this.#pollIntervalMs > 0)) throw new RangeError('pollIntervalMs must be positive');
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;

    const db = new Database(options.path);
    try {
      db.defaultSafeIntegers(true);
      // First, so that the pragmas and schema below wait for other processes
      // opening the same file instead of failing with SQLITE_BUSY.
      db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal' && options.path !== ':memory:') {
        throw new Error(`could not switch ${options.path} to WAL (journal_mode=${String(mode)})`);
      }
      // FULL: in WAL mode NORMAL may lose the last commits on power loss, and
      // an acknowledged append must survive that.
      db.pragma('synchronous = FULL');
      db.exec('BEGIN IMMEDIATE');
      try {
        db.exec(SCHEMA);
        const version = db.pragma('user_version', { simple: true }) as bigint;
        if (version === 0n) db.pragma(`user_version = ${SCHEMA_VERSION}`);
        else if (version !== SCHEMA_VERSION) {
          throw new Error(`${options.path}: unsupported event store schema version ${version}`);
        }
        db.exec('COMMIT');
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    } catch (error) {
      db.close();
      throw new StoreUnavailableError(`cannot open sqlite event store ${options.path}`, { cause: error });
    }
    this.#db = db;

    if (options.path === ':memory:' || options.writerThread === false) {
      this.#writer = new InProcessWriter(db);
    } else {
      const thread = new WriterThread(options.path, busyTimeoutMs);
      thread.prestart();
      this.#writer = thread;
    }
    this.#readStream = new LimitedStatements(
      db,
      (limit) =>
        `SELECT ${COLUMNS} FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ${limit}`,
    );
    this.#readAll = new LimitedStatements(
      db,
      (limit) => `SELECT ${COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ${limit}`,
    );
    this.#readAllFromStart = new LimitedStatements(
      db,
      (limit) => `SELECT ${COLUMNS} FROM events ORDER BY position LIMIT ${limit}`,
    );
    this.#lastPosition = db.prepare('SELECT MAX(position) AS position FROM events');

    this.#queue = new GroupCommitQueue((batch) => this.#commitBatch(batch), {
      maxPending: options.maxPendingAppends ?? DEFAULT_MAX_PENDING,
      // The writer thread commits batches in the order it receives them: the next one is sent while
      // the one before waits for its fsync, instead of after the round trip back to this thread.
      maxBatchesInFlight: this.#writer instanceof WriterThread ? 2 : 1,
    });
  }

  async append(
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    checkStreamName(stream);
    checkExpected(expected);
    // Serialise before queueing so that a bad event fails its own append only
    // and never reaches the shared transaction.
    const serialized = toEventJsonInTurns(stream, events);
    // A large append is written over several turns; close() waits for it, as for one already queued.
    return this.#writing.enqueue(serialized, (json) =>
      this.#queue.enqueue({ stream, expected, events: json }),
    );
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const fromRevision = fromRevisionOf(options.fromRevision);
    const limit = pageSize(options.maxCount);
    if (limit === 0) return [];
    return this.#read(() => this.#readStream.get(limit).all(stream, fromRevision).map(toRecordedEvent));
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    checkAfter(options.after);
    return this.#readPage(options.after, pageSize(options.maxCount));
  }

  #readPage(after: bigint | undefined, maxCount: number): RecordedEvent[] {
    return this.#readRows(after, maxCount).map((row) => this.#parsed(row));
  }

  /** Synchronous on purpose: subscriptions read and start waiting in the same turn, so no commit notification can fall in between. */
  #readRows(after: bigint | undefined, maxCount: number): EventRow[] {
    if (maxCount === 0) return [];
    return this.#read(() =>
      after === undefined
        ? this.#readAllFromStart.get(maxCount).all()
        : this.#readAll.get(maxCount).all(after),
    );
  }

  /** A stored row as its event; a row that does not parse fails as a read does. */
  #parsed(row: EventRow): RecordedEvent {
    try {
      return toRecordedEvent(row);
    } catch (error) {
      throw new StoreUnavailableError('event store read failed', { cause: error });
    }
  }

  subscribe(handler: EventHandler, options: SubscribeOptions = {}): Subscription {
    if (this.#closing) throw new StoreUnavailableError('event store is closed');
    checkAfter(options.after);
    const subscription = new SqliteSubscription(
      {
        readPage: (after, maxCount) => this.#readRows(after, maxCount),
        toEvent: (row) => this.#parsed(row),
        textLength: (row) => row.data.length + (row.metadata?.length ?? 0),
        onCommit: (listener) => {
          this.#commitListeners.add(listener);
          return () => this.#commitListeners.delete(listener);
        },
        pollIntervalMs: this.#pollIntervalMs,
      },
      handler,
      options.after,
    );
    this.#subscriptions.add(subscription);
    const forget = () => this.#subscriptions.delete(subscription);
    subscription.done.then(forget, forget);
    return subscription;
  }

  async lastPosition(): Promise<bigint | null> {
    return this.#read(() => this.#lastPosition.get()?.position ?? null);
  }

  /** Told after each group commit: appends in it and its duration in ms (metrics). */
  observeCommits(listener: (batchSize: number, durationMs: number) => void): void {
    this.#queue.observe(listener);
  }

  stats(): SqliteEventStoreStats {
    return { ...this.#stats };
  }

  pragmas(): SqlitePragmas {
    return this.#read(() => {
      const synchronous = Number(this.#db.pragma('synchronous', { simple: true }));
      return {
        journalMode: String(this.#db.pragma('journal_mode', { simple: true })),
        synchronous: SYNCHRONOUS_NAMES[synchronous] ?? String(synchronous),
        busyTimeoutMs: Number(this.#db.pragma('busy_timeout', { simple: true })),
      };
    });
  }

  /** Commits queued appends, stops subscriptions, then closes the database. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#closing = true;
    await this.#writing.settled();
    await this.#queue.close();
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
    await this.#writer.close();
    this.#db.close();
  }

  #read<T>(query: () => T): T {
    if (!this.#db.open) throw new StoreUnavailableError('event store is closed');
    try {
      return query();
    } catch (error) {
      throw new StoreUnavailableError('event store read failed', { cause: error });
    }
  }

  /** Runs on the group-commit queue: one transaction, one COMMIT, one outcome per append, on the writer. */
  async #commitBatch(batch: readonly AppendRequest[]): Promise<Outcome<AppendResult>[]> {
    let committed: AppendOutcome[];
    try {
      committed = await this.#writer.commit(batch, new Date().toISOString());
    } catch (error) {
      if (!(error instanceof BatchFailure)) throw error;
      throw new StoreUnavailableError(error.message, { cause: causeError(error.cause) });
    }
    let appends = 0;
    let events = 0;
    const outcomes = committed.map((outcome, i): Outcome<AppendResult> => {
      const request = batch[i]!;
      if (outcome.ok) {
        appends += 1;
        events += request.events.length;
        return { ok: true, value: { nextExpectedRevision: outcome.revision, position: outcome.position } };
      }
      if (outcome.kind === 'wrong-revision') {
        return {
          ok: false,
          error: new WrongExpectedRevisionError(request.stream, request.expected, outcome.actual),
        };
      }
      return {
        ok: false,
        error: new StoreUnavailableError(`append to ${request.stream} failed`, {
          cause: causeError(outcome.cause),
        }),
      };
    });
    this.#stats.commits += 1;
    this.#stats.appends += appends;
    this.#stats.events += events;
    if (events > 0) this.#notifyCommit();
    return outcomes;
  }

  #notifyCommit(): void {
    for (const listener of [...this.#commitListeners]) listener();
  }
}

/** The error SQLite raised in the writer, rebuilt on this side of the thread boundary. */
function causeError(cause: FailureCause): Error {
  const error = new Error(cause.message);
  if (cause.code !== null) Object.assign(error, { code: cause.code });
  return error;
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    stream: row.stream,
    revision: row.revision,
    position: row.position,
    type: row.type,
    data: JSON.parse(row.data) as JsonValue,
    metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as JsonValue),
    recordedAt: row.recorded_at,
  };
}
