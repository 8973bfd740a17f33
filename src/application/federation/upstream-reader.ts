/**
 * How a mirror reads one checkpoint's tree from an upstream: a consistency
 * proof from a smaller size, and the entries it lacks, each page verified
 * against the signed root before it is returned. Two ways: from C2SP
 * tlog-tiles (tiles-reader.ts, the default) or from the JSON read API
 * (entries-reader.ts, for upstreams older than tiles).
 */

import type { UpstreamEntry } from '../replay/entry-replay.js';

/** `tiles`: hash tiles and entry bundles; `entries`: /v1/log/entries and /v1/log/consistency. */
export type MirrorSync = 'tiles' | 'entries';

export interface UpstreamReader {
  /** The consistency proof from `oldSize` to the checkpoint, for the caller to verify against both roots. */
  consistencyProof(oldSize: number): Promise<Uint8Array[]>;
  /**
   * Entries from `start` (at least one, below the checkpoint's size), already checked against the
   * signed root. `unapplied` are the entries pulled before `start` that the mirror has not written yet.
   */
  page(start: number, unapplied: readonly UpstreamEntry[]): Promise<UpstreamEntry[]>;
  /** Resources downloaded so far (pages, or hash tiles and bundles). */
  readonly requests: number;
}
