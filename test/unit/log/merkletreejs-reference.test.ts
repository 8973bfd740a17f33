/**
 * Cross-check against an independent implementation: merkletreejs, set up to
 * be RFC 6962-compatible.
 *
 * - Leaves are given pre-hashed with our leafHash (0x00 prefix) and
 *   `hashLeaves: false`, so merkletreejs never hashes leaves itself.
 * - Interior nodes: merkletreejs calls the hash function with the
 *   concatenation left ‖ right, so the function prepends 0x01.
 * - `sortPairs: false` keeps left/right order (RFC 6962 is order-sensitive).
 * - Odd nodes: with `duplicateOdd: false` (the default) and no
 *   `isBitcoinTree`/`complete`/`fillDefaultHash`, merkletreejs carries a lone
 *   last node up to the next level unchanged. Building level by level from the
 *   left with that promotion yields exactly RFC 6962's "split at the largest
 *   power of two below n" tree for every n ≥ 1, and its getProof skips levels
 *   where the node has no sibling, which yields RFC 6962's audit path.
 * - What it cannot express: the empty tree. merkletreejs's root of zero leaves
 *   is an empty buffer, not SHA-256(""), so size 0 is compared only with our
 *   own emptyRoot.
 */

import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { MerkleTree } from 'merkletreejs';
import { describe, expect, it } from 'vitest';
import {
  emptyRoot,
  isInclusionValid,
  leafHash,
  proveRecord,
  treeHash,
} from '../../../src/domain/log/index.js';
import { MemoryHashStore } from './memory-hash-store.js';
import { ascii, vectorLeaves, vectors } from './tlog-vectors.js';

const rfc6962Node = (concatenated: Buffer): Buffer =>
  createHash('sha256').update(Buffer.of(0x01)).update(concatenated).digest();

function rfc6962Tree(leaves: readonly Uint8Array[]): MerkleTree {
  return new MerkleTree(
    leaves.map((leaf) => Buffer.from(leafHash(leaf))),
    rfc6962Node,
    { hashLeaves: false, sortPairs: false, sortLeaves: false, duplicateOdd: false, isBitcoinTree: false },
  );
}

describe('merkletreejs configured for RFC 6962', () => {
  it('agrees with every Go vector root, sizes 1..70', () => {
    for (let size = 1; size <= 70; size++) {
      const root = rfc6962Tree(vectorLeaves.slice(0, size)).getRoot().toString('base64');
      expect(root, `size ${size}`).toBe(vectors.roots_b64[size - 1]);
    }
  });

  it('cannot express the empty tree: its root of no leaves is empty, not SHA-256("")', () => {
    expect(rfc6962Tree([]).getRoot().length).toBe(0);
    expect(Buffer.from(emptyRoot()).toString('hex')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  const leaves = Array.from({ length: 1100 }, (_, i) => ascii(`independent-${i}`));
  const store = MemoryHashStore.withLeaves(leaves);

  it('agrees with our root and audit path for random sizes up to 1100', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1100 }).chain((size) => fc.tuple(fc.constant(size), fc.nat(size - 1))),
        ([size, index]) => {
          const tree = rfc6962Tree(leaves.slice(0, size));
          const root = treeHash(size, store);
          expect(tree.getRoot().equals(Buffer.from(root))).toBe(true);
          const theirs = tree.getProof(Buffer.from(leafHash(leaves[index]!)), index).map((step) => step.data);
          const ours = proveRecord(size, index, store);
          expect(theirs.map((b) => b.toString('base64'))).toEqual(
            ours.map((h) => Buffer.from(h).toString('base64')),
          );
          // And their proof, being ours, passes our verifier.
          expect(
            isInclusionValid(
              index,
              size,
              leafHash(leaves[index]!),
              theirs.map((b) => new Uint8Array(b)),
              root,
            ),
          ).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});
