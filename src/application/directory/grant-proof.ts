import { encodeBase64, leafHash } from '../../domain/log/index.js';
import type { LogReader } from '../../infrastructure/sequencer/log-reader.js';
import { ProblemError } from '../problems/problem.js';

/** A checkpoint is signed within the seal interval: worth retrying about this soon. */
const RETRY_SECONDS = 1;

export interface IncludedLeaf {
  /** The leaf: RFC 8785 bytes of { type, stream, data, envelope } are what the tree hashed. */
  readonly entry: unknown;
  readonly leafIndex: number;
  readonly leafHash: string;
  readonly inclusionProof: string[];
}

/**
 * The inclusion proofs of a grant's events under the latest signed
 * checkpoint: the AccessGranted leaf (with the owner's signed command in its
 * envelope) and, when revoked, the AccessRevoked leaf. 503 PROOF_NOT_SEALED
 * until every one of them is sealed.
 */
export function grantProof(log: LogReader, positions: readonly (bigint | null)[]) {
  const checkpoint = log.latestCheckpoint();
  const leaves = positions.map((position) => {
    if (position === null) return null;
    const leafIndex = log.leafIndexForPosition(position);
    if (leafIndex === null || checkpoint === null || leafIndex >= checkpoint.treeSize) {
      throw new ProblemError(
        'PROOF_NOT_SEALED',
        'the grant is not under a signed checkpoint yet; retry shortly',
        {},
        RETRY_SECONDS,
      );
    }
    const record = log.entry(leafIndex)!;
    const included: IncludedLeaf = {
      entry: JSON.parse(new TextDecoder().decode(record.leaf)) as unknown,
      leafIndex,
      leafHash: encodeBase64(leafHash(record.leaf)),
      inclusionProof: log.inclusionProof(leafIndex, checkpoint.treeSize).map(encodeBase64),
    };
    return included;
  });
  return { treeSize: checkpoint!.treeSize, checkpoint: checkpoint!.note, leaves };
}
