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

describe('StoredHashBuilder', () => {
  it.each([
    0, 1, 2, 3, 5, 8, 13, 64, 100, 257, 1000,
  ])('writes the same slots as the log append and the same root as batchRoot, %i leaves', (n) => {
    const builder = new StoredHashBuilder(n);
    for (let i = 0; i < n; i++) builder.add(batchLeafHash(digestOf(i)));
    expect(builder.hashes.length).toBe(storedHashCount(n) * 32);
    const expected = referenceSlots(n);
    for (let slot = 0; slot < expected.length; slot++) {
      expect(hex(builder.hashes.subarray(slot * 32, slot * 32 + 32))).toBe(hex(expected[slot]!));
    }
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
});
