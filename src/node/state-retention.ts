/**
 * Which versions of the state map stay provable. Proof bundles are built
 * under the largest checkpoint the witness quorum cosigned (final), or under
 * the latest one while finality is pending: those versions, and every one
 * after them, are kept. So that a long witness outage cannot keep every
 * version forever, at most RECENT_CHECKPOINTS of them are kept beyond the
 * final one; older ones are released (their pages pruned on the store's own
 * schedule).
 */

import type { NodeDatabase } from '../infrastructure/projections/node-database.js';
import type { Sequencer, StateCommitment } from '../infrastructure/sequencer/sequencer.js';
import type { StateMapStore } from '../infrastructure/state-map/state-map-store.js';
import type { Federation } from './federation.js';

const RECENT_CHECKPOINTS = 100;

/** The sequencer's view of the map: a root per tree size while that version is still kept. */
export function stateCommitment(stateMap: StateMapStore): StateCommitment {
  return {
    rootAt: (treeSize) =>
      treeSize >= stateMap.oldestVersion() && treeSize <= stateMap.currentVersion()
        ? stateMap.rootAt(treeSize)
        : null,
    retainVersion: (treeSize) => stateMap.retainVersion(treeSize),
  };
}

export function keepStateProvable(
  stateMap: StateMapStore,
  sequencer: Sequencer,
  federation: Federation,
  db: NodeDatabase,
): void {
  const recent: number[] = [];
  let scheduled = false;
  const release = () => {
    scheduled = false;
    // Scheduled before a shutdown that closed the database since: nothing to release any more.
    if (!db.open) return;
    const final = federation.log.finalTreeSize();
    const window = recent.length < RECENT_CHECKPOINTS ? 0 : recent[0]!;
    const floor = Math.max(Math.min(final, sequencer.latestCheckpoint()?.treeSize ?? 0), window);
    if (floor > stateMap.oldestVersion()) stateMap.releaseBefore(floor);
  };
  // Both are told inside the projector's transaction: the release runs after it, on its own.
  const later = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(release);
  };
  sequencer.onCheckpointServed((checkpoint) => {
    recent.push(checkpoint.treeSize);
    if (recent.length > RECENT_CHECKPOINTS) recent.shift();
    later();
  });
  federation.log.onFinal(later);
}
