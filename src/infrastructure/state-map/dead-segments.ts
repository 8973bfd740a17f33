/**
 * Dead page ids counted per segment (a run of consecutive ids), kept in
 * buckets by count so the densest segments come first without sorting.
 *
 * The store deletes dead pages a segment at a time, densest first
 * (state-map-store.ts). Sorting every segment with dead rows at each prune
 * cost time that grew with the file (some 31,000 segments at 1M keys, 1.3 µs
 * per update); a bucket move per dead id is constant work.
 */
export class DeadSegments {
  private readonly counts = new Map<number, number>();
  /** Segments by their count (insertion order within a count). */
  private readonly buckets = new Map<number, Set<number>>();
  private highest = 0;

  get size(): number {
    return this.counts.size;
  }

  /** Sets a segment's count (loading from the file). */
  load(segment: number, count: number): void {
    this.delete(segment);
    if (count > 0) this.place(segment, count);
  }

  /** One more dead id in `segment`. */
  add(segment: number): void {
    const count = this.counts.get(segment) ?? 0;
    if (count > 0) this.buckets.get(count)!.delete(segment);
    this.place(segment, count + 1);
  }

  delete(segment: number): void {
    const count = this.counts.get(segment);
    if (count === undefined) return;
    this.counts.delete(segment);
    this.buckets.get(count)!.delete(segment);
  }

  clear(): void {
    this.counts.clear();
    this.buckets.clear();
    this.highest = 0;
  }

  /** The segments, most dead ids first. Deleting the segment last yielded is allowed while iterating. */
  *densestFirst(): Generator<number> {
    for (let count = this.highest; count > 0; count--) {
      const bucket = this.buckets.get(count);
      // A Set's iterator skips what is deleted before it gets there, and the one just yielded may go.
      if (bucket !== undefined) yield* bucket;
    }
  }

  private place(segment: number, count: number): void {
    this.counts.set(segment, count);
    let bucket = this.buckets.get(count);
    if (bucket === undefined) {
      bucket = new Set();
      this.buckets.set(count, bucket);
    }
    bucket.add(segment);
    if (count > this.highest) this.highest = count;
  }
}
