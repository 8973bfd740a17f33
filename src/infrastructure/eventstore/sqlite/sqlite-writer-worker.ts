/**
 * The SQLite event store's writer thread (sqlite-writer.ts): its own
 * connection to the store's file, on which every group commit runs. The
 * first message opens the file; each later one is a batch, answered with its
 * outcomes or the batch's failure; 'close' closes the connection and ends
 * the thread.
 */

import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { type AppendRequest, BatchFailure, failureCause, SqliteAppendBatch } from './sqlite-append-batch.js';
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

function commit(id: number, batch: readonly AppendRequest[], recordedAt: string): WriterReply {
  try {
    return { id, outcomes: batches!.commit(batch, recordedAt) };
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
    case 'batch':
      port.postMessage(commit(request.id, request.batch, request.recordedAt));
      return;
    case 'close':
      db?.close();
      db = null;
      port.postMessage({ id: request.id, closed: true } satisfies WriterReply);
      port.close();
      return;
  }
});
