/**
 * Signatures seen within the clock-skew window. A signed request replayed
 * while its `created` is still acceptable is refused; once `created` is out of
 * the window the skew check refuses it anyway, so entries can be forgotten
 * then. Bounded: when full of unexpired entries it refuses new ones rather
 * than forgetting an entry that could then be replayed.
 */
export class ReplayCache {
  private readonly seen = new Map<string, number>();

  constructor(
    /** How long an entry must be kept: twice the allowed skew covers created in the past and the future. */
    private readonly ttlMs: number,
    private readonly maxEntries = 200_000,
  ) {}

  /** 'fresh' records the key; 'replayed' when it was seen; 'full' when nothing could be forgotten. */
  remember(key: string, now: number): 'fresh' | 'replayed' | 'full' {
    this.prune(now);
    if (this.seen.has(key)) return 'replayed';
    if (this.seen.size >= this.maxEntries) return 'full';
    this.seen.set(key, now + this.ttlMs);
    return 'fresh';
  }

  get size(): number {
    return this.seen.size;
  }

  private prune(now: number): void {
    // Insertion order is expiry order (constant ttl, monotonic enough clock), so stop at the first live one.
    for (const [key, expiry] of this.seen) {
      if (expiry > now) return;
      this.seen.delete(key);
    }
  }
}
