import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CertificationError } from '../../../src/domain/certification/certification-error.js';
import { toHex } from '../../../src/domain/crypto/hex.js';
import { StoredHashBuilder } from '../../../src/domain/log/stored-hash-builder.js';
import { NODE_TREE_HASHER } from '../../../src/infrastructure/crypto/node-hashes.js';
import {
  BLOCK_LEVEL,
  MAX_INTAKE_WORKERS,
  ParallelDigestIntake,
} from '../../../src/infrastructure/crypto/parallel-digest-intake.js';
import { BatchRecordKeys } from '../../../src/infrastructure/projections/batch-record-key.js';

const BLOCK = 2 ** BLOCK_LEVEL;

function packedOf(count: number): Uint8Array {
  const packed = new Uint8Array(count * 32);
  for (let i = 0; i < count; i++) packed.set(createHash('sha256').update(`record ${i}`).digest(), i * 32);
  return packed;
}

/** The reference: the same list's tree built leaf by leaf on one thread. */
function reference(packed: Uint8Array) {
  const count = packed.length / 32;
  const tree = new StoredHashBuilder(count, NODE_TREE_HASHER);
  for (let i = 0; i < count; i++) tree.add(NODE_TREE_HASHER.leafHash(packed.subarray(i * 32, (i + 1) * 32)));
  return { root: toHex(tree.root()), storedHashes: tree.hashes };
}

async function taken(packed: Uint8Array, chunkBytes: number) {
  const intake = new ParallelDigestIntake(packed.length / 32);
  try {
    for (let at = 0; at < packed.length; at += chunkBytes) {
      intake.push(packed.subarray(at, at + chunkBytes));
      // Let the worker's answers in between chunks, as a socket's reads do.
      if ((at / chunkBytes) % 8 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    return { result: await intake.finish(), fromWorker: intake.blocksFromWorker };
  } finally {
    intake.close();
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('ParallelDigestIntake', () => {
  it.each([
    [1, 32],
    [BLOCK - 1, 1000],
    [BLOCK, 64 * 1024],
    [2 * BLOCK, 65_536],
    [5 * BLOCK + 77, 65_536],
    [7 * BLOCK + 1, 12_345],
  ])('takes %i digests in chunks of %i bytes: the same root, digests and stored hashes as hashing leaf by leaf', async (count, chunk) => {
    const packed = packedOf(count);
    const { result, fromWorker } = await taken(packed, chunk);
    const expected = reference(packed);
    expect(result.root).toBe(expected.root);
    expect(result.count).toBe(count);
    expect(Buffer.from(result.packed).equals(Buffer.from(packed))).toBe(true);
    expect(Buffer.from(result.storedHashes!).equals(Buffer.from(expected.storedHashes))).toBe(true);
    // The second core is used only for a batch of two blocks or more.
    if (count < 2 * BLOCK) expect(fromWorker).toBe(0);
  });

  it('has the worker hash blocks of a large batch', async () => {
    const packed = packedOf(12 * BLOCK);
    const intake = new ParallelDigestIntake(12 * BLOCK);
    try {
      // One block at a time, waiting for the worker's answers: it must take some.
      for (let at = 0; at < packed.length; at += BLOCK * 32) {
        intake.push(packed.subarray(at, at + BLOCK * 32));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect((await intake.finish()).root).toBe(reference(packed).root);
      expect(intake.blocksFromWorker).toBeGreaterThan(0);
    } finally {
      intake.close();
    }
  });

  it('refuses the first byte past the signed count, and a short or ragged list at the end, naming the counts', async () => {
    const count = 2 * BLOCK + 3;
    const packed = packedOf(count);
    const long = new ParallelDigestIntake(count);
    long.push(packed);
    const tooMany = (() => {
      try {
        long.push(new Uint8Array(1));
      } catch (error) {
        return error as CertificationError;
      }
      throw new Error('expected a refusal');
    })();
    expect([tooMany.code, tooMany.message]).toEqual([
      'BATCH_COUNT_MISMATCH',
      `the command certifies ${count} records (${count * 32} bytes of digests), but more than ${count * 32} bytes were uploaded`,
    ]);
    long.close();

    const short = new ParallelDigestIntake(count);
    short.push(packed.subarray(0, packed.length - 33));
    const error = (await rejection(short.finish())) as CertificationError;
    expect(error).toBeInstanceOf(CertificationError);
    expect([error.code, error.message]).toEqual([
      'BATCH_COUNT_MISMATCH',
      `the command certifies ${count} records, but ${count - 2} digests and 31 stray bytes were uploaded (${count * 32 - 33} bytes; allowed: exactly ${count * 32}, 32 per record)`,
    ]);
    short.close();
  });

  it('has the worker compute the record keys BatchRecordKeys computes, which it adopts', async () => {
    // Past 100,000: indexes of one to six decimal digits, as a batch of up to a million has.
    const count = 13 * BLOCK + 999;
    const intake = new ParallelDigestIntake(count);
    try {
      intake.push(packedOf(count));
      await intake.finish();
      const keys = intake.recordKeys('bat_abcdefghijklmnopqrstuvwx');
      while (keys.entries === null) await new Promise((resolve) => setTimeout(resolve, 5));
      const own = new BatchRecordKeys('bat_abcdefghijklmnopqrstuvwx', count);
      own.fillTo(count);
      // Entry i is record i's (key × 2^20 + i): the same set, each in its record's place.
      expect(Array.from(keys.entries).every((entry, i) => entry % 2 ** 20 === i)).toBe(true);
      expect(Array.from(keys.entries).sort((a, b) => a - b)).toEqual(Array.from(own.sorted()));
      const adopting = new BatchRecordKeys('bat_abcdefghijklmnopqrstuvwx', count);
      adopting.fillTo(10);
      expect(adopting.adopt(keys.entries)).toBe(true);
      expect(Array.from(adopting.sorted())).toEqual(Array.from(own.sorted()));
      // Keys of another batch fail the spot checks and are not taken.
      expect(new BatchRecordKeys('bat_zzzzzzzzzzzzzzzzzzzzzzzz', count).adopt(keys.entries)).toBe(false);
    } finally {
      intake.close();
    }
  });

  it('has no keys to offer for a batch too small for a worker', async () => {
    const intake = new ParallelDigestIntake(100);
    intake.push(packedOf(100));
    await intake.finish();
    expect(intake.recordKeys('bat_abcdefghijklmnopqrstuvwx').entries).toBeNull();
    intake.close();
  });

  it('starts at most MAX_INTAKE_WORKERS threads however many uploads run at once; the others hash on the event loop', async () => {
    const count = 4 * BLOCK;
    const packed = packedOf(count);
    const intakes = Array.from({ length: MAX_INTAKE_WORKERS + 2 }, () => new ParallelDigestIntake(count));
    try {
      for (let at = 0; at < packed.length; at += BLOCK * 32) {
        for (const intake of intakes) intake.push(packed.subarray(at, at + BLOCK * 32));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const results = await Promise.all(intakes.map((intake) => intake.finish()));
      const expected = reference(packed).root;
      expect(results.map((r) => r.root)).toEqual(intakes.map(() => expected));
      const withWorker = intakes.filter((intake) => intake.blocksFromWorker > 0).length;
      expect(withWorker).toBeGreaterThan(0);
      expect(withWorker).toBeLessThanOrEqual(MAX_INTAKE_WORKERS);
    } finally {
      for (const intake of intakes) intake.close();
    }
    // Their workers given back, the next upload has one again.
    const { fromWorker } = await taken(packed, BLOCK * 32);
    expect(fromWorker).toBeGreaterThan(0);
  });
});
