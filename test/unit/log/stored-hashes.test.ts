import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emptyRoot,
  type HashReader,
  LogProofError,
  leafHash,
  MAX_STORED_TREE_SIZE,
  nodeHash,
  proveRecord,
  proveTree,
  splitStoredHashIndex,
  storedHashCount,
  storedHashes,
  storedHashIndex,
  treeHash,
} from '../../../src/domain/log/index.js';
import { MemoryHashStore } from './memory-hash-store.js';
import { consistency, mth, path } from './reference-merkle.js';
import { ascii, toB64, vectorLeaves, vectors } from './tlog-vectors.js';

const b64s = (hashes: readonly Uint8Array[]) => hashes.map(toB64);

function expectLogError(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LogProofError);
    expect((error as LogProofError).code).toBe(code);
    return;
  }
  expect.fail(`expected LogProofError ${code}`);
}

const store70 = MemoryHashStore.withLeaves(vectorLeaves);

describe('known answers from golang.org/x/mod/sumdb/tlog', () => {
  it('treeHash reproduces every root of the first k leaves, k = 1..70', () => {
    for (let k = 1; k <= vectors.roots_b64.length; k++) {
      expect(toB64(treeHash(k, store70)), `size ${k}`).toBe(vectors.roots_b64[k - 1]);
    }
  });

  it('proveRecord reproduces every Go inclusion proof', () => {
    for (const { index, size, proof_b64 } of vectors.inclusion) {
      expect(b64s(proveRecord(size, index, store70)), `index ${index} size ${size}`).toEqual(proof_b64 ?? []);
    }
  });

  it('proveTree reproduces every Go consistency proof', () => {
    for (const { old_size, size, proof_b64 } of vectors.consistency) {
      expect(b64s(proveTree(size, old_size, store70)), `${old_size} -> ${size}`).toEqual(proof_b64 ?? []);
    }
  });
});

describe('stored-hash layout', () => {
  it('storedHashIndex and splitStoredHashIndex are inverse (Go TestStoredHashIndex range)', () => {
    for (let level = 0; level < 10; level++) {
      for (let n = 0; n < 100; n++) {
        const index = storedHashIndex(level, n);
        expect(splitStoredHashIndex(index)).toEqual({ level, n });
      }
    }
  });

  it('matches the first slots of the layout: leaf 0, leaf 1, their parent, leaf 2, leaf 3, ...', () => {
    const order = [
      [0, 0],
      [0, 1],
      [1, 0],
      [0, 2],
      [0, 3],
      [1, 1],
      [2, 0],
      [0, 4],
    ];
    order.forEach(([level, n], index) => {
      expect(storedHashIndex(level!, n!)).toBe(index);
    });
  });

  it('storedHashCount equals the slots written by storedHashes for every size up to 300', () => {
    const store = new MemoryHashStore();
    expect(storedHashCount(0)).toBe(0);
    for (let n = 0; n < 300; n++) {
      store.appendLeaf(ascii(`x${n}`));
      expect(storedHashCount(n + 1)).toBe(store.storedCount);
    }
  });

  it('storedHashes writes 1 + trailingZeros(n + 1) hashes and reads only as many earlier ones', () => {
    const store = MemoryHashStore.withLeaves(vectorLeaves.slice(0, 63));
    store.resetCounters();
    const hashes = storedHashes(63, leafHash(ascii('leaf-63')), store);
    expect(hashes.length).toBe(1 + 6);
    expect(store.calls).toBe(1);
    expect(store.indexesRead).toBe(6);
    expect(toB64(hashes[6]!)).toBe(vectors.roots_b64[63]);
  });

  it('keeps indexes exact beyond 2^32 and up to a 2^52-leaf tree', () => {
    const big = 2 ** 40 + 12345;
    expect(splitStoredHashIndex(storedHashIndex(0, big))).toEqual({ level: 0, n: big });
    expect(splitStoredHashIndex(storedHashIndex(7, big))).toEqual({ level: 7, n: big });
    // The root of a full 2^52 tree is the last slot it uses: 2^53 - 2.
    expect(storedHashIndex(52, 0)).toBe(2 ** 53 - 2);
    expect(storedHashCount(MAX_STORED_TREE_SIZE)).toBe(2 ** 53 - 1);
  });

  it('refuses coordinates whose slot would not be a safe integer', () => {
    expectLogError(() => storedHashIndex(0, 2 ** 53), 'INDEX_OUT_OF_RANGE');
    expectLogError(() => storedHashIndex(60, 2 ** 20), 'INDEX_OUT_OF_RANGE');
    expectLogError(() => storedHashIndex(-1, 0), 'INDEX_OUT_OF_RANGE');
    expectLogError(() => storedHashIndex(0, 1.5), 'INDEX_OUT_OF_RANGE');
    expectLogError(() => splitStoredHashIndex(-1), 'INDEX_OUT_OF_RANGE');
    expectLogError(() => storedHashCount(MAX_STORED_TREE_SIZE + 1), 'SIZE_OUT_OF_RANGE');
  });
});

