import { StoreOverloadedError, StoreUnavailableError } from './port.js';
/**
 * Group commit: requests from concurrent callers are queued and committed
 * together, once per event-loop turn, so one durable commit (one fsync) pays
 * for many appends. The queue knows nothing about SQL; the committer it is
 * given decides the outcome of each request inside one transaction.
 */

/** Outcome of one request inside a committed batch. */
export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: unknown };

/**
 * Commits a whole batch. Returns one outcome per request, in order, and only
 * after the batch is durable. Throwing (or rejecting) means nothing in the
 * batch was committed: every request of the batch is rejected with that error.
 */
export type BatchCommitter<Req, Res> = (
  batch: readonly Req[],
) => readonly Outcome<Res>[] | Promise<readonly Outcome<Res>[]>;

export interface GroupCommitOptions {
  /** Requests allowed to wait for the next batch; beyond it enqueue() fails fast. Default 10,000. */
  readonly maxPending?: number;
  /** Suggested Retry-After for overloaded callers, in seconds. Default 1. */
  readonly retryAfterSeconds?: number;
  /**
   * Batches handed to the committer before the first of them has settled. Default 1. More is only
   * for a committer that runs its batches strictly in the order given, elsewhere (the SQLite
   * store's writer thread): the next batch then travels while the one before commits.
   */
  readonly maxBatchesInFlight?: number;
}

interface Waiting<Req, Res> {
  readonly request: Req;
  readonly resolve: (value: Res) => void;
  readonly reject: (error: unknown) => void;
}

export const DEFAULT_MAX_PENDING = 10_000;

export class GroupCommitQueue<Req, Res> {
  readonly #commit: BatchCommitter<Req, Res>;
  readonly #maxPending: number;
  readonly #retryAfterSeconds: number;
  #queue: Waiting<Req, Res>[] = [];
  #scheduled = false;
  readonly #maxInFlight: number;
  readonly #inFlight = new Set<Promise<void>>();
  #closed = false;
  readonly #observers: ((batchSize: number, durationMs: number) => void)[] = [];

  constructor(commit: BatchCommitter<Req, Res>, options: GroupCommitOptions = {}) {
    this.#commit = commit;
    this.#maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
    this.#retryAfterSeconds = options.retryAfterSeconds ?? 1;
    this.#maxInFlight = options.maxBatchesInFlight ?? 1;
    if (!Number.isInteger(this.#maxInFlight) || this.#maxInFlight < 1) {
      throw new RangeError(`maxBatchesInFlight must be a positive integer, got ${this.#maxInFlight}`);
    }
    if (!Number.isInteger(this.#maxPending) || this.#maxPending < 1) {
      throw new RangeError(`maxPending must be a positive integer, got ${this.#maxPending}`);
    }
  }

  /** Told after each batch the committer settled: how many requests it held and how long it took (metrics). */
  observe(listener: (batchSize: number, durationMs: number) => void): void {
    this.#observers.push(listener);
  }

  /** Requests waiting for a batch (not counting a batch being committed right now). */
  get pending(): number {
    return this.#queue.length;
  }

  enqueue(request: Req): Promise<Res> {
    if (this.#closed) {
      return Promise.reject(new StoreUnavailableError('event store is closed'));
    }
    if (this.#queue.length >= this.#maxPending) {
      return Promise.reject(new StoreOverloadedError(this.#queue.length, this.#retryAfterSeconds));
    }
    return new Promise<Res>((resolve, reject) => {
      this.#queue.push({ request, resolve, reject });
      this.#schedule();
    });
  }

  /** Refuses new requests, commits everything already queued, then resolves. */
  async close(): Promise<void> {
    this.#closed = true;
    for (;;) {
      if (this.#inFlight.size > 0) {
        await Promise.all(this.#inFlight);
      } else if (this.#queue.length > 0) {
        this.#kick();
      } else {
        return;
      }
    }
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // setImmediate rather than a microtask: every request issued during the
    // current turn (including those resolved by I/O callbacks of the same
    // poll phase) joins the batch.
    setImmediate(() => {
      this.#scheduled = false;
      this.#kick();
    });
  }

  #kick(): void {
    // One batch at a time by default: a second concurrent transaction could not
    // commit earlier anyway, and serial batches keep queue order equal to
    // commit order. A committer that runs batches in the order given keeps
    // that order with several in flight.
    if (this.#inFlight.size >= this.#maxInFlight || this.#queue.length === 0) return;
    const batch = this.#queue;
    this.#queue = [];
    // Removed in a .finally callback, which always runs after this add,
    // even when the committer throws synchronously.
    const running: Promise<void> = this.#commitBatch(batch).finally(() => {
      this.#inFlight.delete(running);
      if (this.#queue.length > 0) this.#schedule();
    });
    this.#inFlight.add(running);
  }

  async #commitBatch(batch: readonly Waiting<Req, Res>[]): Promise<void> {
    let outcomes: readonly Outcome<Res>[];
    const started = performance.now();
    try {
      outcomes = await this.#commit(batch.map((waiting) => waiting.request));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    // After the try: an observer's failure must never turn a committed batch into rejected appends.
    try {
      for (const observer of this.#observers) observer(batch.length, performance.now() - started);
    } catch {}
    batch.forEach((waiting, index) => {
      const outcome = outcomes[index];
      if (outcome === undefined) {
        waiting.reject(new Error('group commit: committer returned no outcome for this request'));
      } else if (outcome.ok) {
        waiting.resolve(outcome.value);
      } else {
        waiting.reject(outcome.error);
      }
    });
  }
}
