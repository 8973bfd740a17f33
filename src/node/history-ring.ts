/**
 * A fixed-size ring of samples for one node: one Float64Array per column,
 * allocated once, so a node's history costs the same memory on its first
 * minute as after a year (NaN stands for "unknown", null on the way out).
 */

import { HISTORY_FIELDS, type HistoryColumns, type HistoryField } from '../protocol/node-history.js';

export type HistorySample = Readonly<Record<HistoryField, number | null>>;

export class HistoryRing {
  private readonly times: Float64Array;
  private readonly columns: Record<HistoryField, Float64Array>;
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity ${capacity}: expected >= 1`);
    this.times = new Float64Array(capacity);
    this.columns = Object.fromEntries(HISTORY_FIELDS.map((f) => [f, new Float64Array(capacity)])) as Record<
      HistoryField,
      Float64Array
    >;
  }

  get length(): number {
    return this.size;
  }

  /** Adds a sample at `t` (Unix seconds), overwriting the oldest once full. */
  push(t: number, sample: HistorySample): void {
    this.times[this.next] = t;
    for (const f of HISTORY_FIELDS) this.columns[f][this.next] = sample[f] ?? Number.NaN;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** Every sample kept, oldest first, as columns. */
  columnsOldestFirst(): HistoryColumns {
    const start = (this.next - this.size + this.capacity) % this.capacity;
    const order = Array.from({ length: this.size }, (_, i) => (start + i) % this.capacity);
    const column = (values: Float64Array) => order.map((i) => (Number.isNaN(values[i]!) ? null : values[i]!));
    return {
      t: order.map((i) => this.times[i]!),
      ...(Object.fromEntries(HISTORY_FIELDS.map((f) => [f, column(this.columns[f])])) as Record<
        HistoryField,
        (number | null)[]
      >),
    };
  }
}
