/**
 * The stored-hash layout of golang.org/x/mod/sumdb/tlog (after Crosby and
 * Wallach, "Efficient Data Structures for Tamper-Evident Logging", §3.3): every
 * complete subtree's hash gets one slot in a dense, append-only sequence, so a
 * log stores about two hashes per leaf, appends in O(1) amortised, and answers
 * any root or proof with one O(log n) batch read. Nothing here ever holds the
 * whole tree.
 *
 * Coordinates: (level, n) is the n-th complete subtree of 2^level leaves, i.e.
 * leaves [n·2^level, (n+1)·2^level). Level 0 is the leaf hashes.
 *
 * Index numbers are JS numbers. The layout uses slightly under two slots per
 * leaf, so tree sizes are capped at MAX_STORED_TREE_SIZE = 2^52 to keep every
 * index a safe integer.
 */

import { LogProofError } from './log-proof-error.js';
import { emptyRoot, HASH_SIZE, nodeHash, RFC6962_HASHER, type TreeHasher } from './rfc6962.js';
import { isTreeCount, largestPowerOfTwoBelow, shiftRight, trailingZeros } from './tree-math.js';

/** Largest tree whose every stored-hash index is still a safe integer. */
export const MAX_STORED_TREE_SIZE = 2 ** 52;

/**
 * Synchronous access to stored hashes (storage is SQLite via better-sqlite3).
 * Must return exactly one 32-byte hash per requested index, in request order.
 * Each call lists distinct slots, but not always sorted: proofs ask in
 * proof-construction order.
 */
export interface HashReader {
  readHashes(indexes: readonly number[]): Uint8Array[];
}

function checkTreeSize(n: number, what: string): void {
  if (!isTreeCount(n) || n > MAX_STORED_TREE_SIZE) {
    throw new LogProofError('SIZE_OUT_OF_RANGE', `${what} ${n} is not an integer in [0, 2^52]`);
  }
}

/**
 * Maps tree coordinates (level, n) to the slot in the dense stored-hash
 * sequence. A subtree's hash is written as soon as the subtree is complete:
 * right after the hash of its last leaf, (n+1)·2^level − 1, and after the
 * smaller subtrees that leaf completed. Leaf m's own hash is at
 * m + ⌊m/2⌋ + ⌊m/4⌋ + …
 *
 * Throws INDEX_OUT_OF_RANGE if the coordinates are not non-negative integers or
 * the slot would not be a safe integer.
 */
export function storedHashIndex(level: number, n: number): number {
  if (!Number.isInteger(level) || level < 0 || level > 63 || !isTreeCount(n)) {
    throw new LogProofError('INDEX_OUT_OF_RANGE', `no stored hash at level ${level}, index ${n}`);
  }
  // Work down to the last leaf under this subtree: level L's n-th hash follows leaf (n+1)·2^L − 1.
  let leaf = n;
  for (let l = level; l > 0; l--) leaf = 2 * leaf + 1;
  let index = 0;
  for (let m = leaf; m > 0; m = Math.floor(m / 2)) index += m;
  index += level;
  // Doubling past 2^53 loses precision silently, so refuse instead of returning a wrong slot.
  if (!Number.isSafeInteger(leaf) || !Number.isSafeInteger(index)) {
    throw new LogProofError(
      'INDEX_OUT_OF_RANGE',
      `stored hash index for level ${level}, index ${n} exceeds 2^53`,
    );
  }
  return index;
}

/**
 * Inverse of storedHashIndex: the (level, n) stored at a slot.
 * splitStoredHashIndex(storedHashIndex(level, n)) deep-equals { level, n }.
 */
export function splitStoredHashIndex(index: number): { level: number; n: number } {
  if (!isTreeCount(index)) {
    throw new LogProofError(
      'INDEX_OUT_OF_RANGE',
      `stored hash index ${index} is not a safe non-negative integer`,
    );
  }
  // storedHashIndex(0, n) < 2n, so the leaf whose append wrote this slot is in [index/2, index/2 + log2(index)].
  let leaf = Math.floor(index / 2);
  let leafIndex = storedHashIndex(0, leaf);
  for (;;) {
    // Appending leaf m writes 1 + trailingZeros(m + 1) hashes.
    const next = leafIndex + 1 + trailingZeros(leaf + 1);
    if (next > index) break;
    leaf++;
    leafIndex = next;
  }
  const level = index - leafIndex;
  return { level, n: shiftRight(leaf, level) };
}

/**
 * How many hashes are stored for a tree of n leaves: 0 for n = 0, then the
 * slots up to leaf n−1's hash plus the subtrees that leaf completed.
 */
