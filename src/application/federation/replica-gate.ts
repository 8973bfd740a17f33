/**
 * What a mirror-witness's cosignature adds to the tlog-cosignature/v1
 * statement: "my own replica has replayed this log up to the checkpoint's
 * size, and its tree root and its state map root are the ones signed". The
 * witness asks this gate before it decides on consistency (witness.ts); a
 * checkpoint its mirror has not reached yet is refused for now (503), one
 * that its replica contradicts is refused for good, with the evidence kept
 * and the alert raised. A halted mirror vouches for nothing.
 */

import { type Checkpoint, encodeBase64, hashesEqual, stateMapRootOf } from '../../domain/log/index.js';
import type { AlertKind, FederationAlerts } from '../../infrastructure/federation/federation-alerts.js';
import type { ReplicaGate, ReplicaVouch } from '../../infrastructure/federation/witness.js';
import type { Sequencer } from '../../infrastructure/sequencer/sequencer.js';

/** How long a checkpoint waits for the mirror to reach its size before the witness says "not yet". */
const DEFAULT_REACH_WAIT_MS = 3000;
const REACH_POLL_MS = 20;

export interface ReplicaGateOptions {
  readonly sequencer: Sequencer;
  readonly alerts: FederationAlerts;
  readonly replication: { halted(): string | null; pollNow(): void };
  readonly reachWaitMs?: number;
}

export function replicaGate(options: ReplicaGateOptions): ReplicaGate {
  return {
    async vouch(checkpoint: Checkpoint, note: string): Promise<ReplicaVouch> {
      const halted = options.replication.halted();
      if (halted !== null)
        return { ok: false, status: 422, reason: `this mirror halted and vouches for nothing: ${halted}` };
      if (!(await reached(options, checkpoint.treeSize)))
        return {
          ok: false,
          status: 503,
          reason: `this mirror has not replayed the log up to size ${checkpoint.treeSize} yet; submit it again shortly`,
        };
      return compareWithReplica(options, checkpoint, note);
    },
  };
}

async function reached(options: ReplicaGateOptions, treeSize: number): Promise<boolean> {
  const deadline = Date.now() + (options.reachWaitMs ?? DEFAULT_REACH_WAIT_MS);
  if (options.sequencer.sequencedSize() < treeSize) options.replication.pollNow();
  while (options.sequencer.sequencedSize() < treeSize) {
    if (Date.now() >= deadline || options.replication.halted() !== null) return false;
    await new Promise((resolve) => setTimeout(resolve, REACH_POLL_MS));
  }
  return true;
}

/** The checkpoint's roots against this replica's own at the same size. */
function compareWithReplica(options: ReplicaGateOptions, checkpoint: Checkpoint, note: string): ReplicaVouch {
  const { sequencer } = options;
  const size = checkpoint.treeSize;
  const ownRoot = sequencer.rootAt(size);
  if (!hashesEqual(ownRoot, checkpoint.rootHash))
    return refuse(
      options,
      checkpoint,
      note,
      'split-view',
      `its tree root at size ${size} is not this mirror's ${encodeBase64(ownRoot)}`,
    );
  let signed: Uint8Array | null;
  try {
    signed = stateMapRootOf(checkpoint);
  } catch (error) {
    return refuse(options, checkpoint, note, 'map-root-mismatch', (error as Error).message);
  }
  const ownState = sequencer.stateRootAt(size);
  // A log that committed to its state may not stop: a checkpoint without the line vouches for no state.
  if (signed === null && ownState !== null && sequencer.committedToState())
    return refuse(
      options,
      checkpoint,
      note,
      'map-root-mismatch',
      `it carries no state map root, and this log's checkpoints commit to their state (this mirror's root at size ${size} is ${encodeBase64(ownState)})`,
    );
  if (signed !== null && ownState !== null && !hashesEqual(ownState, signed))
    return refuse(
      options,
      checkpoint,
      note,
      'map-root-mismatch',
      `its state map root at size ${size} is not this mirror's ${encodeBase64(ownState)}`,
    );
  return { ok: true };
}

function refuse(
  options: ReplicaGateOptions,
  checkpoint: Checkpoint,
  note: string,
  kind: AlertKind,
  detail: string,
): ReplicaVouch {
  options.alerts.record({
    source: 'witness',
    kind,
    origin: checkpoint.origin,
    detail: `refused to cosign: ${detail}`,
    cosigned: options.sequencer.latestCheckpoint()?.note ?? null,
    submitted: note,
    proof: [],
  });
  return { ok: false, status: 422, reason: `this mirror's replica contradicts the checkpoint: ${detail}` };
}
