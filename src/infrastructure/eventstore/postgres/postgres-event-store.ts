/**
 * The PostgreSQL adapter of the event store port, on node-postgres (`pg`).
 * Several API nodes share one database: each opens its own instance, and
 * they agree on one global order through the sequencing lock (append-batch.ts,
 * README.md). Only this folder imports `pg`.
 *
 * Connections per instance: one for appends (group commit runs one batch at a
 * time, so one is all it can use), a small pool for reads, and one that
 * LISTENs for the live feed. The first call migrates the schema (a store that
 * cannot be reached at start shows up as StoreUnavailableError on first use,
 * as with EventStoreDB, and the node retries); nothing connects before that.
 */

import pg from 'pg';
import { AppendsInWriting, toEventJsonInTurns } from '../event-json.js';
import { checkExpected } from '../expected-revision.js';
import { DEFAULT_MAX_PENDING, GroupCommitQueue } from '../group-commit.js';
import {
  type AppendResult,
  type EventHandler,
  type EventStore,
  type ExpectedRevision,
  type JsonValue,
  MAX_PAGE,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  StoreUnavailableError,
  type SubscribeOptions,
  type Subscription,
} from '../port.js';
import { checkAfter, checkStreamName, fromRevisionOf, pageSize } from '../port-arguments.js';
import { type AppendRequest, type BatchStatements, batchStatements, commitBatch } from './append-batch.js';
import {
  checkSchemaName,
  DEFAULT_SCHEMA,
  feedChannel,
  isPostgresUrl,
  maskPostgresPassword,
} from './connection-string.js';
import { toStoreError } from './postgres-errors.js';
import { FeedListener, PostgresSubscription } from './postgres-subscription.js';
import { migrate, quoteIdentifier } from './schema-migrations.js';
import { WriterConnection } from './writer-connection.js';

export interface PostgresEventStoreOptions {
  /** postgres://user:password@host:5432/database (libpq-style parameters such as ?sslmode= are honoured). */
  readonly url: string;
  /** Schema holding the tables; one log per schema. Default `chancery`. */
  readonly schema?: string;
  /** How long an idle subscription waits for a NOTIFY before it reads anyway. Default 1000 ms. */
  readonly pollIntervalMs?: number;
  /**
   * Server-side statement_timeout of every statement (a lock wait included): past it the call fails
   * with StoreUnavailableError instead of hanging. Default 10,000 ms. COMMIT is exempt (see append-batch.ts).
   */
  readonly statementTimeoutMs?: number;
  /**
   * How long COMMIT may take before its appends reject with StoreUnavailableError (their outcome then
   * unknown). COMMIT is exempt from statement_timeout; this bounds it when a synchronous standby is gone.
   * Default 30,000 ms.
   */
  readonly commitTimeoutMs?: number;
  /** How long to wait for a connection before StoreUnavailableError. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Connections for reads. Default 4. */
  readonly readConnections?: number;
  /** Appends allowed to wait for the next group commit before StoreOverloadedError. Default 10,000. */
  readonly maxPendingAppends?: number;
  /** application_name of every connection, for pg_stat_activity. Default `chancery`. */
  readonly applicationName?: string;
  /**
   * Called after every committed batch with the number of appends it settled and how long its
   * transaction took (connection to COMMIT), e.g. for metrics. Must not throw.
   */
  readonly onCommit?: (batchSize: number, durationMs: number) => void;
  /**
   * false skips the sequencing lock in the adapter. Only bench/postgres.bench.ts sets it, on a schema
   * whose lock trigger it dropped, to measure what the lock costs: subscribers can then miss events.
   */
  readonly sequencingLock?: boolean;
}

export interface PostgresEventStoreStats {
  /** Transactions committed. */
  readonly commits: number;
  /** Appends committed successfully. */
  readonly appends: number;
  readonly events: number;
}

/** Server settings that decide what "committed" means, for status output and the benchmark. */
export interface PostgresDurability {
  readonly fsync: string;
  /** What the adapter's appends commit with (never off). */
  readonly synchronousCommit: string;
  readonly synchronousStandbyNames: string;
  readonly serverVersion: string;
}

interface EventRow {
  position: string;
  stream: string;
  revision: string;
  type: string;
  data: JsonValue;
  metadata: JsonValue | null;
  recorded_at: Date;
}

/** Bounds of bigint: a position outside them cannot be in the table. */
const MIN_BIGINT = -(2n ** 63n);
const MAX_BIGINT = 2n ** 63n - 1n;

