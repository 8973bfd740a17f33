/**
 * Watches the log being sealed, on real time whatever clock the node signs
 * with: how long the oldest unsealed leaf waited for its checkpoint (the seal
 * latency histogram), how old the newest checkpoint is, and a "seal slow"
 * warning when a leaf waited longer than the operator should accept.
 */

import type { Histogram, MetricsRegistry } from '../infrastructure/metrics/metrics-registry.js';
import type { Sequencer } from '../infrastructure/sequencer/sequencer.js';

/** Seal latencies: the interval is 300 ms by default, a loaded node takes seconds. */
const RECENT = 512;
const SEAL_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export interface SealWatchOptions {
  readonly sequencer: Sequencer;
  readonly metrics: MetricsRegistry;
  /** A leaf waiting longer than this for its checkpoint is reported (default 10 × the seal interval, ≥ 5 s). */
  readonly slowAfterMs: number;
  readonly onSlow: (waitedMs: number, treeSize: number) => void;
}

export class SealWatch {
  private readonly latency: Histogram;
  /** Real time the oldest leaf not yet under a checkpoint was sequenced, or null when all are sealed. */
  private unsealedSince: number | null = null;
  private lastCheckpointAt = Date.now();
  /** The latest seal latencies (ms), bounded: enough for a stable p99 on the console. */
  private readonly recent: number[] = [];

  constructor(private readonly options: SealWatchOptions) {
    this.latency = options.metrics.histogram(
      'chancery_seal_latency_seconds',
      'Time from the oldest unsealed leaf being sequenced to the checkpoint covering it.',
      { buckets: SEAL_BUCKETS_SECONDS },
    );
    options.sequencer.onSequenced(() => {
      this.unsealedSince ??= Date.now();
    });
    options.sequencer.onCheckpointServed((checkpoint) => this.served(checkpoint.treeSize));
  }

  /** How long a leaf may wait for its checkpoint before it counts as slow (and the checkpoint as stale). */
  get slowAfterMs(): number {
    return this.options.slowAfterMs;
  }

  checkpointAgeSeconds(): number {
    return (Date.now() - this.lastCheckpointAt) / 1000;
  }

  /** p50 and p99 of the latest seal latencies in ms, or null before the first seal. */
  percentilesMs(): { p50: number; p99: number } | null {
    if (this.recent.length === 0) return null;
    const sorted = [...this.recent].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    return { p50: at(0.5), p99: at(0.99) };
  }

  /** Milliseconds the oldest unsealed leaf has waited so far, or 0. */
  waitingMs(): number {
    return this.unsealedSince === null ? 0 : Date.now() - this.unsealedSince;
  }

  private served(treeSize: number): void {
    const now = Date.now();
    this.lastCheckpointAt = now;
    if (this.unsealedSince === null) return;
    const waited = now - this.unsealedSince;
    this.latency.observe(waited / 1000);
    this.recent.push(waited);
    if (this.recent.length > RECENT) this.recent.shift();
    if (waited > this.options.slowAfterMs) this.options.onSlow(waited, treeSize);
    // Leaves sequenced after this checkpoint was signed wait from now on (close enough for a histogram).
    this.unsealedSince = treeSize >= this.options.sequencer.sequencedSize() ? null : now;
  }
}
