/**
 * The SQLite event store's writer thread (sqlite-writer.ts): its own
 * connection to the store's file, on which every group commit runs. The
 * first message opens the file; each later one is a batch, answered with its
 * outcomes or the batch's failure; 'close' closes the connection and ends
 * the thread.
 */

import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { EventJson } from '../event-json.js';
import {
  type AppendRequest,
  BatchFailure,
  failureCause,
  NO_CAUSE,
  SqliteAppendBatch,
} from './sqlite-append-batch.js';
import type { WriterReply, WriterRequest } from './sqlite-writer.js';

const port = parentPort!;
let db: Database.Database | null = null;
let batches: SqliteAppendBatch | null = null;

function open(path: string, busyTimeoutMs: number): void {
  db = new Database(path, { fileMustExist: true });
  db.defaultSafeIntegers(true);
  db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
  // Per connection, and this is the connection that commits: FULL, because in WAL mode NORMAL may
  // lose the last commits on power loss, and an acknowledged append must survive that.
  db.pragma('synchronous = FULL');
  batches = new SqliteAppendBatch(db);
}

/** Events of the batch being received, sent ahead in parts: by append index. */
let staging: { readonly id: number; readonly events: Map<number, EventJson[]> } | null = null;

function stage(id: number, append: number, events: readonly EventJson[]): void {
  if (staging?.id !== id) staging = { id, events: new Map() };
  const list = staging.events.get(append) ?? [];
  for (const event of events) list.push(event);
  staging.events.set(append, list);
}

/** The batch with its staged appends' events put back; whatever was staged is let go. */
function unstaged(id: number, batch: readonly AppendRequest[], staged: readonly number[]): AppendRequest[] {
  const held = staging?.id === id ? staging.events : new Map<number, EventJson[]>();
  staging = null;
  return batch.map((append, index) => {
    if (!staged.includes(index)) return append;
    const events = held.get(index);
    if (events === undefined)
      throw new BatchFailure(`append ${index} of the batch arrived without its events`, NO_CAUSE);
    return { ...append, events };
  });
}

function commit(
  id: number,
  batch: readonly AppendRequest[],
  recordedAt: string,
  staged: readonly number[] = [],
): WriterReply {
  try {
    return { id, outcomes: batches!.commit(unstaged(id, batch, staged), recordedAt) };
  } catch (error) {
    if (error instanceof BatchFailure) return { id, failure: { message: error.message, cause: error.cause } };
    return { id, failure: { message: 'event store commit failed', cause: failureCause(error) } };
  }
}

port.on('message', (request: WriterRequest) => {
  switch (request.type) {
    case 'open':
      try {
        open(request.path, request.busyTimeoutMs);
        port.postMessage({ id: request.id, opened: true } satisfies WriterReply);
      } catch (error) {
        const cause = failureCause(error);
        port.postMessage({
          id: request.id,
          failure: { message: 'cannot open the writer connection', cause },
        });
      }
      return;
    case 'events':
      stage(request.id, request.append, request.events);
      return;
    case 'batch':
      port.postMessage(commit(request.id, request.batch, request.recordedAt, request.staged));
      return;
    case 'close':
      db?.close();
      db = null;
      port.postMessage({ id: request.id, closed: true } satisfies WriterReply);
      port.close();
      return;
  }
});
