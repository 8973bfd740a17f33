import type { ClientBase, QueryConfig } from 'pg';
import { type EventJson, TEXT_PER_TURN } from '../event-json.js';
import { expectationHolds } from '../expected-revision.js';
import type { Outcome } from '../group-commit.js';
import { type AppendResult, type ExpectedRevision, WrongExpectedRevisionError } from '../port.js';
import { feedChannel, SEQUENCING_LOCK_CLASS, schemaLockKey } from './connection-string.js';
import { sqlStateOf, UNIQUE_VIOLATION } from './postgres-errors.js';
import { quoteIdentifier } from './schema-migrations.js';

/**
 * One group commit: every append queued during an event-loop turn, written
 * in one transaction on one connection.
 *
 *   BEGIN; take the sequencing lock          one round trip (with synchronous_commit on)
 *   read the head of every stream involved   one round trip (an index probe per stream)
 *   check each expectation, in queue order   in memory: the heads cannot move, the lock is held
 *   INSERT every event in one statement      one round trip; positions drawn in queue order
 *     (a batch with megabytes of JSON: one statement per megabyte, in order; insertParts)
 *   NOTIFY; COMMIT                           one round trip, one WAL flush
 *
 * The lock is what makes the global order gap-free for subscribers (see
 * README.md): positions come from the sequence only while it is held, and it
 * is released only once the transaction is visible, so a reader can never see
 * position N+1 while N is still to commit. It also makes the expectation
 * checks exact: no other writer, on any node, can append between the head
 * read and the insert. The unique (stream, revision) constraint stays as the
 * last line of defence against a writer that bypassed the lock.
 */

export interface AppendRequest {
  readonly stream: string;
  readonly expected: ExpectedRevision;
  readonly events: readonly EventJson[];
}

export interface BatchResult {
  readonly outcomes: Outcome<AppendResult>[];
  /** Events written (by the appends that succeeded). */
  readonly events: number;
  /** Position of the last event written, or null when the batch wrote nothing. */
  readonly lastPosition: bigint | null;
}

/** The statements of one schema, prepared once per connection under these names. */
export interface BatchStatements {
  readonly begin: string;
  readonly heads: { readonly name: string; readonly text: string };
  readonly insert: { readonly name: string; readonly text: string };
  notifyAndCommit(lastPosition: bigint): string;
  readonly commit: string;
  readonly commitTimeoutMs: number;
}

export interface BatchOptions {
  readonly sequencingLock: boolean;
  /**
   * How long to wait for COMMIT to answer. COMMIT has no statement_timeout (see below), so this is what
   * bounds it when a synchronous standby is gone: the appends then reject as unavailable (their outcome
   * unknown: the commit may still complete) instead of hanging. Default 30,000 ms.
   */
  readonly commitTimeoutMs?: number;
}

export function batchStatements(schema: string, options: BatchOptions): BatchStatements {
  const events = `${quoteIdentifier(schema)}.events`;
  // Literals spliced into SQL: integers we computed and a channel name built from a checked identifier.
  const lock = `SELECT pg_advisory_xact_lock(${SEQUENCING_LOCK_CLASS}, ${schemaLockKey(schema)})`;
  // A 2xx means committed: where the server's default is synchronous_commit=off, COMMIT would return before
  // the WAL is flushed, so the transaction asks for 'on' there. Any other value (remote_apply for a
  // synchronous standby, say) is kept.
  const durable =
    "SELECT set_config('synchronous_commit', 'on', true) WHERE current_setting('synchronous_commit') = 'off'";
  // The lock holder's COMMIT must not be cancelled by statement_timeout: a cancel while waiting for a
  // synchronous standby returns success with only a WARNING, so the commit could be acknowledged unreplicated.
  const commit = 'SET LOCAL statement_timeout = 0; COMMIT';
  return {
    begin: options.sequencingLock ? `BEGIN; ${durable}; ${lock}` : `BEGIN; ${durable}`,
    heads: {
      name: `chancery-heads-${schema}`,
      text: `SELECT s.stream, h.revision, h.position
               FROM unnest($1::text[]) AS s(stream)
               CROSS JOIN LATERAL (
                 SELECT e.revision, e.position FROM ${events} e
                  WHERE e.stream = s.stream ORDER BY e.revision DESC LIMIT 1
               ) AS h`,
    },
    insert: {
      name: `chancery-insert-${schema}`,
      text: `INSERT INTO ${events} (stream, revision, type, data, metadata)
             SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::json[], $5::json[])
             RETURNING stream, revision, position`,
    },
    notifyAndCommit: (lastPosition) =>
      `SELECT pg_notify('${feedChannel(schema)}', '${lastPosition.toString()}'); ${commit}`,
    commit,
    commitTimeoutMs: options.commitTimeoutMs ?? 30_000,
  };
}

