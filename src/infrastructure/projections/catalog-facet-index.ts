import type { Facet } from './catalog-facets.js';

/** One facet's values with how many matched entries have each, most frequent first. */
export interface FacetCount {
  readonly name: string;
  readonly count: number;
}

/**
 * The facet values of every published entry, in memory: per entry a run of
 * value ids in one slab (an Int32Array; `from`/`to` index it by seq), and one
 * dictionary of (facet, value) → id. Search uses it to filter what FTS5
 * matched and to count facets over all of it in one pass over typed arrays,
 * where SQL would aggregate ~8 facet rows per match. The read model keeps it
 * in step with directory_facets in the same apply() that writes the table
 * (so inside the projector's transaction, like the rows the same connection
 * reads), and loads it from the table on first use.
 */
export class FacetIndex {
  /** `${facet}\u0000${value}` → id. Ids are never reused: a value seen once keeps its id. */
  private readonly ids = new Map<string, number>();
  private readonly facetOf: Facet[] = [];
  private readonly valueOf: string[] = [];
  /** slab[from[seq] .. to[seq]) are the value ids of the published entry seq; from = -1 when not published. */
  private from = new Int32Array(1024).fill(-1);
  private to = new Int32Array(1024);
  private slab = new Int32Array(8192);
  private used = 0;
  /** Slab cells no entry points to any more (replaced or withdrawn); compacted once they are half. */
  private garbage = 0;
  private published = 0;
  /** One past the highest seq ever set. */
  private end = 0;
  private counts = new Int32Array(64);

  /** Sets (or replaces) the facet values of a published entry. */
  set(seq: number, pairs: readonly (readonly [Facet, string])[]): void {
    this.delete(seq);
    if (seq >= this.from.length) {
      let size = this.from.length;
      while (size <= seq) size *= 2;
      const from = new Int32Array(size).fill(-1);
      from.set(this.from);
      const to = new Int32Array(size);
      to.set(this.to);
      this.from = from;
      this.to = to;
    }
    if (this.used + pairs.length > this.slab.length) this.grow(pairs.length);
    this.from[seq] = this.used;
    for (const [facet, value] of pairs) this.slab[this.used++] = this.intern(facet, value);
    this.to[seq] = this.used;
    this.published++;
    this.end = Math.max(this.end, seq + 1);
  }

  /** The entry is no longer published (withdrawn, or about to be re-indexed). */
  delete(seq: number): void {
    if (seq >= this.from.length || this.from[seq]! < 0) return;
    this.garbage += this.to[seq]! - this.from[seq]!;
    this.from[seq] = -1;
    this.published--;
  }

  get size(): number {
    return this.published;
  }

  /** Seqs of every published entry, ascending. */
  all(): Int32Array {
    const out = new Int32Array(this.published);
    let n = 0;
    for (let seq = 0; seq < this.end; seq++) if (this.from[seq]! >= 0) out[n++] = seq;
    return out;
  }

  /**
   * The candidates that are published, not excluded, and have every filter
   * value. Both lists are ascending seqs (FTS5 returns rowids in order).
   */
  select(
    candidates: ArrayLike<number>,
    filters: readonly (readonly [Facet, string])[],
    excluded: ArrayLike<number> = EMPTY,
  ): Int32Array {
    const wanted: number[] = [];
    for (const [facet, value] of filters) {
      const id = this.ids.get(key(facet, value));
      // A value no entry has ever had: nothing can match.
      if (id === undefined) return new Int32Array(0);
      wanted.push(id);
    }
    const { from, to, slab } = this;
    const out = new Int32Array(candidates.length);
    let n = 0;
    let x = 0;
    next: for (let i = 0; i < candidates.length; i++) {
      const seq = candidates[i]!;
      if (seq >= this.end) continue;
      const start = from[seq]!;
      if (start < 0) continue;
      while (x < excluded.length && excluded[x]! < seq) x++;
      if (x < excluded.length && excluded[x] === seq) continue;
      const stop = to[seq]!;
      for (const id of wanted) {
        let found = false;
        for (let j = start; j < stop; j++) {
          if (slab[j] === id) {
            found = true;
            break;
          }
        }
        if (!found) continue next;
      }
      out[n++] = seq;
    }
    return out.subarray(0, n);
  }

  /**
   * Value counts of the given facets over the given published entries, most
   * frequent first (ties by name), at most `limit` per facet. Exact.
   */
  count(seqs: ArrayLike<number>, facets: readonly Facet[], limit: number): Map<Facet, FacetCount[]> {
    if (this.counts.length < this.valueOf.length) this.counts = new Int32Array(this.valueOf.length * 2);
    const { counts, from, to, slab } = this;
    for (let i = 0; i < seqs.length; i++) {
      const seq = seqs[i]!;
      if (seq >= this.end) continue;
      const start = from[seq]!;
      if (start < 0) continue;
      const stop = to[seq]!;
      for (let j = start; j < stop; j++) {
        const id = slab[j]!;
        counts[id] = counts[id]! + 1;
      }
    }
    const out = new Map<Facet, FacetCount[]>(facets.map((f) => [f, []]));
    for (let id = 0; id < this.valueOf.length; id++) {
      const n = counts[id]!;
      if (n === 0) continue;
      counts[id] = 0;
      out.get(this.facetOf[id]!)?.push({ name: this.valueOf[id]!, count: n });
    }
    for (const [facet, list] of out) {
      list.sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      out.set(facet, list.slice(0, limit));
    }
    return out;
  }

  /** Room for `more` cells: compacts when half the slab is garbage, else doubles it. */
  private grow(more: number): void {
    const live = this.used - this.garbage;
    let size = this.slab.length;
    while (live + more > size / 2) size *= 2;
    const slab = new Int32Array(size);
    let used = 0;
    for (let seq = 0; seq < this.end; seq++) {
      const start = this.from[seq]!;
      if (start < 0) continue;
      const stop = this.to[seq]!;
      slab.set(this.slab.subarray(start, stop), used);
      this.from[seq] = used;
      used += stop - start;
      this.to[seq] = used;
    }
    this.slab = slab;
    this.used = used;
    this.garbage = 0;
  }

  private intern(facet: Facet, value: string): number {
    const k = key(facet, value);
    let id = this.ids.get(k);
    if (id === undefined) {
      id = this.valueOf.length;
      this.ids.set(k, id);
      this.facetOf.push(facet);
      this.valueOf.push(value);
    }
    return id;
  }
}

const EMPTY = new Int32Array(0);

function key(facet: Facet, value: string): string {
  return `${facet}\u0000${value}`;
}
