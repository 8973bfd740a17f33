import Database from 'better-sqlite3';
import type { EventJson } from '../event-json.js';
import { expectationHolds } from '../expected-revision.js';
import type { ExpectedRevision } from '../port.js';

/**
 * One group commit of the SQLite event store: every queued append checked in
 * queue order and written in one transaction, one COMMIT (one fsync under
 * synchronous=FULL) for all of them.
 *
 * It runs on whichever thread holds the write connection: the store's writer
 * thread for a file (sqlite-writer.ts), the event loop for ':memory:'. So its
 * requests and outcomes are plain data that cross a thread boundary by
 * structured clone, and the store turns outcomes back into its errors.
 */

export interface AppendRequest {
  readonly stream: string;
  readonly expected: ExpectedRevision;
  readonly events: readonly EventJson[];
}

/** What became of one append of a committed batch. */
export type AppendOutcome =
  | { readonly ok: true; readonly revision: bigint; readonly position: bigint }
  /** The stream was not at the revision the writer expected: nothing of this append was written. */
  | { readonly ok: false; readonly kind: 'wrong-revision'; readonly actual: bigint | 'no_stream' }
  /** An unexpected failure of this append alone: nothing of it was written, the rest of the batch was. */
  | { readonly ok: false; readonly kind: 'failed'; readonly cause: FailureCause };

export interface FailureCause {
  readonly message: string;
  /** SQLite's extended result code, e.g. SQLITE_BUSY, when SQLite raised it. */
  readonly code: string | null;
}

/** The cause of a failure that no error raised (the thread stopped, a message came out of turn). */
export const NO_CAUSE: FailureCause = { message: 'no cause', code: null };

/** Nothing of the batch was committed: the write lock could not be taken, or COMMIT failed. */
export class BatchFailure extends Error {
  constructor(
    message: string,
    override readonly cause: FailureCause,
  ) {
    super(message);
    this.name = 'BatchFailure';
  }
}

interface HeadRow {
  revision: bigint;
  position: bigint;
}

export function failureCause(error: unknown): FailureCause {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof Database.SqliteError ? error.code : null;
  return { message, code };
}

export class SqliteAppendBatch {
  readonly #db: Database.Database;
  readonly #head: Database.Statement<[string], HeadRow>;
  readonly #insert: Database.Statement<[string, bigint, string, string, string | null, string], unknown>;

  /** `db` must return integers as BigInt (defaultSafeIntegers(true)). */
  constructor(db: Database.Database) {
    this.#db = db;
    this.#head = db.prepare(
      'SELECT revision, position FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1',
    );
    this.#insert = db.prepare(
      'INSERT INTO events (stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  /** One outcome per request, in order, once the batch is durable; throws BatchFailure if nothing was. */
  commit(batch: readonly AppendRequest[], recordedAt: string): AppendOutcome[] {
    const db = this.#db;
    try {
      // IMMEDIATE takes the write lock up front (waiting up to busy_timeout
      // for other processes), so the revision checks below cannot be
      // invalidated by another writer before COMMIT.
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      throw new BatchFailure('event store is busy: could not start a write transaction', failureCause(error));
    }
    try {
      const outcomes = batch.map((request) => this.#applyOne(request, recordedAt));
      db.exec('COMMIT');
      return outcomes;
    } catch (error) {
      try {
        if (db.inTransaction) db.exec('ROLLBACK');
      } catch {
        // The connection is already unusable; the commit error below is the one that matters.
      }
      throw new BatchFailure('event store commit failed', failureCause(error));
    }
  }

  #applyOne(request: AppendRequest, recordedAt: string): AppendOutcome {
    if (request.expected === 'no_stream' && request.events.length === 1) {
      return this.#applyToNewStream(request, request.events[0]!, recordedAt);
    }
    const head = this.#head.get(request.stream);
    const actual = head === undefined ? 'no_stream' : head.revision;
    if (!expectationHolds(request.expected, actual)) return { ok: false, kind: 'wrong-revision', actual };
    if (request.events.length === 0) {
      return { ok: true, revision: head?.revision ?? -1n, position: head?.position ?? -1n };
    }
    // The check above already guarantees the inserts fit; the savepoint only
    // makes sure an unexpected failure of this append leaves no partial
    // write while the rest of the batch still commits. One event is one
    // INSERT, which SQLite undoes by itself if it fails: no savepoint (two
    // statements compiled and run per append) for the common case.
    const savepoint = request.events.length > 1;
    if (savepoint) this.#db.exec('SAVEPOINT append');
    try {
      let revision = head?.revision ?? -1n;
      let position = -1n;
      for (const event of request.events) {
        revision += 1n;
        const info = this.#insert.run(
          request.stream,
          revision,
          event.type,
          event.data,
          event.metadata,
          recordedAt,
        ) as Database.RunResult;
        position = BigInt(info.lastInsertRowid);
      }
      if (savepoint) this.#db.exec('RELEASE append');
      return { ok: true, revision, position };
    } catch (error) {
      if (savepoint) {
        this.#db.exec('ROLLBACK TO append');
        this.#db.exec('RELEASE append');
      }
      return { ok: false, kind: 'failed', cause: failureCause(error) };
    }
  }

  /**
   * One event to a stream that must not exist (every new certification): inserted as revision 0
   * without reading the stream's head first. A stream exists exactly when its revision 0 does, so
   * UNIQUE (stream, revision) refuses the insert then, and only that case reads the head, to name it.
   * A failed INSERT is undone by SQLite itself, and the rest of the batch still commits.
   */
  #applyToNewStream(request: AppendRequest, event: EventJson, recordedAt: string): AppendOutcome {
    try {
      const info = this.#insert.run(request.stream, 0n, event.type, event.data, event.metadata, recordedAt);
      return { ok: true, revision: 0n, position: BigInt(info.lastInsertRowid) };
    } catch (error) {
      const head = isUniqueViolation(error) ? this.#head.get(request.stream) : undefined;
      if (head !== undefined) return { ok: false, kind: 'wrong-revision', actual: head.revision };
      return { ok: false, kind: 'failed', cause: failureCause(error) };
    }
  }
}

function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof Database.SqliteError &&
    (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
  );
}
