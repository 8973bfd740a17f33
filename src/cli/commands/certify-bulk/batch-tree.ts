/**
 * The batch tree of `chancery certify-bulk`. The root it signs comes from
 * batchRootHex: one pass of node:crypto over the digests, keeping only the
 * tree's right edge (as src/domain/log/batch-tree.ts's RootAccumulator does). It
 * replaced merkletreejs in the hot path (issue 14): over 100,000 digests
 * merkletreejs took 2.2 s and the accumulator 0.9 s on the same (loaded)
 * machine, and merkletreejs holds every level, some 25 MB per 100,000
 * records, where the accumulator holds log2(count) hashes.
 *
 * buildBatchTree keeps merkletreejs as an independent cross-check (tests,
 * and the bulk benchmark's baseline), set up so that its tree is exactly RFC 6962's (and the node's, which checks it
 * with src/domain/log/batch-tree.ts):
 *
 * - leaves are given already hashed, SHA-256(0x00 ‖ digest), with
 *   `hashLeaves: false`, so merkletreejs never hashes a leaf itself;
 * - merkletreejs hashes an interior node by calling the hash function on
 *   left ‖ right, so the node hash function prepends 0x01;
 * - `sortPairs`/`sortLeaves` stay off (RFC 6962 is order-sensitive), and with
 *   `duplicateOdd`, `isBitcoinTree` and `complete` off a lone last node is
 *   carried up unchanged, which builds RFC 6962's "split at the largest power
 *   of two" tree for every size. test/unit/log/batch-tree.test.ts checks it
 *   against the Go vectors and against src/domain/log for many sizes.
 *
 * merkletreejs keeps every level in memory: about 2 × count Buffers of 32
 * bytes, some 25 MB for 100,000 records; the file contents are never held.
 */

import { createHash } from 'node:crypto';
import { MerkleTree } from 'merkletreejs';
import { DIGEST_SIZE, TreeEdge } from './tree-edge.js';

export { DIGEST_SIZE } from './tree-edge.js';

/** RFC 6962 leaf hash of a record's 32-byte digest: SHA-256(0x00 ‖ digest). */
export function rfc6962LeafHash(digest: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.of(0x00)).update(digest).digest();
}

/** RFC 6962 node hash as merkletreejs calls it, on left ‖ right: SHA-256(0x01 ‖ left ‖ right). */
export function rfc6962NodeHash(concatenated: Buffer): Buffer {
  return createHash('sha256').update(Buffer.of(0x01)).update(concatenated).digest();
}

/** The merkletreejs options that make its tree RFC 6962's; see the comment at the top. */
export const RFC6962_TREE_OPTIONS = {
  hashLeaves: false,
  sortPairs: false,
  sortLeaves: false,
  sort: false,
  duplicateOdd: false,
  isBitcoinTree: false,
  complete: false,
} as const;

/**
 * The batch tree over `count` digests packed end to end in `digests`
 * (count × 32 bytes, in record order). Throws RangeError when the buffer is
 * not exactly count digests, or count is below 1 (merkletreejs has no empty
 * tree that matches RFC 6962's).
 */
export function buildBatchTree(digests: Uint8Array, count: number): MerkleTree {
  if (!Number.isSafeInteger(count) || count < 1 || digests.length !== count * DIGEST_SIZE) {
    throw new RangeError(`expected ${count} digests of ${DIGEST_SIZE} bytes, got ${digests.length} bytes`);
  }
  const leaves: Buffer[] = new Array(count);
  for (let i = 0; i < count; i++) {
    leaves[i] = rfc6962LeafHash(digests.subarray(i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE));
  }
  return new MerkleTree(leaves, rfc6962NodeHash, RFC6962_TREE_OPTIONS);
}

/**
 * The lower-case hex batch root the department signs; the same RangeError as buildBatchTree on a bad
 * buffer. RootAccumulator's algorithm through node:crypto, hashes held as latin1 strings (tree-edge.ts).
 */
export function batchRootHex(digests: Uint8Array, count: number): string {
  if (!Number.isSafeInteger(count) || count < 1 || digests.length !== count * DIGEST_SIZE) {
    throw new RangeError(`expected ${count} digests of ${DIGEST_SIZE} bytes, got ${digests.length} bytes`);
  }
  const edge = new TreeEdge();
  edge.addLeaves(Buffer.from(digests.buffer, digests.byteOffset, digests.byteLength), 0, count);
  return Buffer.from(edge.root(), 'latin1').toString('hex');
}