/** Where a stream stands while the batch is planned: its last revision and where its position comes from. */
interface Head {
  readonly revision: bigint;
  /** Known from the store, or the index of a row of this batch whose position the INSERT will return. */
  readonly position: bigint | { readonly row: number };
}

/** The rows of a batch, column by column: the INSERT's unnest() parameters. */
interface Rows {
  readonly stream: string[];
  readonly revision: string[];
  readonly type: string[];
  readonly data: string[];
  readonly metadata: (string | null)[];
}

type Planned =
  | { readonly ok: false; readonly error: unknown }
  | { readonly ok: true; readonly head: Head | null };

/** Runs the whole transaction on `client`. Throws (nothing committed) when any statement fails. */
export async function commitBatch(
  client: ClientBase,
  statements: BatchStatements,
  batch: readonly AppendRequest[],
): Promise<BatchResult> {
  await client.query(statements.begin);
  const heads = await readHeads(client, statements, batch);
  const rows: Rows = { stream: [], revision: [], type: [], data: [], metadata: [] };
  const planned = batch.map((request) => plan(request, heads, rows));
  if (rows.stream.length === 0) {
    await commit(client, statements, statements.commit);
    return { outcomes: planned.map((p) => settle(p, [])), events: 0, lastPosition: null };
  }
  const positions = await insert(client, statements, rows);
  const lastPosition = positions.at(-1)!;
  await commit(client, statements, statements.notifyAndCommit(lastPosition));
  return {
    outcomes: planned.map((p) => settle(p, positions)),
    events: rows.stream.length,
    lastPosition,
  };
}

async function commit(client: ClientBase, statements: BatchStatements, text: string): Promise<void> {
  let results: unknown;
  try {
    // node-postgres honours a per-query query_timeout (client side), which its types only declare on the client.
    const query = { text, query_timeout: statements.commitTimeoutMs };
    results = await client.query(query as QueryConfig);
  } catch (error) {
    if (error instanceof Error && error.message === 'Query read timeout') {
      throw new Error(
        `COMMIT did not answer within ${statements.commitTimeoutMs} ms (is a synchronous standby down?); ` +
          'these appends may still commit: retry them with the same command ids',
        { cause: error },
      );
    }
    throw error;
  }
  // A COMMIT in a failed transaction answers ROLLBACK without an error: never take that for a commit.
  const last = (Array.isArray(results) ? results.at(-1) : results) as { command?: string } | undefined;
  if (last?.command !== 'COMMIT') throw new Error(`COMMIT answered ${String(last?.command)}`);
}

async function readHeads(
  client: ClientBase,
  statements: BatchStatements,
  batch: readonly AppendRequest[],
): Promise<Map<string, Head>> {
  const streams = [...new Set(batch.map((request) => request.stream))];
  const { rows } = await client.query<{ stream: string; revision: string; position: string }>({
    ...statements.heads,
    values: [streams],
  });
  return new Map(
    rows.map((row) => [row.stream, { revision: BigInt(row.revision), position: BigInt(row.position) }]),
  );
}

