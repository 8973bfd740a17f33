import type { BatchVerdict } from './record-batch.js';
import { RecordFormatError } from './record-splitter.js';

export interface RecordError {
  /** The record's number in the upload, from 1. */
  readonly record: number;
  readonly pointer: string;
  readonly message: string;
}

/**
 * Verdicts on batches, merged in the order of the body whatever order the
 * workers answer in: the first maxErrors schema errors by record (every
 * error of a record, in ajv's order), or the first record that is not JSON
 * (or too large) if it comes before them. Once either is known, or a schema
 * error past the limit (`truncated`), nothing after it counts.
 */
export class OrderedVerdicts {
  /** Records in the batches merged so far: the next batch's first record is number records + 1. */
  records = 0;
  readonly errors: RecordError[] = [];
  /** There were more schema errors than the maxErrors listed. */
  truncated = false;
  formatError: RecordFormatError | null = null;
  private readonly queue: { done: boolean; outcome: Outcome | null; settled: Promise<void> }[] = [];

  constructor(private readonly maxErrors: number) {}

  get healthy(): boolean {
    return this.formatError === null && !this.truncated;
  }

  /** Queues a verdict (or a format error found while batching), in body order. */
  add(outcome: Outcome | Promise<Outcome>): void {
    if (!(outcome instanceof Promise)) {
      this.queue.push({ done: true, outcome, settled: Promise.resolve() });
      return;
    }
    const entry: { done: boolean; outcome: Outcome | null; settled: Promise<void> } = {
      done: false,
      outcome: null,
      settled: Promise.resolve(),
    };
    // Never rejects: a failed worker becomes an outcome, so an abandoned upload leaves no unhandled rejection.
    entry.settled = outcome.then(
      (o) => {
        entry.outcome = o;
        entry.done = true;
      },
      (error: unknown) => {
        entry.outcome = { failed: error };
        entry.done = true;
      },
    );
    this.queue.push(entry);
  }

  /** Merges the verdicts at the head of the queue that have arrived, without waiting. */
  mergeArrived(): void {
    while (this.queue[0]?.done === true) this.merge(this.queue.shift()!.outcome!);
  }

  /**
   * Waits until at most `left` batches are still being checked, and at most
   * 4 × left + 1 verdicts wait to be merged (0: everything merged). A worker
   * that is done gets its next batch even while an earlier batch, in another
   * worker, holds up the merge.
   */
  async settle(left: number): Promise<void> {
    this.mergeArrived();
    for (;;) {
      const busy = this.queue.filter((e) => !e.done);
      if (busy.length <= left && this.queue.length <= 4 * left + 1) return;
      await (busy.length > left ? Promise.race(busy.map((e) => e.settled)) : this.queue[0]!.settled);
      this.mergeArrived();
    }
  }

  private merge(outcome: Outcome): void {
    // Past the first failure nothing counts, not even a worker that died on a later batch.
    if (!this.healthy) return;
    if ('failed' in outcome) throw outcome.failed;
    if ('stop' in outcome) {
      this.formatError = outcome.stop(this.records);
      return;
    }
    const { verdict } = outcome;
    for (const e of verdict.errors) {
      if (verdict.malformed !== null && e.at >= verdict.malformed.at) break;
      if (this.errors.length >= this.maxErrors) {
        this.truncated = true;
        return;
      }
      this.errors.push({ record: this.records + e.at + 1, pointer: e.pointer, message: e.message });
    }
    if (verdict.malformed !== null) {
      const record = this.records + verdict.malformed.at + 1;
      this.formatError = new RecordFormatError(
        verdict.malformed.code,
        `record ${record} ${verdict.malformed.reason}`,
        record,
      );
      return;
    }
    this.records += verdict.records;
  }
}

export type Outcome =
  | { verdict: BatchVerdict }
  /** A format error found while batching; given the records before it, which only the verdicts know. */
  | { stop: (recordsBefore: number) => RecordFormatError }
  | { failed: unknown };
