/**
 * The batch tree of a bulk certification: an RFC 6962 Merkle tree whose
 * leaves are the records' 32-byte SHA-256 digests, so leaf hash =
 * SHA-256(0x00 ‖ digest) and node hash = SHA-256(0x01 ‖ left ‖ right), the
 * same hashing as the log itself. A record's place in its batch is then an
 * ordinary RFC 9162 inclusion proof against the batch root, which the
 * department signed.
 *
 * Pure: the server checks an uploaded digest list with it, and the citizen
 * page and `chancery verify` check a record's batch path with it.
 */

import { LogProofError } from './log-proof-error.js';
import { verifyInclusion } from './proof-verification.js';
import { emptyRoot, HASH_SIZE, leafHash, RFC6962_HASHER, type TreeHasher } from './rfc6962.js';
import { isTreeCount } from './tree-math.js';

/**
 * The leaf hash of one record in a batch tree: SHA-256(0x00 ‖ digest).
 * Throws HASH_SIZE unless the digest is 32 bytes: a batch certifies SHA-256
 * digests, and any other length would be a different kind of leaf.
 */
export function batchLeafHash(digest: Uint8Array): Uint8Array {
  if (!(digest instanceof Uint8Array) || digest.length !== HASH_SIZE) {
    throw new LogProofError('HASH_SIZE', `a batch leaf is a ${HASH_SIZE}-byte SHA-256 digest`);
  }
  return leafHash(digest);
}

/**
 * The RFC 6962 root of a growing list of leaf hashes, in O(log n) memory: it
 * keeps one hash per complete subtree (one per one bit of the count), merging
 * two equal subtrees as soon as the second is complete, and folds them right
 * to left at the end, which is RFC 6962's split at the largest power of two.
 * 100,000 leaves cost 17 held hashes, never the list.
 */
export class RootAccumulator {
  /** Roots of the complete subtrees, largest (leftmost) first. */
  private readonly subtrees: Uint8Array[] = [];
  private count = 0;

  /** The node hash comes from `hasher`: a node passes node:crypto's, which give the same bytes faster. */
  constructor(private readonly hasher: TreeHasher = RFC6962_HASHER) {}

  /** Number of leaves added so far. */
  get size(): number {
    return this.count;
  }

  /** Adds the next leaf hash. Throws HASH_SIZE unless it is 32 bytes. */
  add(leaf: Uint8Array): void {
    if (!(leaf instanceof Uint8Array) || leaf.length !== HASH_SIZE) {
      throw new LogProofError('HASH_SIZE', `a leaf hash must be ${HASH_SIZE} bytes`);
    }
    let hash = leaf;
    // Each trailing one bit of the old count is a complete subtree of the new leaf's size: merge it.
    for (let n = this.count; n % 2 === 1; n = Math.floor(n / 2)) {
      hash = this.hasher.nodeHash(this.subtrees.pop()!, hash);
    }
    this.subtrees.push(hash);
    this.count++;
  }

  /** The root of the leaves added so far; SHA-256("") for none (RFC 6962 §2.1). */
  root(): Uint8Array {
    if (this.subtrees.length === 0) return emptyRoot();
    let hash = this.subtrees[this.subtrees.length - 1]!;
    for (let i = this.subtrees.length - 2; i >= 0; i--) hash = this.hasher.nodeHash(this.subtrees[i]!, hash);
    return hash;
  }
}

/** The batch root over records' 32-byte digests, in order. Throws HASH_SIZE on a digest of another length. */
export function batchRoot(digests: Iterable<Uint8Array>): Uint8Array {
  const accumulator = new RootAccumulator();
  for (const digest of digests) accumulator.add(batchLeafHash(digest));
  return accumulator.root();
}

/**
 * Checks that the record with this 32-byte digest is leaf `index` of the batch
 * tree of `count` records whose root is `root`, with `path` its audit path
 * (the leaf's sibling first). Throws LogProofError: SIZE_OUT_OF_RANGE for a
 * count below 1, HASH_SIZE, INDEX_OUT_OF_RANGE, PROOF_LENGTH (checked before
 * any hashing), INCLUSION_PROOF_INVALID when the path leads elsewhere.
 */
export function verifyBatchPath(
  digest: Uint8Array,
  index: number,
  count: number,
  path: readonly Uint8Array[],
  root: Uint8Array,
): void {
  // An empty batch certifies nothing; a path "into" it must not be mistaken for a checked one.
  if (typeof count !== 'number' || !isTreeCount(count) || count < 1) {
    throw new LogProofError('SIZE_OUT_OF_RANGE', `a batch has at least one record, not ${count}`);
  }
  verifyInclusion(index, count, batchLeafHash(digest), path, root);
}
