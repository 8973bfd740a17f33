/**
 * Verification of RFC 6962 inclusion and consistency proofs, following the
 * algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2. Everything passed in is
 * treated as hostile wire input: sizes and indexes are checked to be
 * non-negative safe integers in range, every hash to be a 32-byte Uint8Array,
 * and the proof to have exactly the length its sizes call for — all before
 * the first hash is computed, so a malformed proof costs no hashing.
 *
 * Two forms of each check:
 *  - `verifyInclusion` / `verifyConsistency` return nothing on success and
 *    throw LogProofError (the only error class here) with a precise code;
 *  - `isInclusionValid` / `isConsistencyValid` return a boolean and never
 *    throw, for callers that only need yes/no (e.g. the browser badge).
 */

import { LogProofError } from './log-proof-error.js';
import { emptyRoot, HASH_SIZE, hashesEqual, nodeHash } from './rfc6962.js';
import { bitLength, isTreeCount, popCount, shiftRight, trailingZeros, xor } from './tree-math.js';

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_SIZE;
}

function checkHash(value: unknown, what: string): asserts value is Uint8Array {
  // A short or long "hash" would be hashed as-is and could never match, or worse, shift bytes between nodes.
  if (!isHash(value)) {
    throw new LogProofError('HASH_SIZE', `${what} must be a ${HASH_SIZE}-byte Uint8Array`);
  }
}

function checkProof(proof: unknown, expectedLength: number): asserts proof is readonly Uint8Array[] {
  // Wire input may not even be an array; refuse it before indexing into it.
  if (!Array.isArray(proof)) {
    throw new LogProofError('PROOF_LENGTH', 'proof must be an array of hashes');
  }
  // Exact length up front: extra or missing hashes are rejected without spending any hashing on them.
  if (proof.length !== expectedLength) {
    throw new LogProofError('PROOF_LENGTH', `proof has ${proof.length} hashes, expected ${expectedLength}`);
  }
  proof.forEach((hash, i) => {
    checkHash(hash, `proof hash ${i}`);
  });
}

function checkSize(size: unknown, what: string): asserts size is number {
  // Beyond 2^53 the arithmetic below is inexact, and negatives or fractions are not sizes at all.
  if (typeof size !== 'number' || !isTreeCount(size)) {
    throw new LogProofError('SIZE_OUT_OF_RANGE', `${what} must be a non-negative safe integer`);
  }
}

/**
 * Number of hashes in the audit path of leaf `leafIndex` in a tree of
 * `treeSize` leaves (0 for a one-leaf tree): the levels where the leaf's path
 * and the last leaf's path diverge (inner), plus the right-border levels above.
 * Caller guarantees 0 ≤ leafIndex < treeSize.
 */
export function inclusionProofLength(leafIndex: number, treeSize: number): number {
  const inner = bitLength(xor(leafIndex, treeSize - 1));
  return inner + popCount(shiftRight(leafIndex, inner));
}

/**
 * Number of hashes in the consistency proof from `oldSize` to `newSize`:
 * 0 when the sizes are equal or oldSize is 0; otherwise the inclusion path of
 * leaf oldSize−1 above the old tree's largest complete right subtree, plus
 * that subtree's own hash unless it is the whole old tree (oldSize a power of 2).
 * Caller guarantees 0 ≤ oldSize ≤ newSize.
 */
export function consistencyProofLength(oldSize: number, newSize: number): number {
  if (oldSize === 0 || oldSize === newSize) return 0;
  const shift = trailingZeros(oldSize);
  const diverge = bitLength(xor(oldSize - 1, newSize - 1));
  const border = popCount(shiftRight(oldSize - 1, diverge));
  const seedInProof = oldSize === 2 ** shift ? 0 : 1;
  return seedInProof + (diverge - shift) + border;
}

/**
 * The root implied by an inclusion proof (RFC 9162 §2.1.3.2 steps 1–4).
 * Throws SIZE_OUT_OF_RANGE, INDEX_OUT_OF_RANGE, HASH_SIZE or PROOF_LENGTH on
 * malformed input; otherwise returns a root that the caller must compare.
 * treeSize 0 always fails (no leaf is in the empty tree).
 */
