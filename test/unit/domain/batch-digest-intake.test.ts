import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { batchDecider } from '../../../src/domain/certification/batch-decider.js';
import { BatchDigestIntake } from '../../../src/domain/certification/batch-digest-intake.js';
import { CertificationError } from '../../../src/domain/certification/certification-error.js';
import { batchIdFor } from '../../../src/domain/certification/certification-id.js';
import type { CertifyBatch } from '../../../src/domain/certification/commands.js';
import { batchRoot } from '../../../src/domain/log/index.js';
import { NODE_TREE_HASHER } from '../../../src/infrastructure/crypto/node-hashes.js';

const digest = (i: number) => new Uint8Array(createHash('sha256').update(`record ${i}`).digest());

function packedOf(count: number): Uint8Array {
  const packed = new Uint8Array(count * 32);
  for (let i = 0; i < count; i++) packed.set(digest(i), i * 32);
  return packed;
}

function thrown(f: () => unknown): CertificationError {
  try {
    f();
  } catch (error) {
    if (error instanceof CertificationError) return error;
    throw error;
  }
  throw new Error('expected a CertificationError');
}

describe('BatchDigestIntake', () => {
  it('hashes the root as chunks of any split arrive, with either hasher', () => {
    for (const count of [1, 2, 3, 7, 64, 65, 1000]) {
      const packed = packedOf(count);
      const expected = Buffer.from(
        batchRoot(Array.from({ length: count }, (_, i) => packed.subarray(i * 32, i * 32 + 32))),
      ).toString('hex');
      for (const [split, hasher] of [
        [1, undefined],
        [31, NODE_TREE_HASHER],
        [33, undefined],
        [4096, NODE_TREE_HASHER],
      ] as const) {
        const intake = new BatchDigestIntake(count, hasher);
        for (let at = 0; at < packed.length; at += split) intake.push(packed.subarray(at, at + split));
        const list = intake.finish();
        expect(list.root).toBe(expected);
        expect(list.count).toBe(count);
        expect(Buffer.from(list.packed).equals(Buffer.from(packed))).toBe(true);
      }
    }
  });

  it('refuses the first byte beyond the signed count, and a short or ragged list at the end', () => {
    const over = new BatchDigestIntake(2);
    over.push(packedOf(2));
    const tooMany = thrown(() => over.push(new Uint8Array(1)));
    expect([tooMany.code, tooMany.message]).toEqual([
      'BATCH_COUNT_MISMATCH',
      'the command certifies 2 records (64 bytes of digests), but more than 64 bytes were uploaded',
    ]);
    const short = new BatchDigestIntake(3);
    short.push(packedOf(2));
    short.push(new Uint8Array(5));
    const tooFew = thrown(() => short.finish());
    expect([tooFew.code, tooFew.message]).toEqual([
      'BATCH_COUNT_MISMATCH',
      'the command certifies 3 records, but 2 digests and 5 stray bytes were uploaded (69 bytes; allowed: exactly 96, 32 per record)',
    ]);
  });

  it('feeds the decider: the same events as the hex list, without hashing the list again', () => {
    const count = 1030;
    const packed = packedOf(count);
    const intake = new BatchDigestIntake(count, NODE_TREE_HASHER);
    intake.push(packed);
    const list = intake.finish();
    const hex = Array.from({ length: count }, (_, i) => Buffer.from(digest(i)).toString('hex'));
    const command: CertifyBatch = {
      type: 'CertifyBatch',
      actor: { identityId: 'UNIVERSITY', roles: ['issuer'], accreditations: ['diploma'], status: 'active' },
      at: '2026-06-30T09:00:00Z',
      batchId: batchIdFor('UNIVERSITY', 'c1'),
      recordType: 'diploma',
      validFrom: '2026-07-01T00:00:00Z',
      validUntil: null,
      metadata: null,
      batchRoot: list.root,
      count,
      digests: list,
    };
    const state = batchDecider.initialState();
    expect(batchDecider.decide(command, state)).toEqual(
      batchDecider.decide({ ...command, digests: hex }, state),
    );
    const wrong = thrown(() => batchDecider.decide({ ...command, batchRoot: '00'.repeat(32) }, state));
    expect([wrong.code, wrong.message]).toEqual([
      'BATCH_ROOT_MISMATCH',
      `the uploaded digests hash to root ${list.root}, not to the signed batchRoot ${'00'.repeat(32)}`,
    ]);
  });
});
