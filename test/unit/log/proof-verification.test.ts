import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  consistencyProofLength,
  emptyRoot,
  inclusionProofLength,
  isConsistencyValid,
  isInclusionValid,
  LogProofError,
  leafHash,
  proveRecord,
  proveTree,
  rootFromInclusionProof,
  treeHash,
  verifyConsistency,
  verifyInclusion,
} from '../../../src/domain/log/index.js';
import { MemoryHashStore } from './memory-hash-store.js';
import { ascii, fromB64, vectorLeaves, vectors } from './tlog-vectors.js';

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

const flipBit = (bytes: Uint8Array, byte: number, bit: number): Uint8Array => {
  const copy = bytes.slice();
  copy[byte] = copy[byte]! ^ (1 << bit);
  return copy;
};

const root = (size: number) => fromB64(vectors.roots_b64[size - 1]!);

describe('known answers from golang.org/x/mod/sumdb/tlog', () => {
  it('accepts every Go inclusion proof', () => {
    for (const { index, size, proof_b64 } of vectors.inclusion) {
      const proof = (proof_b64 ?? []).map(fromB64);
      const hash = leafHash(vectorLeaves[index]!);
      expect(() => verifyInclusion(index, size, hash, proof, root(size))).not.toThrow();
      expect(rootFromInclusionProof(index, size, hash, proof)).toEqual(root(size));
    }
  });

  it('accepts every Go consistency proof', () => {
    for (const { old_size, size, proof_b64 } of vectors.consistency) {
      const proof = (proof_b64 ?? []).map(fromB64);
      expect(() => verifyConsistency(old_size, size, proof, root(old_size), root(size))).not.toThrow();
    }
  });
});

// Built once: a 300-leaf store holds every smaller tree too, because the layout is append-only.
const MAX = 300;
const leaves = Array.from({ length: MAX }, (_, i) => ascii(`entry-${i}`));
const hashes = leaves.map(leafHash);
const store = MemoryHashStore.withLeaves(leaves);
const roots = [emptyRoot(), ...Array.from({ length: MAX }, (_, i) => treeHash(i + 1, store))];

describe('every tree up to 300 leaves', () => {
  it('every leaf of every size has an inclusion proof of the predicted length that verifies', () => {
    for (let size = 1; size <= MAX; size++) {
      for (let index = 0; index < size; index++) {
        const proof = proveRecord(size, index, store);
        expect(proof.length).toBe(inclusionProofLength(index, size));
        expect(isInclusionValid(index, size, hashes[index]!, proof, roots[size]!)).toBe(true);
      }
    }
  });

  it('every pair of sizes 0 ≤ m ≤ n ≤ 300 has a consistency proof that verifies', () => {
    for (let n = 0; n <= MAX; n++) {
      for (let m = 0; m <= n; m++) {
        const proof = proveTree(n, m, store);
        expect(proof.length).toBe(consistencyProofLength(m, n));
        expect(isConsistencyValid(m, n, proof, roots[m]!, roots[n]!)).toBe(true);
      }
    }
  });
});

const sizeAndIndex = fc
  .integer({ min: 1, max: MAX })
  .chain((size) => fc.tuple(fc.constant(size), fc.nat(size - 1)));
const sizePair = fc
  .integer({ min: 1, max: MAX })
  .chain((n) => fc.tuple(fc.integer({ min: 1, max: n }), fc.constant(n)));