export class PostgresEventStore implements EventStore {
  readonly kind = 'postgres';
  /** The connection string with any password masked, for messages and status. */
  readonly target: string;
  readonly schema: string;
  readonly #writer: WriterConnection;
  readonly #readers: pg.Pool;
  readonly #listener: FeedListener;
  readonly #queue: GroupCommitQueue<AppendRequest, AppendResult>;
  readonly #statements: BatchStatements;
  readonly #sql: ReturnType<typeof readStatements>;
  readonly #pollIntervalMs: number;
  readonly #onCommit: ((batchSize: number, durationMs: number) => void) | undefined;
  readonly #subscriptions = new Set<PostgresSubscription>();
  #migrated: Promise<void> | null = null;
  #closing = false;
  readonly #writing = new AppendsInWriting();
  #closed: Promise<void> | undefined;
  #stats = { commits: 0, appends: 0, events: 0 };

  constructor(options: PostgresEventStoreOptions) {
    if (!isPostgresUrl(options.url)) {
      throw new TypeError('postgres: url must be a postgres:// or postgresql:// connection string');
    }
    this.target = maskPostgresPassword(options.url);
    this.schema = checkSchemaName(options.schema ?? DEFAULT_SCHEMA);
    this.#pollIntervalMs = positive(options.pollIntervalMs ?? 1000, 'pollIntervalMs');
    this.#onCommit = options.onCommit;
    const base = connectionConfig(options);
    this.#writer = new WriterConnection(base);
    this.#readers = new pg.Pool({ ...base, max: positive(options.readConnections ?? 4, 'readConnections') });
    // An idle connection the server dropped is discarded by the pool; without a listener the error would crash the process.
    this.#readers.on('error', () => undefined);
    this.#listener = new FeedListener(
      () => new pg.Client(base),
      feedChannel(this.schema),
      (error, what) => toStoreError(error, this.target, what),
    );
    this.#statements = batchStatements(this.schema, {
      sequencingLock: options.sequencingLock ?? true,
      commitTimeoutMs: positive(options.commitTimeoutMs ?? 30_000, 'commitTimeoutMs'),
    });
    this.#sql = readStatements(this.schema);
    this.#queue = new GroupCommitQueue((batch) => this.#commitBatch(batch), {
      maxPending: options.maxPendingAppends ?? DEFAULT_MAX_PENDING,
    });
  }

  async append(
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    checkStreamName(stream);
    checkExpected(expected);
    // text cannot hold U+0000: refused here, so that one bad append never fails the batch it would share.
    if (stream.includes('\0')) throw new TypeError('stream must not contain U+0000');
    const serialized = toEventJsonInTurns(stream, events, (json, index) => {
      if (json.type.includes('\0'))
        throw new TypeError(`stream ${stream}, event ${index}: type contains U+0000`);
    });
    // A large append is written over several turns; close() waits for it, as for one already queued.
    return this.#writing.enqueue(serialized, (json) =>
      this.#queue.enqueue({ stream, expected, events: json }),
    );
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    checkStreamName(stream);
    const fromRevision = fromRevisionOf(options.fromRevision);
    const limit = pageSize(options.maxCount);
    // No stream holding U+0000 can exist (append refuses it), and no revision beyond bigint.
    if (limit === 0 || stream.includes('\0') || fromRevision > MAX_BIGINT) return [];
    return this.#read('read a stream', this.#sql.readStream, [stream, fromRevision.toString(), limit]);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    checkAfter(options.after);
    return this.#readPage(options.after, pageSize(options.maxCount));
  }

  #readPage(after: bigint | undefined, limit: number): Promise<RecordedEvent[]> {
    if (limit === 0) return Promise.resolve([]);
    if (after !== undefined && after >= MAX_BIGINT) return Promise.resolve([]);
    const from = after === undefined || after < MIN_BIGINT ? MIN_BIGINT : after;
    return this.#read('read all streams', this.#sql.readAll, [from.toString(), limit]);
  }

  subscribe(handler: EventHandler, options: SubscribeOptions = {}): Subscription {
    if (this.#closing) throw new StoreUnavailableError('event store is closed');
    checkAfter(options.after);
    const subscription = new PostgresSubscription(
      {
        readPage: (after) => this.#readPage(after, MAX_PAGE),
        listener: this.#listener,
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
    const rows = await this.#query<{ position: string | null }>('read the last position', this.#sql.last, []);
    const position = rows[0]?.position ?? null;
    return position === null ? null : BigInt(position);
  }

  stats(): PostgresEventStoreStats {
    return { ...this.#stats };
  }

  /** What the server does on COMMIT: whether it is fsynced, and whether a standby must have it. */
  async durability(): Promise<PostgresDurability> {
    const rows = await this.#query<{ name: string; setting: string }>(
      'read the server settings',
      {
        name: 'chancery-durability',
        text: `SELECT name, setting FROM pg_settings
                WHERE name IN ('fsync', 'synchronous_commit', 'synchronous_standby_names', 'server_version')`,
      },
      [],
    );
    const setting = (name: string) => rows.find((row) => row.name === name)?.setting ?? '';
    return {
      fsync: setting('fsync'),
      // What appends commit with: a default of off is raised to on inside every append transaction.
      synchronousCommit: setting('synchronous_commit') === 'off' ? 'on' : setting('synchronous_commit'),
      synchronousStandbyNames: setting('synchronous_standby_names'),
      serverVersion: setting('server_version'),
    };
  }

  /** Commits what is queued, stops the subscriptions, then closes every connection. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#closing = true;
    await this.#writing.settled();
    await this.#queue.close();
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
    await this.#listener.close();
    await Promise.allSettled([this.#writer.close(), this.#readers.end()]);
  }

  /** Creates or upgrades the schema once per instance; a failure is retried by the next call. */
  #ready(): Promise<void> {
    this.#migrated ??= (async () => {
      const client = await this.#writer.acquire();
      try {
        await migrate(client, this.schema);
      } catch (error) {
        this.#writer.discard(client);
        throw error;
      }
    })().catch((error: unknown) => {
      this.#migrated = null;
      throw toStoreError(error, this.target, `migrate schema ${this.schema}`);
    });
    return this.#migrated;
  }

  async #read(
    what: string,
    statement: { name: string; text: string },
    values: unknown[],
  ): Promise<RecordedEvent[]> {
    return (await this.#query<EventRow>(what, statement, values)).map(toRecordedEvent);
  }

  async #query<Row extends pg.QueryResultRow>(
    what: string,
    statement: { name: string; text: string },
    values: unknown[],
  ): Promise<Row[]> {
    // close() may still be committing its queue; reads are refused from the moment it was called.
    if (this.#closing) throw new StoreUnavailableError('event store is closed');
    try {
      await this.#ready();
      return (await this.#readers.query<Row>({ ...statement, values })).rows;
    } catch (error) {
      throw toStoreError(error, this.target, what);
    }
  }

  /** Told after each group commit: appends in it and its duration in ms (the node's group-commit metric). */
  observeCommits(listener: (batchSize: number, durationMs: number) => void): void {
    this.#queue.observe(listener);
  }

  /** Runs on the group-commit queue: one transaction on the writer connection for the whole batch. */
  async #commitBatch(batch: readonly AppendRequest[]) {
    const started = performance.now();
    let client: pg.Client | undefined;
    try {
      await this.#ready();
      client = await this.#writer.acquire();
      const result = await commitBatch(client, this.#statements, batch);
      this.#stats.commits += 1;
      this.#stats.appends += result.outcomes.filter((outcome) => outcome.ok).length;
      this.#stats.events += result.events;
      if (result.events > 0) this.#listener.wakeAll();
      this.#onCommit?.(batch.length, performance.now() - started);
      return result.outcomes;
    } catch (error) {
      // After any failure the connection's state is unknown (mid-transaction, cut, stuck in COMMIT): never reuse it.
      if (client !== undefined) this.#writer.discard(client);
      throw toStoreError(error, this.target, `append (${batch.length} in one transaction)`);
    }
  }
}

function readStatements(schema: string) {
  const events = `${quoteIdentifier(schema)}.events`;
  const columns = 'position, stream, revision, type, data, metadata, recorded_at';
  return {
    readStream: {
      name: `chancery-read-stream-${schema}`,
      text: `SELECT ${columns} FROM ${events} WHERE stream = $1 AND revision >= $2 ORDER BY revision LIMIT $3`,
    },
    readAll: {
      name: `chancery-read-all-${schema}`,
      text: `SELECT ${columns} FROM ${events} WHERE position > $1 ORDER BY position LIMIT $2`,
    },
    last: { name: `chancery-last-${schema}`, text: `SELECT max(position) AS position FROM ${events}` },
  };
}

function connectionConfig(options: PostgresEventStoreOptions): pg.ClientConfig {
  return {
    connectionString: options.url,
    application_name: options.applicationName ?? 'chancery',
    statement_timeout: positive(options.statementTimeoutMs ?? 10_000, 'statementTimeoutMs'),
    // A node frozen inside a transaction must not hold the sequencing lock, and so every writer, for long.
    idle_in_transaction_session_timeout: 60_000,
    connectionTimeoutMillis: positive(options.connectTimeoutMs ?? 5000, 'connectTimeoutMs'),
    keepAlive: true,
  };
}

function positive(value: number, what: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`postgres: ${what} must be positive`);
  return value;
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    stream: row.stream,
    revision: BigInt(row.revision),
    position: BigInt(row.position),
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at.toISOString(),
  };
}