export function storedHashCount(n: number): number {
  checkTreeSize(n, 'tree size');
  if (n === 0) return 0;
  let count = storedHashIndex(0, n - 1) + 1;
  // Each trailing one bit of n−1 is a subtree completed by the last leaf.
  for (let m = n - 1; m % 2 === 1; m = Math.floor(m / 2)) count++;
  return count;
}

function readExactly(reader: HashReader, indexes: readonly number[]): Uint8Array[] {
  if (indexes.length === 0) return [];
  const hashes = reader.readHashes(indexes);
  // A short or padded answer would silently shift every hash after it into the wrong tree position.
  if (hashes.length !== indexes.length) {
    throw new LogProofError(
      'HASH_READER',
      `readHashes(${indexes.length} indexes) returned ${hashes.length} hashes`,
    );
  }
  for (const hash of hashes) {
    if (hash.length !== HASH_SIZE) {
      throw new LogProofError('HASH_READER', `readHashes returned a ${hash.length}-byte hash`);
    }
  }
  return hashes;
}

/**
 * The hashes to store when appending leaf number n (0-based) whose leaf hash
 * is `leafHash`; store them at consecutive slots starting at
 * storedHashIndex(0, n). The first is the leaf hash itself, followed by one
 * hash per subtree that this leaf completes (one per trailing one bit of n),
 * so the count is 1 + trailingZeros(n + 1): 1 for even n, 2 on average.
 * Reads those same trailingZeros(n + 1) ≤ log2(n) earlier subtree hashes.
 * `hasher` computes the interior hashes (default: the pure RFC6962_HASHER).
 */
export function storedHashes(
  n: number,
  leafHash: Uint8Array,
  reader: HashReader,
  hasher: TreeHasher = RFC6962_HASHER,
): Uint8Array[] {
  checkTreeSize(n, 'leaf index');
  if (n >= MAX_STORED_TREE_SIZE) {
    throw new LogProofError('SIZE_OUT_OF_RANGE', `leaf index ${n} is beyond the stored-hash layout`);
  }
  if (leafHash.length !== HASH_SIZE) {
    throw new LogProofError('HASH_SIZE', `leaf hash is ${leafHash.length} bytes, expected ${HASH_SIZE}`);
  }
  const completed = trailingZeros(n + 1);
  // Left siblings of the subtrees this leaf completes, in increasing slot order (largest subtree first).
  const indexes: number[] = new Array(completed);
  for (let level = 0; level < completed; level++) {
    indexes[completed - 1 - level] = storedHashIndex(level, shiftRight(n, level) - 1);
  }
  const siblings = readExactly(reader, indexes);
  const hashes: Uint8Array[] = [leafHash.slice()];
  let hash: Uint8Array = leafHash;
  for (let level = 0; level < completed; level++) {
    hash = hasher.nodeHash(siblings[completed - 1 - level]!, hash);
    hashes.push(hash);
  }
  return hashes;
}

/** Slots of the maximal complete subtrees covering leaves [lo, hi), left to right. */
function subtreeIndexes(lo: number, hi: number, into: number[]): number[] {
  while (lo < hi) {
    const k = largestPowerOfTwoBelow(hi - lo + 1);
    const level = trailingZeros(k);
    into.push(storedHashIndex(level, lo / k));
    lo += k;
  }
  return into;
}

/** Number of slots subtreeIndexes(lo, hi) uses. */
function subtreeCount(lo: number, hi: number): number {
  let count = 0;
  while (lo < hi) {
    lo += largestPowerOfTwoBelow(hi - lo + 1);
    count++;
  }
  return count;
}

/**
 * Folds the hashes read for subtreeIndexes(lo, hi), starting at `at`, into the
 * hash of the (possibly incomplete) subtree [lo, hi). Each complete subtree is
 * the left child of the fold of those to its right, per RFC 6962's split.
 */
function subtreeHash(
  lo: number,
  hi: number,
  hashes: readonly Uint8Array[],
  at: number,
): [Uint8Array, number] {
  const count = subtreeCount(lo, hi);
  let hash = hashes[at + count - 1]!;
  for (let i = count - 2; i >= 0; i--) hash = nodeHash(hashes[at + i]!, hash);
  return [hash, at + count];
}

/**
 * The root hash of the tree of the first n leaves. One batch read of at most
 * 1 + log2(n) hashes. n = 0 gives the RFC 6962 empty root SHA-256("") (Go's
 * tlog returns an all-zero hash there; see rfc6962.emptyRoot).
 */
export function treeHash(n: number, reader: HashReader): Uint8Array {
  checkTreeSize(n, 'tree size');
  if (n === 0) return emptyRoot();
  const hashes = readExactly(reader, subtreeIndexes(0, n, []));
  return subtreeHash(0, n, hashes, 0)[0];
}

