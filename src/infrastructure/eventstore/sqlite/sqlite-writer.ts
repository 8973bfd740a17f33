import type { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { startModuleWorker } from '../../workers/module-worker.js';
import { type EventJson, eventJsonLength, TEXT_PER_TURN } from '../event-json.js';
import {
  type AppendOutcome,
  type AppendRequest,
  BatchFailure,
  type FailureCause,
  NO_CAUSE,
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
      /** Appends of the batch sent ahead in parts ('events'): their events here are empty. */
      readonly staged?: readonly number[];
    }
  /** Part of the events of append `append` of batch `id`, sent ahead of the batch itself; never answered. */
  | {
      readonly type: 'events';
      readonly id: number;
      readonly append: number;
      readonly events: readonly EventJson[];
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
  /** Settles once the last batch handed to commit() is wholly with the thread. */
  #sending: Promise<void> = Promise.resolve();
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
    const id = this.#nextId++;
    // A batch in parts lets the loop turn between them: the next batch waits, so the thread gets each whole, in order.
    const before = this.#sending;
    let sent!: () => void;
    this.#sending = new Promise((resolve) => {
      sent = resolve;
    });
    let answered: Promise<WriterReply>;
    try {
      await before;
      const { parts, request } = inParts(id, batch, recordedAt);
      for (const part of parts) {
        this.#post(worker, part);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      answered = this.#request(worker, request);
    } finally {
      sent();
    }
    const reply = await answered;
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

  /** Sends a part of a batch, which the thread does not answer; fails like the batch if the thread stopped. */
  #post(worker: Worker, part: WriterRequest): void {
    if (this.#worker !== worker) throw new BatchFailure('event store writer thread stopped', NO_CAUSE);
    // Kept alive from the first part: the batch's own request refs it again, and the reply lets it go.
    worker.ref();
    worker.postMessage(part);
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

/**
 * The messages that carry a batch: any append with more than TEXT_PER_TURN of
 * event text goes ahead in parts ('events') of about that size, and the batch
 * itself then names those appends (staged) with their events left out.
 */
export function inParts(
  id: number,
  batch: readonly AppendRequest[],
  recordedAt: string,
): { parts: WriterRequest[]; request: WriterRequest } {
  const parts: WriterRequest[] = [];
  const staged: number[] = [];
  const requests = batch.map((append, index) => {
    let total = 0;
    for (const event of append.events) total += eventJsonLength(event);
    // Posting copies a message on this thread before the thread gets it: a million-record batch in one
    // message (45 MB of event text) held the event loop for 120–300 ms.
    if (total <= TEXT_PER_TURN) return append;
    staged.push(index);
    let events: EventJson[] = [];
    let text = 0;
    for (const event of append.events) {
      events.push(event);
      text += eventJsonLength(event);
      if (text >= TEXT_PER_TURN) {
        parts.push({ type: 'events', id, append: index, events });
        events = [];
        text = 0;
      }
    }
    if (events.length > 0) parts.push({ type: 'events', id, append: index, events });
    return { ...append, events: [] };
  });
  if (staged.length === 0) return { parts, request: { type: 'batch', id, batch, recordedAt } };
  return { parts, request: { type: 'batch', id, batch: requests, recordedAt, staged } };
}
