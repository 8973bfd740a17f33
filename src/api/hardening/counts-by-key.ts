/**
 * How many of something each key holds at once: connections per client address
 * (connection-limits.ts), downloads per client address (load-shedding.ts), uploads per key
 * (uploads-per-key.ts). A key holding nothing is forgotten, so the map is as large as the
 * keys holding something now, not every key ever seen.
 */
export class CountsByKey {
  readonly #held = new Map<string, number>();

  held(key: string): number {
    return this.#held.get(key) ?? 0;
  }

  /** Counts one more for `key`; the returned release counts it back once, however often it is called. */
  add(key: string): () => void {
    this.#held.set(key, this.held(key) + 1);
    let counted = true;
    return () => {
      if (!counted) return;
      counted = false;
      const left = this.held(key) - 1;
      if (left <= 0) this.#held.delete(key);
      else this.#held.set(key, left);
    };
  }
}