/** Checks one append against the heads as they stand after the appends queued before it, and queues its rows. */
function plan(request: AppendRequest, heads: Map<string, Head>, rows: Rows): Planned {
  const head = heads.get(request.stream) ?? null;
  const actual = head === null ? 'no_stream' : head.revision;
  if (!expectationHolds(request.expected, actual)) {
    return { ok: false, error: new WrongExpectedRevisionError(request.stream, request.expected, actual) };
  }
  if (request.events.length === 0) return { ok: true, head };
  let revision = head === null ? -1n : head.revision;
  for (const event of request.events) {
    revision += 1n;
    rows.stream.push(request.stream);
    rows.revision.push(revision.toString());
    rows.type.push(event.type);
    rows.data.push(event.data);
    rows.metadata.push(event.metadata);
  }
  const next: Head = { revision, position: { row: rows.stream.length - 1 } };
  heads.set(request.stream, next);
  return { ok: true, head: next };
}

async function insert(client: ClientBase, statements: BatchStatements, rows: Rows): Promise<bigint[]> {
  // RETURNING order is not promised by SQL: place each position by its (stream, revision).
  const byKey = new Map<string, bigint>();
  for (const part of insertParts(rows)) {
    for (const row of await insertPart(client, statements, part)) {
      byKey.set(`${row.revision} ${row.stream}`, BigInt(row.position));
    }
  }
  return rows.stream.map((stream, i) => {
    const position = byKey.get(`${rows.revision[i]} ${stream}`);
    if (position === undefined) throw new Error('INSERT returned fewer rows than sent');
    return position;
  });
}

/**
 * The batch's rows as the INSERTs that write them: one for a batch of ordinary size, and for a batch
 * with more event text than TEXT_PER_TURN, one per that much text, run one after the other in the
 * same transaction. node-postgres writes a statement's parameters in one synchronous call; a
 * million-record batch (45 MB of JSON) in one INSERT held the event loop for 740 ms (issue 14).
 * Later parts draw later positions, so the order and the gap-free feed are those of one INSERT, and
 * a part that fails rolls the whole transaction back.
 */
function insertParts(rows: Rows): Rows[] {
  const parts: Rows[] = [];
  let from = 0;
  let text = 0;
  for (let i = 0; i < rows.stream.length; i++) {
    text += rows.data[i]!.length + (rows.metadata[i]?.length ?? 0);
    if (text >= TEXT_PER_TURN && i + 1 < rows.stream.length) {
      parts.push(rowsBetween(rows, from, i + 1));
      from = i + 1;
      text = 0;
    }
  }
  parts.push(from === 0 ? rows : rowsBetween(rows, from, rows.stream.length));
  return parts;
}

function rowsBetween(rows: Rows, from: number, to: number): Rows {
  return {
    stream: rows.stream.slice(from, to),
    revision: rows.revision.slice(from, to),
    type: rows.type.slice(from, to),
    data: rows.data.slice(from, to),
    metadata: rows.metadata.slice(from, to),
  };
}

async function insertPart(
  client: ClientBase,
  statements: BatchStatements,
  rows: Rows,
): Promise<{ stream: string; revision: string; position: string }[]> {
  try {
    const { rows: inserted } = await client.query<{ stream: string; revision: string; position: string }>({
      ...statements.insert,
      values: [rows.stream, rows.revision, rows.type, rows.data, rows.metadata],
    });
    return inserted;
  } catch (error) {
    if (sqlStateOf(error) === UNIQUE_VIOLATION) {
      throw new Error(
        '(stream, revision) already taken by a writer that bypassed the sequencing lock; nothing of this batch was written',
        { cause: error },
      );
    }
    throw error;
  }
}

function settle(planned: Planned, positions: readonly bigint[]): Outcome<AppendResult> {
  if (!planned.ok) return planned;
  const head = planned.head;
  // An empty append on a missing stream answers -1n for both, as the other adapters do.
  if (head === null) return { ok: true, value: { nextExpectedRevision: -1n, position: -1n } };
  const position = typeof head.position === 'bigint' ? head.position : positions[head.position.row]!;
  return { ok: true, value: { nextExpectedRevision: head.revision, position } };
}