describe('tree sizes 0, 1, 2^k and 2^k ± 1', () => {
  const sizes = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257];
  const leaves = Array.from({ length: 257 }, (_, i) => ascii(`entry ${i}`));
  const hashes = leaves.map(leafHash);
  const store = MemoryHashStore.withLeaves(leaves);

  it.each(
    sizes,
  )('size %i: root, first/last inclusion proofs and consistency from every power of two', (size) => {
    const d = hashes.slice(0, size);
    store.resetCounters();
    expect(treeHash(size, store)).toEqual(mth(d));
    // One batch, at most one hash per complete subtree of the size's binary expansion.
    expect(store.calls).toBe(size === 0 ? 0 : 1);
    for (const index of size === 0 ? [] : [0, size - 1]) {
      expect(proveRecord(size, index, store)).toEqual(path(index, d));
    }
    for (let old = 1; old <= size; old *= 2) {
      expect(proveTree(size, old, store)).toEqual(consistency(old, d));
    }
  });

  it('size 0: the root is SHA-256 of the empty string, and no leaf has a proof', () => {
    expect(toB64(treeHash(0, store))).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
    expect(treeHash(0, store)).toEqual(emptyRoot());
    expectLogError(() => proveRecord(0, 0, store), 'INDEX_OUT_OF_RANGE');
  });

  it('size 1: the root is the leaf hash and the inclusion proof is empty', () => {
    expect(treeHash(1, store)).toEqual(hashes[0]);
    expect(proveRecord(1, 0, store)).toEqual([]);
  });

  it('consistency edge cases: n = t and n = 0 give empty proofs, n > t is refused', () => {
    expect(proveTree(17, 17, store)).toEqual([]);
    expect(proveTree(17, 0, store)).toEqual([]);
    expect(proveTree(0, 0, store)).toEqual([]);
    expectLogError(() => proveTree(16, 17, store), 'SIZE_OUT_OF_RANGE');
    expectLogError(() => proveTree(16, -1, store), 'SIZE_OUT_OF_RANGE');
  });

  it('inclusion edge cases: index = size, negative and fractional indexes are refused', () => {
    expectLogError(() => proveRecord(16, 16, store), 'INDEX_OUT_OF_RANGE');
    expectLogError(() => proveRecord(16, -1, store), 'INDEX_OUT_OF_RANGE');
    expectLogError(() => proveRecord(16, 0.5, store), 'INDEX_OUT_OF_RANGE');
    expectLogError(() => proveRecord(-1, 0, store), 'SIZE_OUT_OF_RANGE');
  });
});

describe('prover against the RFC 6962 transcription (fast-check)', () => {
  const leaves = Array.from({ length: 600 }, (_, i) => ascii(`p${i}`));
  const hashes = leaves.map(leafHash);
  const store = MemoryHashStore.withLeaves(leaves);

  it('root, audit path and consistency proof agree for random sizes, each in one O(log n) read', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 600 })
          .chain((size) => fc.tuple(fc.constant(size), fc.nat(size - 1), fc.integer({ min: 0, max: size }))),
        ([size, index, old]) => {
          const d = hashes.slice(0, size);
          const logBound = 2 * Math.ceil(Math.log2(size + 1)) + 2;
          store.resetCounters();
          expect(treeHash(size, store)).toEqual(mth(d));
          expect(proveRecord(size, index, store)).toEqual(path(index, d));
          expect(proveTree(size, old, store)).toEqual(consistency(old, d));
          expect(store.calls).toBeLessThanOrEqual(3);
          expect(store.indexesRead).toBeLessThanOrEqual(3 * logBound);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('a hostile or broken HashReader', () => {
  it('a short answer is refused instead of shifting hashes into the wrong positions', () => {
    const short: HashReader = { readHashes: (indexes) => indexes.slice(1).map(() => new Uint8Array(32)) };
    expectLogError(() => treeHash(3, short), 'HASH_READER');
    expectLogError(() => proveRecord(3, 0, short), 'HASH_READER');
  });

  it('a hash of the wrong size is refused', () => {
    const wrong: HashReader = { readHashes: (indexes) => indexes.map(() => new Uint8Array(31)) };
    expectLogError(() => treeHash(2, wrong), 'HASH_READER');
    expectLogError(() => storedHashes(1, new Uint8Array(32), wrong), 'HASH_READER');
  });

  it('storedHashes refuses a leaf hash that is not 32 bytes', () => {
    expectLogError(() => storedHashes(0, new Uint8Array(33), new MemoryHashStore()), 'HASH_SIZE');
  });
});

describe('a virtual 2^40-scale tree (every leaf identical, so any subtree hash is O(level))', () => {
  // Complete subtree hashes of a tree whose leaves are all the same: level L is H(level L-1, level L-1).
  const levels: Uint8Array[] = [leafHash(ascii('same'))];
  for (let l = 1; l <= 52; l++) levels.push(nodeHash(levels[l - 1]!, levels[l - 1]!));
  const virtual = {
    calls: 0,
    readHashes(indexes: readonly number[]) {
      this.calls++;
      return indexes.map((index) => levels[splitStoredHashIndex(index).level]!);
    },
  };

  it('roots and proofs at sizes past 2^32 agree with the closed form and stay O(log n)', () => {
    const size = 2 ** 40 + 2 ** 33 + 5;
    // Root: fold of the complete subtrees 2^40, 2^33, 4, 1 from the right.
    const expected = nodeHash(levels[40]!, nodeHash(levels[33]!, nodeHash(levels[2]!, levels[0]!)));
    expect(treeHash(size, virtual)).toEqual(expected);
    const proof = proveRecord(size, size - 1, virtual);
    expect(proof).toEqual([levels[2], levels[33], levels[40]]);
    const head = proveRecord(size, 0, virtual);
    expect(head.length).toBe(41);
    expect(proveTree(size, 2 ** 40, virtual)).toEqual([
      nodeHash(levels[33]!, nodeHash(levels[2]!, levels[0]!)),
    ]);
  });
});
