import { canonicalBytes } from '../canonical/canonical-json.js';
import {
  type Checkpoint,
  LogProofError,
  leafHash,
  parseCheckpoint,
  parseNote,
  verifyInclusion,
} from '../log/index.js';
import type { CheckpointedBundle } from './checkpoint-step.js';
import type { IncludedEntry, LogEntry } from './proof-bundle.js';
import type { VerificationStep } from './verification-report.js';
import { decodeHashes, ensure, StepFailure, step } from './verification-step.js';

/** The checkpoint body, read (not yet verified) so inclusion can be checked against its root. */
export function readCheckpoint(bundle: CheckpointedBundle): Checkpoint {
  const cp = parseCheckpoint(parseNote(bundle.checkpoint).text);
  ensure(
    cp.treeSize === bundle.treeSize,
    `the bundle says the log has ${bundle.treeSize} entries, the checkpoint says ${cp.treeSize}`,
  );
  return cp;
}

export function checkIncluded(
  entry: LogEntry,
  leafIndex: number,
  proof: readonly string[],
  cp: Checkpoint,
  what: string,
) {
  // The leaf is the RFC 8785 form of the entry: re-encoding it is how the bytes the log hashed are recovered.
  const hash = leafHash(canonicalBytes(entry));
  try {
    verifyInclusion(leafIndex, cp.treeSize, hash, decodeHashes(proof, what), cp.rootHash);
  } catch (error) {
    if (error instanceof LogProofError && error.code === 'INCLUSION_PROOF_INVALID') {
      throw new StepFailure(
        `the ${what} does not lead to the checkpoint's root: the entry or the proof was altered`,
      );
    }
    throw error;
  }
}

export function inclusionStep(bundle: CheckpointedBundle & IncludedEntry): VerificationStep {
  return step('inclusion', () => {
    const cp = readCheckpoint(bundle);
    checkIncluded(bundle.entry, bundle.leafIndex, bundle.inclusionProof, cp, 'inclusion proof');
    const what = bundle.entry.type === 'BatchCertified' ? "The record's batch" : 'The certification';
    return `${what} is entry ${bundle.leafIndex} of the ${cp.treeSize} entries in the checkpoint's log tree.`;
  });
}