describe('tampering (fast-check)', () => {
  it('flipping any bit of any proof hash breaks an inclusion proof', () => {
    fc.assert(
      fc.property(
        sizeAndIndex.filter(([size]) => size > 1),
        fc.nat(),
        fc.nat(31),
        fc.nat(7),
        ([size, index], p, byte, bit) => {
          const proof = proveRecord(size, index, store);
          const at = p % proof.length;
          const forged = proof.map((h, i) => (i === at ? flipBit(h, byte, bit) : h));
          expectLogError(
            () => verifyInclusion(index, size, hashes[index]!, forged, roots[size]!),
            'INCLUSION_PROOF_INVALID',
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('flipping any bit of the root or the leaf hash breaks an inclusion proof', () => {
    fc.assert(
      fc.property(sizeAndIndex, fc.nat(31), fc.nat(7), fc.boolean(), ([size, index], byte, bit, inRoot) => {
        const proof = proveRecord(size, index, store);
        const leaf = inRoot ? hashes[index]! : flipBit(hashes[index]!, byte, bit);
        const rootHash = inRoot ? flipBit(roots[size]!, byte, bit) : roots[size]!;
        expect(isInclusionValid(index, size, leaf, proof, rootHash)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('a proof for one leaf does not verify another leaf, nor the same leaf at another index', () => {
    fc.assert(
      fc.property(sizeAndIndex, fc.nat(MAX - 1), ([size, index], other) => {
        fc.pre(other !== index);
        const proof = proveRecord(size, index, store);
        expect(isInclusionValid(index, size, hashes[other]!, proof, roots[size]!)).toBe(false);
        if (other < size)
          expect(isInclusionValid(other, size, hashes[index]!, proof, roots[size]!)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('flipping any bit of a consistency proof hash or of either root breaks the proof', () => {
    fc.assert(
      fc.property(
        sizePair,
        fc.nat(),
        fc.nat(31),
        fc.nat(7),
        fc.constantFrom('proof', 'old', 'new'),
        ([m, n], p, byte, bit, target) => {
          const proof = proveTree(n, m, store);
          fc.pre(target !== 'proof' || proof.length > 0);
          const at = p % Math.max(proof.length, 1);
          const forged =
            target === 'proof' ? proof.map((h, i) => (i === at ? flipBit(h, byte, bit) : h)) : proof;
          const oldRoot = target === 'old' ? flipBit(roots[m]!, byte, bit) : roots[m]!;
          const newRoot = target === 'new' ? flipBit(roots[n]!, byte, bit) : roots[n]!;
          expectLogError(
            () => verifyConsistency(m, n, forged, oldRoot, newRoot),
            'CONSISTENCY_PROOF_INVALID',
          );
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a proof of one length too many or too few is rejected as PROOF_LENGTH', () => {
    fc.assert(
      fc.property(sizeAndIndex, sizePair, fc.boolean(), ([size, index], [m, n], longer) => {
        const inclusion = proveRecord(size, index, store);
        const badInclusion = longer ? [...inclusion, hashes[0]!] : inclusion.slice(1);
        fc.pre(badInclusion.length !== inclusion.length);
        expectLogError(
          () => verifyInclusion(index, size, hashes[index]!, badInclusion, roots[size]!),
          'PROOF_LENGTH',
        );
        const tree = proveTree(n, m, store);
        const badTree = longer ? [roots[m]!, ...tree] : tree.slice(1);
        if (badTree.length !== tree.length) {
          expectLogError(() => verifyConsistency(m, n, badTree, roots[m]!, roots[n]!), 'PROOF_LENGTH');
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('hostile input to verifyInclusion', () => {
  const proof = proveRecord(7, 3, store);
  const leaf = hashes[3]!;
  const r7 = roots[7]!;

  it('index equal to the size is refused (a leaf that does not exist yet)', () => {
    expectLogError(() => verifyInclusion(7, 7, leaf, proof, r7), 'INDEX_OUT_OF_RANGE');
  });

  it('negative, fractional, NaN and unsafe indexes are refused', () => {
    for (const index of [-1, 1.5, Number.NaN, 2 ** 53]) {
      expectLogError(() => verifyInclusion(index, 7, leaf, proof, r7), 'INDEX_OUT_OF_RANGE');
    }
  });

  it('negative, fractional and unsafe sizes are refused', () => {
    for (const size of [-7, 7.5, 2 ** 53, Number.POSITIVE_INFINITY]) {
      expectLogError(() => verifyInclusion(3, size, leaf, proof, r7), 'SIZE_OUT_OF_RANGE');
    }
  });

  it('a size given as a string is refused rather than coerced', () => {
    expectLogError(() => verifyInclusion(3, '7' as unknown as number, leaf, proof, r7), 'SIZE_OUT_OF_RANGE');
  });

  it('any leaf in the empty tree is refused', () => {
    expectLogError(() => verifyInclusion(0, 0, leaf, [], emptyRoot()), 'INDEX_OUT_OF_RANGE');
  });

  it('hashes of 31 or 33 bytes are refused, in the leaf, the root or the proof', () => {
    expectLogError(() => verifyInclusion(3, 7, leaf.slice(1), proof, r7), 'HASH_SIZE');
    expectLogError(() => verifyInclusion(3, 7, leaf, proof, new Uint8Array(33)), 'HASH_SIZE');
    const short = [proof[0]!, proof[1]!.slice(0, 31), proof[2]!];
    expectLogError(() => verifyInclusion(3, 7, leaf, short, r7), 'HASH_SIZE');
  });

  it('a proof hash that is a 32-character string, not bytes, is refused', () => {
    const stringly = [proof[0]!, 'x'.repeat(32) as unknown as Uint8Array, proof[2]!];
    expectLogError(() => verifyInclusion(3, 7, leaf, stringly, r7), 'HASH_SIZE');
  });

  it('a proof that is not an array is refused', () => {
    expectLogError(
      () => verifyInclusion(3, 7, leaf, { length: 3 } as unknown as Uint8Array[], r7),
      'PROOF_LENGTH',
    );
  });

  it('the boolean form never throws on hostile input', () => {
    expect(isInclusionValid(-1, 7, leaf, proof, r7)).toBe(false);
    expect(isInclusionValid(3, 7, leaf, [], r7)).toBe(false);
    expect(isConsistencyValid(5, 3, [], r7, r7)).toBe(false);
  });
});

describe('hostile input to verifyConsistency', () => {
  it('an old size larger than the new size is refused (a rollback)', () => {
    expectLogError(() => verifyConsistency(8, 7, [], roots[8]!, roots[7]!), 'SIZE_OUT_OF_RANGE');
  });

  it('equal sizes need an empty proof and equal roots (different roots are a split view)', () => {
    expect(isConsistencyValid(9, 9, [], roots[9]!, roots[9]!)).toBe(true);
    expectLogError(() => verifyConsistency(9, 9, [], roots[9]!, roots[8]!), 'CONSISTENCY_PROOF_INVALID');
    expectLogError(() => verifyConsistency(9, 9, [roots[9]!], roots[9]!, roots[9]!), 'PROOF_LENGTH');
  });

  it('from size 0 the proof must be empty and the old root the empty-tree root', () => {
    expect(isConsistencyValid(0, 9, [], emptyRoot(), roots[9]!)).toBe(true);
    expectLogError(
      () => verifyConsistency(0, 9, [], new Uint8Array(32), roots[9]!),
      'CONSISTENCY_PROOF_INVALID',
    );
    expectLogError(() => verifyConsistency(0, 9, [roots[9]!], emptyRoot(), roots[9]!), 'PROOF_LENGTH');
  });

  it('unsafe sizes are refused', () => {
    expectLogError(() => verifyConsistency(1, 2 ** 53, [], roots[1]!, roots[1]!), 'SIZE_OUT_OF_RANGE');
    expectLogError(() => verifyConsistency(-1, 2, [], roots[1]!, roots[1]!), 'SIZE_OUT_OF_RANGE');
  });

  it('roots of the wrong size are refused', () => {
    expectLogError(
      () => verifyConsistency(4, 8, proveTree(8, 4, store), roots[4]!.slice(2), roots[8]!),
      'HASH_SIZE',
    );
  });
});

describe('proof lengths for trees past 2^32 (where 32-bit bitwise operators would truncate)', () => {
  // Oracle in BigInt: the decomposition of transparency-dev/merkle (inner + border).
  const bitLen = (x: bigint) => x.toString(2).replace(/^0+/, '').length;
  const ones = (x: bigint) => [...x.toString(2)].filter((c) => c === '1').length;
  const inclusionOracle = (index: bigint, size: bigint) => {
    const inner = bitLen(index ^ (size - 1n));
    return inner + ones(index >> BigInt(inner));
  };

  it('inclusionProofLength agrees with a BigInt oracle for sizes up to 2^53 - 1', () => {
    fc.assert(
      fc.property(
        fc
          .bigInt({ min: 1n, max: 2n ** 53n - 1n })
          .chain((size) => fc.tuple(fc.constant(size), fc.bigInt({ min: 0n, max: size - 1n }))),
        ([size, index]) => {
          expect(inclusionProofLength(Number(index), Number(size))).toBe(inclusionOracle(index, size));
        },
      ),
    );
  });

  it('a wrong-length proof for a huge tree is refused before any hashing', () => {
    const size = 2 ** 53 - 1;
    expect(inclusionProofLength(2 ** 52, size)).toBe(53);
    expectLogError(() => verifyInclusion(2 ** 52, size, hashes[0]!, [], roots[1]!), 'PROOF_LENGTH');
  });
});