export function rootFromInclusionProof(
  leafIndex: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
): Uint8Array {
  checkSize(treeSize, 'tree size');
  // The index must name a leaf that exists in this tree; otherwise any path could be claimed for it.
  if (typeof leafIndex !== 'number' || !isTreeCount(leafIndex) || leafIndex >= treeSize) {
    throw new LogProofError(
      'INDEX_OUT_OF_RANGE',
      `leaf index ${leafIndex} is not in a tree of size ${treeSize}`,
    );
  }
  checkHash(leafHash, 'leaf hash');
  checkProof(proof, inclusionProofLength(leafIndex, treeSize));

  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of proof) {
    // Cannot happen after the exact-length check; kept because it is the RFC's own guard against overlong paths.
    if (sn === 0) throw new LogProofError('PROOF_LENGTH', 'proof is longer than the path to the root');
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        // fn is the last node of its level: climb past the levels where it has no right sibling.
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // Likewise unreachable after the length check: a short proof stops below the root.
  if (sn !== 0) throw new LogProofError('PROOF_LENGTH', 'proof is shorter than the path to the root');
  return r;
}

/**
 * Checks that `leafHash` is leaf number `leafIndex` of the tree of `treeSize`
 * leaves whose root is `root`. Throws LogProofError: input codes as for
 * rootFromInclusionProof, HASH_SIZE for the root, INCLUSION_PROOF_INVALID when
 * the well-formed proof leads elsewhere.
 */
export function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  checkHash(root, 'root');
  const computed = rootFromInclusionProof(leafIndex, treeSize, leafHash, proof);
  if (!hashesEqual(computed, root)) {
    throw new LogProofError(
      'INCLUSION_PROOF_INVALID',
      `inclusion proof for leaf ${leafIndex} does not match the root`,
    );
  }
}

/** verifyInclusion as a boolean; never throws. */
export function isInclusionValid(
  leafIndex: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  try {
    verifyInclusion(leafIndex, treeSize, leafHash, proof, root);
    return true;
  } catch (error) {
    if (error instanceof LogProofError) return false;
    throw error;
  }
}

/**
 * Checks that the tree of `newSize` leaves with root `newRoot` extends the
 * tree of `oldSize` leaves with root `oldRoot` (RFC 9162 §2.1.4.2).
 * Edge cases: oldSize = newSize needs an empty proof and equal roots;
 * oldSize = 0 needs an empty proof and oldRoot = SHA-256("") (stricter than
 * verifiers that ignore the old root there). Throws LogProofError:
 * SIZE_OUT_OF_RANGE, HASH_SIZE, PROOF_LENGTH, CONSISTENCY_PROOF_INVALID.
 */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  proof: readonly Uint8Array[],
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
): void {
  checkSize(oldSize, 'old size');
  checkSize(newSize, 'new size');
  // A log can only grow; a "consistency proof" towards a smaller tree would be a rollback.
  if (oldSize > newSize) {
    throw new LogProofError('SIZE_OUT_OF_RANGE', `old size ${oldSize} exceeds new size ${newSize}`);
  }
  checkHash(oldRoot, 'old root');
  checkHash(newRoot, 'new root');
  checkProof(proof, consistencyProofLength(oldSize, newSize));

  if (oldSize === newSize) {
    // Same size, no proof: the only consistent answer is the same root (anything else is a split view).
    if (!hashesEqual(oldRoot, newRoot)) {
      throw new LogProofError('CONSISTENCY_PROOF_INVALID', `two different roots for tree size ${oldSize}`);
    }
    return;
  }
  if (oldSize === 0) {
    // Every tree extends the empty tree, but the claimed empty root must still be the real one.
    if (!hashesEqual(oldRoot, emptyRoot())) {
      throw new LogProofError('CONSISTENCY_PROOF_INVALID', 'old root is not the empty-tree root');
    }
    return;
  }

  // Step 2: a power-of-two old tree is itself a complete subtree, so its root seeds the path.
  const path = oldSize === 2 ** trailingZeros(oldSize) ? [oldRoot, ...proof] : proof;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  // Step 4: skip the levels where the old tree's last node is a right child inside a complete subtree.
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    // Unreachable after the exact-length check; the RFC's guard against overlong proofs.
    if (sn === 0) throw new LogProofError('PROOF_LENGTH', 'proof is longer than the path to the root');
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new LogProofError('PROOF_LENGTH', 'proof is shorter than the path to the root');
  if (!hashesEqual(fr, oldRoot) || !hashesEqual(sr, newRoot)) {
    throw new LogProofError(
      'CONSISTENCY_PROOF_INVALID',
      `consistency proof from ${oldSize} to ${newSize} does not match the roots`,
    );
  }
}

/** verifyConsistency as a boolean; never throws. */
export function isConsistencyValid(
  oldSize: number,
  newSize: number,
  proof: readonly Uint8Array[],
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
): boolean {
  try {
    verifyConsistency(oldSize, newSize, proof, oldRoot, newRoot);
    return true;
  } catch (error) {
    if (error instanceof LogProofError) return false;
    throw error;
  }
}
