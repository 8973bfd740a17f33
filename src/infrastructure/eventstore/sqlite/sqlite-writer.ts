import type { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { startModuleWorker } from '../../workers/module-worker.js';
import {
  type AppendOutcome,
  type AppendRequest,
  BatchFailure,
  type FailureCause,
  SqliteAppendBatch,
} from './sqlite-append-batch.js';

/**
 * Where the SQLite event store's group commits run.
 *
 * better-sqlite3 is synchronous, and a commit under synchronous=FULL waits
 * for fsync: on the event loop, every batch's inserts, COMMIT and fsync (and
 * SQLite's own WAL checkpoint, when a COMMIT crosses its threshold) held up
 * every request in flight. Profiled under certify load that was about 50 µs
 * of the event loop per certification, most of it waiting for the disk. The
 * writer thread commits on a connection of its own while the event loop goes
 * on; SQLite's locking and WAL semantics are unchanged (a reader still sees a
 * commit only once it is durable), so sharing the file with other processes
 * works as before. A ':memory:' database cannot be shared between
 * connections, so it commits on the event loop, through the same code.
 */
export interface AppendBatchWriter {
  /** One outcome per request once the batch is durable; rejects with BatchFailure when nothing was written. */
  commit(batch: readonly AppendRequest[], recordedAt: string): Promise<AppendOutcome[]>;
  /** Closes the writer's connection. Idempotent. */
  close(): Promise<void>;
}

export type WriterRequest =
  | { readonly type: 'open'; readonly id: number; readonly path: string; readonly busyTimeoutMs: number }
  | {
      readonly type: 'batch';
      readonly id: number;
      readonly batch: readonly AppendRequest[];
      readonly recordedAt: string;
    }
  | { readonly type: 'close'; readonly id: number };

export type WriterReply =
  | { readonly id: number; readonly outcomes: AppendOutcome[] }
  | { readonly id: number; readonly failure: { readonly message: string; readonly cause: FailureCause } }
  | { readonly id: number; readonly opened: true }
  | { readonly id: number; readonly closed: true };

/** Commits on the event loop, through the store's own connection (':memory:'). */
export class InProcessWriter implements AppendBatchWriter {
  readonly #batches: SqliteAppendBatch;

  constructor(db: Database.Database) {
    this.#batches = new SqliteAppendBatch(db);
  }

  async commit(batch: readonly AppendRequest[], recordedAt: string): Promise<AppendOutcome[]> {
    return this.#batches.commit(batch, recordedAt);
  }

  async close(): Promise<void> {}
}

interface Pending {
  readonly resolve: (reply: WriterReply) => void;
  readonly reject: (error: BatchFailure) => void;
}

/**
 * Commits on a worker thread (sqlite-writer-worker.ts), started with the
 * store (prestart) or on the first batch. A thread that fails fails the batch in hand (nothing of it is
 * acknowledged) and is started again for the next one. The thread keeps the
 * process alive only while a batch is in flight.
 */
export class WriterThread implements AppendBatchWriter {
  readonly #path: string;
  readonly #busyTimeoutMs: number;
  #worker: Worker | null = null;
  #opened: Promise<Worker> | null = null;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;

  constructor(path: string, busyTimeoutMs: number) {
    this.#path = path;
    this.#busyTimeoutMs = busyTimeoutMs;
  }

  /**
   * Starts the thread now rather than on the first batch, so that the first append does not wait
   * for it (tens of milliseconds compiled, a few hundred under tsx). A failure here is not reported:
   * the first batch starts the thread again and reports it.
   */
  prestart(): void {
    this.#ready().catch(() => undefined);
  }

  async commit(batch: readonly AppendRequest[], recordedAt: string): Promise<AppendOutcome[]> {
    const worker = await this.#ready();
    const reply = await this.#request(worker, { type: 'batch', id: this.#nextId++, batch, recordedAt });
    if ('failure' in reply) throw new BatchFailure(reply.failure.message, reply.failure.cause);
    if (!('outcomes' in reply)) throw new BatchFailure('event store writer answered out of turn', NO_CAUSE);
    return reply.outcomes;
  }

  async close(): Promise<void> {
    const opened = this.#opened;
    if (opened === null) return;
    this.#opened = null;
    let worker: Worker;
    try {
      worker = await opened;
    } catch {
      return;
    }
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // Referenced until it has exited: close() is awaited, and nothing else may be keeping the process up.
    worker.ref();
    try {
      await this.#request(worker, { type: 'close', id: this.#nextId++ });
    } catch {
      // The thread already failed: nothing is left to close.
    }
    await exited;
  }

  #ready(): Promise<Worker> {
    this.#opened ??= this.#start().catch((error: unknown) => {
      this.#opened = null;
      throw error;
    });
    return this.#opened;
  }

  async #start(): Promise<Worker> {
    const worker = startModuleWorker(import.meta.url, 'sqlite-writer-worker');
    worker.unref();
    this.#worker = worker;
    worker.on('message', (reply: WriterReply) => {
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0 && this.#opened !== null) worker.unref();
      pending?.resolve(reply);
    });
    // An error event without a listener would crash the process; here it fails the batch in hand.
    worker.on('error', (error) => this.#stopped(worker, error.message));
    worker.on('exit', (code) => this.#stopped(worker, `exited with code ${code}`));
    const reply = await this.#request(worker, {
      type: 'open',
      id: this.#nextId++,
      path: this.#path,
      busyTimeoutMs: this.#busyTimeoutMs,
    });
    if ('failure' in reply) {
      void worker.terminate();
      throw new BatchFailure(reply.failure.message, reply.failure.cause);
    }
    return worker;
  }

  #request(worker: Worker, request: WriterRequest): Promise<WriterReply> {
    return new Promise((resolve, reject) => {
      if (this.#worker !== worker) {
        reject(new BatchFailure('event store writer thread stopped', NO_CAUSE));
        return;
      }
      this.#pending.set(request.id, { resolve, reject });
      worker.ref();
      worker.postMessage(request);
    });
  }

  #stopped(worker: Worker, why: string): void {
    if (this.#worker !== worker) return;
    this.#worker = null;
    this.#opened = null;
    const failure = new BatchFailure('event store writer thread stopped', { message: why, code: null });
    for (const pending of this.#pending.values()) pending.reject(failure);
    this.#pending.clear();
  }
}

const NO_CAUSE: FailureCause = { message: 'no cause', code: null };
