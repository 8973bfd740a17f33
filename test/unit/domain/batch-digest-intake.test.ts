import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { batchDecider } from '../../../src/domain/certification/batch-decider.js';
import { CertificationError } from '../../../src/domain/certification/certification-error.js';
import { batchIdFor } from '../../../src/domain/certification/certification-id.js';
import type { CertifyBatch } from '../../../src/domain/certification/commands.js';
import { ParallelDigestIntake } from '../../../src/infrastructure/crypto/parallel-digest-intake.js';

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

describe('a packed digest list (the streamed upload’s)', () => {
  it('feeds the decider: the same events as the hex list, without hashing the list again', async () => {
    const count = 1030;
    const packed = packedOf(count);
    const intake = new ParallelDigestIntake(count);
    intake.push(packed);
    const list = await intake.finish();
    intake.close();
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