/** Slots needed to prove leaf n inside the subtree [lo, hi), in proof-construction order. */
function inclusionIndexes(lo: number, hi: number, n: number, into: number[]): number[] {
  if (lo + 1 === hi) return into;
  const k = largestPowerOfTwoBelow(hi - lo);
  if (n < lo + k) {
    inclusionIndexes(lo, lo + k, n, into);
    subtreeIndexes(lo + k, hi, into);
  } else {
    subtreeIndexes(lo, lo + k, into);
    inclusionIndexes(lo + k, hi, n, into);
  }
  return into;
}

function inclusionPath(
  lo: number,
  hi: number,
  n: number,
  hashes: readonly Uint8Array[],
  at: number,
  proof: Uint8Array[],
): number {
  if (lo + 1 === hi) return at;
  const k = largestPowerOfTwoBelow(hi - lo);
  let sibling: Uint8Array;
  if (n < lo + k) {
    at = inclusionPath(lo, lo + k, n, hashes, at, proof);
    [sibling, at] = subtreeHash(lo + k, hi, hashes, at);
  } else {
    [sibling, at] = subtreeHash(lo, lo + k, hashes, at);
    at = inclusionPath(lo + k, hi, n, hashes, at, proof);
  }
  // The audit path runs from the leaf's sibling up to the root's child, so the deeper part comes first.
  proof.push(sibling);
  return at;
}

/**
 * The RFC 6962 audit path (RFC 9162 §2.1.3.1) proving that leaf n is in the
 * tree of size t: sibling hashes from the leaf up to the root's child. One
 * batch read of O(log t) hashes (not in increasing slot order). The proof is
 * empty when t = 1. Throws INDEX_OUT_OF_RANGE unless 0 ≤ n < t.
 */
export function proveRecord(t: number, n: number, reader: HashReader): Uint8Array[] {
  checkTreeSize(t, 'tree size');
  if (!isTreeCount(n) || n >= t) {
    throw new LogProofError('INDEX_OUT_OF_RANGE', `leaf index ${n} is not in a tree of size ${t}`);
  }
  const hashes = readExactly(reader, inclusionIndexes(0, t, n, []));
  const proof: Uint8Array[] = [];
  inclusionPath(0, t, n, hashes, 0, proof);
  return proof;
}

/** Slots needed for the consistency sub-proof of old size n within the subtree [lo, hi). */
function consistencyIndexes(lo: number, hi: number, n: number, into: number[]): number[] {
  if (n === hi) {
    // The whole old tree: the verifier already holds its root.
    if (lo === 0) return into;
    return subtreeIndexes(lo, hi, into);
  }
  const k = largestPowerOfTwoBelow(hi - lo);
  if (n <= lo + k) {
    consistencyIndexes(lo, lo + k, n, into);
    subtreeIndexes(lo + k, hi, into);
  } else {
    subtreeIndexes(lo, lo + k, into);
    consistencyIndexes(lo + k, hi, n, into);
  }
  return into;
}

function consistencyPath(
  lo: number,
  hi: number,
  n: number,
  hashes: readonly Uint8Array[],
  at: number,
  proof: Uint8Array[],
): number {
  if (n === hi) {
    if (lo === 0) return at;
    const [hash, next] = subtreeHash(lo, hi, hashes, at);
    proof.push(hash);
    return next;
  }
  const k = largestPowerOfTwoBelow(hi - lo);
  let sibling: Uint8Array;
  if (n <= lo + k) {
    at = consistencyPath(lo, lo + k, n, hashes, at, proof);
    [sibling, at] = subtreeHash(lo + k, hi, hashes, at);
  } else {
    [sibling, at] = subtreeHash(lo, lo + k, hashes, at);
    at = consistencyPath(lo + k, hi, n, hashes, at, proof);
  }
  proof.push(sibling);
  return at;
}

/**
 * The RFC 6962 consistency proof (RFC 9162 §2.1.4.1) that the tree of size t
 * extends the tree of size n. One batch read of O(log t) hashes.
 * Edge cases: n = t gives an empty proof (the roots must simply be equal);
 * n = 0 gives an empty proof, since every tree extends the empty one (Go's
 * ProveTree refuses n = 0; RFC 9162 verifiers accept the empty proof).
 * Throws SIZE_OUT_OF_RANGE unless 0 ≤ n ≤ t.
 */
export function proveTree(t: number, n: number, reader: HashReader): Uint8Array[] {
  checkTreeSize(t, 'tree size');
  if (!isTreeCount(n) || n > t) {
    throw new LogProofError('SIZE_OUT_OF_RANGE', `old size ${n} is not between 0 and new size ${t}`);
  }
  if (n === 0 || n === t) return [];
  const hashes = readExactly(reader, consistencyIndexes(0, t, n, []));
  const proof: Uint8Array[] = [];
  consistencyPath(0, t, n, hashes, 0, proof);
  return proof;
}
