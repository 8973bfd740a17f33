/**
 * The batch tree three ways, which must agree for every size: the node's pure
 * RootAccumulator (src/domain/log/batch-tree.ts), the stored-hash prover the
 * read model serves paths from, and merkletreejs exactly as `chancery
 * certify-bulk` configures it (src/cli/commands/certify-bulk/batch-tree.ts).
 * The Go vectors anchor all three to RFC 6962.
 */

import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { MerkleTree } from 'merkletreejs';
import { describe, expect, it } from 'vitest';
import {
  batchRootHex,
  buildBatchTree,
  RFC6962_TREE_OPTIONS,
  rfc6962LeafHash,
  rfc6962NodeHash,
} from '../../../src/cli/commands/certify-bulk/batch-tree.js';
import {
  batchLeafHash,
  batchRoot,
  emptyRoot,
  LogProofError,
  leafHash,
  proveRecord,
  RootAccumulator,
  treeHash,
  verifyBatchPath,
} from '../../../src/domain/log/index.js';
import { MemoryHashStore } from './memory-hash-store.js';
import { mth, path as referencePath } from './reference-merkle.js';
import { toB64, vectorLeaves, vectors } from './tlog-vectors.js';

const digestOf = (i: number): Uint8Array =>
  new Uint8Array(createHash('sha256').update(`record-${i}`).digest());

function packed(digests: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(digests.length * 32);
  digests.forEach((d, i) => {
    out.set(d, i * 32);
  });
  return out;
}

const DIGESTS = Array.from({ length: 1100 }, (_, i) => digestOf(i));
/** The same records as log leaves: a MemoryHashStore hashes each with 0x00, as the batch tree does. */
const STORE = MemoryHashStore.withLeaves(DIGESTS);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof LogProofError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('RootAccumulator', () => {
  it('agrees with every Go vector root, sizes 1..70', () => {
    const accumulator = new RootAccumulator();
    vectorLeaves.forEach((leaf, i) => {
      accumulator.add(leafHash(leaf));
      expect(toB64(accumulator.root()), `size ${i + 1}`).toBe(vectors.roots_b64[i]);
    });
  });

  it('is the RFC 6962 empty root before any leaf', () => {
    expect(new RootAccumulator().root()).toEqual(emptyRoot());
    expect(batchRoot([])).toEqual(emptyRoot());
  });

  it('agrees with the stored-hash tree and the RFC transcription at every size 1..1100', () => {
    const accumulator = new RootAccumulator();
    DIGESTS.forEach((digest, i) => {
      accumulator.add(batchLeafHash(digest));
      const size = i + 1;
      expect(accumulator.size).toBe(size);
      expect(accumulator.root(), `size ${size}`).toEqual(treeHash(size, STORE));
    });
    // One independent oracle check at sizes around powers of two, where the split changes.
    for (const size of [1, 2, 3, 63, 64, 65, 127, 128, 129, 1023, 1024, 1025]) {
      expect(batchRoot(DIGESTS.slice(0, size)), `size ${size}`).toEqual(
        mth(DIGESTS.slice(0, size).map(batchLeafHash)),
      );
    }
  });

  it('refuses a leaf hash that is not 32 bytes', () => {
    expect(codeOf(() => new RootAccumulator().add(new Uint8Array(31)))).toBe('HASH_SIZE');
    expect(codeOf(() => batchLeafHash(new Uint8Array(33)))).toBe('HASH_SIZE');
    expect(codeOf(() => batchRoot([new Uint8Array(32), new Uint8Array(20)]))).toBe('HASH_SIZE');
  });
});

