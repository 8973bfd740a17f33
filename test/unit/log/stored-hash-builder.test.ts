import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  batchLeafHash,
  batchRoot,
  LogProofError,
  storedHashCount,
  storedHashes,
} from '../../../src/domain/log/index.js';
import { StoredHashBuilder } from '../../../src/domain/log/stored-hash-builder.js';

const digestOf = (i: number) => createHash('sha256').update(`leaf ${i}`).digest();
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** The stored hashes of n leaves as the log's own append writes them, slot by slot. */
function referenceSlots(n: number): Uint8Array[] {
  const slots: Uint8Array[] = [];
  const reader = { readHashes: (indexes: readonly number[]) => indexes.map((i) => slots[i]!) };
  for (let i = 0; i < n; i++) slots.push(...storedHashes(i, batchLeafHash(digestOf(i)), reader));
  return slots;
}

/** Every slot of `builder` is the log append's for the same n leaves. */
function expectReferenceSlots(builder: StoredHashBuilder, n: number): void {
  const expected = referenceSlots(n);
  for (let slot = 0; slot < expected.length; slot++) {
    expect(hex(builder.hashes.subarray(slot * 32, slot * 32 + 32))).toBe(hex(expected[slot]!));
  }
}

describe('StoredHashBuilder', () => {
  it.each([
    0, 1, 2, 3, 5, 8, 13, 64, 100, 257, 1000,
  ])('writes the same slots as the log append and the same root as batchRoot, %i leaves', (n) => {
    const builder = new StoredHashBuilder(n);
    for (let i = 0; i < n; i++) builder.add(batchLeafHash(digestOf(i)));
    expect(builder.hashes.length).toBe(storedHashCount(n) * 32);
    expectReferenceSlots(builder, n);
    expect(hex(builder.root())).toBe(hex(batchRoot(Array.from({ length: n }, (_, i) => digestOf(i)))));
  });

  it('refuses a leaf beyond its size, a leaf hash that is not 32 bytes, and a root before the last leaf', () => {
    const builder = new StoredHashBuilder(2);
    expect(() => builder.add(new Uint8Array(31))).toThrow(LogProofError);
    builder.add(batchLeafHash(digestOf(0)));
    expect(() => builder.root()).toThrow('1 of 2 leaves were added');
    builder.add(batchLeafHash(digestOf(1)));
    expect(() => builder.add(batchLeafHash(digestOf(2)))).toThrow('the tree holds 2 leaves, no more');
  });

  /** A subtree of 2^level leaves from leaf `from` on, built on its own: what another thread hands over. */
  function subtreeSlots(level: number, from: number): Uint8Array {
    const sub = new StoredHashBuilder(2 ** level);
    for (let i = from; i < from + 2 ** level; i++) sub.add(batchLeafHash(digestOf(i)));
    return sub.hashes;
  }

  it.each([
    [0, 5],
    [2, 13],
    [3, 64],
    [4, 100],
    [5, 257],
  ])('takes aligned subtrees of 2^%i leaves, then single leaves: the same slots and root, %i leaves', (level, n) => {
    const builder = new StoredHashBuilder(n);
    const whole = Math.floor(n / 2 ** level) * 2 ** level;
    for (let from = 0; from < whole; from += 2 ** level) builder.addSubtree(level, subtreeSlots(level, from));
    for (let i = whole; i < n; i++) builder.add(batchLeafHash(digestOf(i)));
    expectReferenceSlots(builder, n);
    expect(hex(builder.root())).toBe(hex(batchRoot(Array.from({ length: n }, (_, i) => digestOf(i)))));
  });

  it('refuses a subtree that is not aligned, overruns the size, or has the wrong number of hashes', () => {
    const builder = new StoredHashBuilder(8);
    builder.add(batchLeafHash(digestOf(0)));
    expect(() => builder.addSubtree(1, subtreeSlots(1, 1))).toThrow(LogProofError);
    builder.add(batchLeafHash(digestOf(1)));
    expect(() => builder.addSubtree(1, subtreeSlots(0, 2))).toThrow(LogProofError);
    expect(() => builder.addSubtree(3, subtreeSlots(3, 0))).toThrow(LogProofError);
    builder.addSubtree(1, subtreeSlots(1, 2));
    builder.addSubtree(2, subtreeSlots(2, 4));
    expect(() => builder.addSubtree(0, subtreeSlots(0, 8))).toThrow(LogProofError);
  });

  it('takes subtrees written into their own slots ahead of the ones before them (slotsOfSubtree)', () => {
    const n = 37;
    const builder = new StoredHashBuilder(n);
    // The second and third subtrees of 8 leaves are written before the first is; the third is built in place.
    for (const from of [8, 0, 24]) builder.slotsOfSubtree(3, from).set(subtreeSlots(3, from));
    const inPlace = new StoredHashBuilder(8, undefined, builder.slotsOfSubtree(3, 16));
    for (let i = 16; i < 24; i++) inPlace.add(batchLeafHash(digestOf(i)));
    for (let from = 0; from < 32; from += 8) builder.addSubtree(3, builder.slotsOfSubtree(3, from));
    for (let i = 32; i < n; i++) builder.add(batchLeafHash(digestOf(i)));
    expectReferenceSlots(builder, n);
    expect(() => builder.slotsOfSubtree(3, 4)).toThrow(LogProofError);
    expect(() => builder.slotsOfSubtree(3, 32)).toThrow(LogProofError);
    expect(() => new StoredHashBuilder(8, undefined, new Uint8Array(14 * 32))).toThrow(
      'a tree of 8 leaves has 480 bytes of stored hashes',
    );
  });
});
