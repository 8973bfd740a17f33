/** Mirror lag as a primary sees it: its own log size minus the size each mirror says it verified. */

import type { MirrorSighting } from '../infrastructure/federation/mirror-probe.js';
import type { MirrorLag } from '../protocol/operations-status.js';

export function mirrorLags(sightings: readonly MirrorSighting[], logSize: number): MirrorLag[] {
  return sightings.map((s) => ({
    name: s.name,
    url: s.url,
    up: s.error === null && s.replicatedSize !== null,
    replicatedSize: s.replicatedSize,
    lagEntries: s.replicatedSize === null ? null : Math.max(0, logSize - s.replicatedSize),
    checkedAt: s.checkedAt,
    error: s.error,
  }));
}