describe('merkletreejs as certify-bulk configures it', () => {
  it('agrees with every Go vector root, sizes 1..70', () => {
    for (let size = 1; size <= 70; size++) {
      const leaves = vectorLeaves.slice(0, size).map((l) => Buffer.from(leafHash(l)));
      const root = new MerkleTree(leaves, rfc6962NodeHash, RFC6962_TREE_OPTIONS).getRoot();
      expect(root.toString('base64'), `size ${size}`).toBe(vectors.roots_b64[size - 1]);
    }
  });

  it('builds the root the node recomputes, for every batch size 1..70 and around powers of two', () => {
    const sizes = [...Array.from({ length: 70 }, (_, i) => i + 1), 127, 128, 129, 255, 256, 257, 1024, 1100];
    for (const size of sizes) {
      const digests = DIGESTS.slice(0, size);
      expect(batchRootHex(packed(digests), size), `size ${size}`).toBe(
        Buffer.from(batchRoot(digests)).toString('hex'),
      );
    }
  });

  it('signs the root merkletreejs builds (batchRootHex no longer uses it), around powers of two', () => {
    for (const size of [1, 2, 3, 63, 64, 65, 511, 512, 513, 1100]) {
      const list = packed(DIGESTS.slice(0, size));
      expect(batchRootHex(list, size), `size ${size}`).toBe(
        buildBatchTree(list, size).getRoot().toString('hex'),
      );
    }
  });

  it('hashes leaves with 0x00 and nodes with 0x01, like the domain', () => {
    const d = DIGESTS[0]!;
    expect(new Uint8Array(rfc6962LeafHash(d))).toEqual(batchLeafHash(d));
    const both = Buffer.concat([Buffer.from(DIGESTS[1]!), Buffer.from(DIGESTS[2]!)]);
    expect(rfc6962NodeHash(both).toString('hex')).toBe(
      createHash('sha256').update(Buffer.of(1)).update(both).digest('hex'),
    );
  });

  it('gives the audit path the node serves, so either side could prove a record', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1100 }).chain((size) => fc.tuple(fc.constant(size), fc.nat(size - 1))),
        ([size, index]) => {
          const tree = buildBatchTree(packed(DIGESTS.slice(0, size)), size);
          const theirs = tree.getProof(rfc6962LeafHash(DIGESTS[index]!), index).map((p) => p.data);
          const ours = proveRecord(size, index, STORE);
          expect(theirs.map((b) => b.toString('base64'))).toEqual(ours.map(toB64));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses a digest buffer that is not count × 32 bytes, and the empty batch', () => {
    expect(() => buildBatchTree(new Uint8Array(63), 2)).toThrow(RangeError);
    expect(() => buildBatchTree(new Uint8Array(0), 0)).toThrow(RangeError);
    expect(() => batchRootHex(new Uint8Array(63), 2)).toThrow(RangeError);
    expect(() => batchRootHex(new Uint8Array(0), 0)).toThrow(RangeError);
  });
});

describe('verifyBatchPath', () => {
  it('accepts the stored-hash path of every record of a 1..300 record batch', () => {
    for (let count = 1; count <= 300; count++) {
      const root = treeHash(count, STORE);
      for (const index of new Set([0, count >> 1, count - 1])) {
        verifyBatchPath(DIGESTS[index]!, index, count, proveRecord(count, index, STORE), root);
      }
    }
  });

  it('agrees with the RFC transcription of PATH', () => {
    const leaves = DIGESTS.slice(0, 77).map(batchLeafHash);
    expect(proveRecord(77, 41, STORE)).toEqual(referencePath(41, leaves));
  });

  const count = 1000;
  const index = 613;
  const root = treeHash(count, STORE);
  const path = proveRecord(count, index, STORE);

  it('refuses another digest, another index, an altered path and another root', () => {
    expect(codeOf(() => verifyBatchPath(DIGESTS[614]!, index, count, path, root))).toBe(
      'INCLUSION_PROOF_INVALID',
    );
    expect(codeOf(() => verifyBatchPath(DIGESTS[index]!, 612, count, path, root))).toBe(
      'INCLUSION_PROOF_INVALID',
    );
    const altered = path.map((h) => h.slice());
    altered[3]![0]! ^= 1;
    expect(codeOf(() => verifyBatchPath(DIGESTS[index]!, index, count, altered, root))).toBe(
      'INCLUSION_PROOF_INVALID',
    );
    expect(codeOf(() => verifyBatchPath(DIGESTS[index]!, index, count, path, treeHash(999, STORE)))).toBe(
      'INCLUSION_PROOF_INVALID',
    );
  });

  it('refuses hostile shapes before hashing: empty batch, index past the end, wrong lengths', () => {
    expect(codeOf(() => verifyBatchPath(DIGESTS[0]!, 0, 0, [], emptyRoot()))).toBe('SIZE_OUT_OF_RANGE');
    expect(codeOf(() => verifyBatchPath(DIGESTS[0]!, count, count, path, root))).toBe('INDEX_OUT_OF_RANGE');
    expect(codeOf(() => verifyBatchPath(DIGESTS[0]!, index, count, path.slice(1), root))).toBe(
      'PROOF_LENGTH',
    );
    expect(codeOf(() => verifyBatchPath(new Uint8Array(31), index, count, path, root))).toBe('HASH_SIZE');
  });

  it('a one-record batch has an empty path and its root is the leaf hash', () => {
    verifyBatchPath(DIGESTS[5]!, 0, 1, [], batchLeafHash(DIGESTS[5]!));
    expect(batchRoot([DIGESTS[5]!])).toEqual(batchLeafHash(DIGESTS[5]!));
  });
});
