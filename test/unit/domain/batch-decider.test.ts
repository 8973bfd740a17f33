import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { batchDecider } from '../../../src/domain/certification/batch-decider.js';
import { certificationDecider } from '../../../src/domain/certification/certification-decider.js';
import { CertificationError } from '../../../src/domain/certification/certification-error.js';
import {
  BATCH_ID_PATTERN,
  batchIdFor,
  batchRecordIdFor,
  CERTIFICATION_ID_PATTERN,
  certificationIdFor,
} from '../../../src/domain/certification/certification-id.js';
import type { CertifyBatch, ChangeCertificationStatus } from '../../../src/domain/certification/commands.js';
import {
  BATCH_DIGESTS_PER_EVENT,
  type BatchCertified,
  type BatchEvent,
  type CertificationEvent,
  MAX_BATCH_RECORDS,
} from '../../../src/domain/certification/events.js';
import { batchRoot } from '../../../src/domain/log/index.js';
import type { ActorSnapshot } from '../../../src/domain/shared/decider.js';
import { DeciderSpecification } from '../../support/decider-specification.js';

const given = DeciderSpecification.for(batchDecider);

const AT = '2026-06-30T09:00:00Z';
const BATCH_ID = batchIdFor('UNIVERSITY', 'graduation-2026');

const issuer: ActorSnapshot = {
  identityId: 'UNIVERSITY',
  roles: ['issuer'],
  accreditations: ['diploma'],
  status: 'active',
};

const digestHex = (i: number): string => createHash('sha256').update(`diploma ${i}`).digest('hex');

function rootHex(digests: readonly string[]): string {
  return Buffer.from(batchRoot(digests.map((d) => new Uint8Array(Buffer.from(d, 'hex'))))).toString('hex');
}

function certifyBatch(
  count: number,
  overrides: Partial<CertifyBatch> & { digests?: readonly string[] } = {},
): CertifyBatch & { digests: readonly string[] } {
  const digests = Array.from({ length: count }, (_, i) => digestHex(i));
  return {
    type: 'CertifyBatch',
    actor: issuer,
    at: AT,
    batchId: BATCH_ID,
    recordType: 'diploma',
    validFrom: '2026-07-01T00:00:00Z',
    validUntil: null,
    metadata: { ceremony: 'summer 2026' },
    batchRoot: rootHex(digests),
    count,
    digests,
    ...overrides,
  };
}

function batchCertified(command: CertifyBatch): BatchCertified {
  return {
    type: 'BatchCertified',
    data: {
      batchId: command.batchId,
      issuerId: command.actor.identityId,
      recordType: command.recordType,
      validFrom: command.validFrom,
      validUntil: command.validUntil,
      metadata: command.metadata,
      batchRoot: command.batchRoot,
      count: command.count,
      certifiedAt: command.at,
    },
  };
}

describe('CertifyBatch', () => {
  it('certifies a batch: one BatchCertified entry, then the digests in slices of BATCH_DIGESTS_PER_EVENT', () => {
    const command = certifyBatch(2 * BATCH_DIGESTS_PER_EVENT + 3);
    const base64 = (from: number, to?: number) =>
      Buffer.from(command.digests.slice(from, to).join(''), 'hex').toString('base64');
    given([])
      .when(command)
      .then([
        batchCertified(command),
        {
          type: 'BatchDigestsRecorded',
          data: { batchId: BATCH_ID, from: 0, digestsBase64: base64(0, BATCH_DIGESTS_PER_EVENT) },
        },
        {
          type: 'BatchDigestsRecorded',
          data: {
            batchId: BATCH_ID,
            from: BATCH_DIGESTS_PER_EVENT,
            digestsBase64: base64(BATCH_DIGESTS_PER_EVENT, 2 * BATCH_DIGESTS_PER_EVENT),
          },
        },
        {
          type: 'BatchDigestsRecorded',
          data: {
            batchId: BATCH_ID,
            from: 2 * BATCH_DIGESTS_PER_EVENT,
            digestsBase64: base64(2 * BATCH_DIGESTS_PER_EVENT),
          },
        },
      ]);
  });

  it('writes hex slices when replaying a log written before base64 slices (sliceEncoding: hex)', () => {
    const command = { ...certifyBatch(BATCH_DIGESTS_PER_EVENT + 1), sliceEncoding: 'hex' as const };
    given([])
      .when(command)
      .then([
        batchCertified(command),
        {
          type: 'BatchDigestsRecorded',
          data: { batchId: BATCH_ID, from: 0, digests: command.digests.slice(0, BATCH_DIGESTS_PER_EVENT) },
        },
        {
          type: 'BatchDigestsRecorded',
          data: {
            batchId: BATCH_ID,
            from: BATCH_DIGESTS_PER_EVENT,
            digests: command.digests.slice(BATCH_DIGESTS_PER_EVENT),
          },
        },
      ]);
  });

  it('writes the same slices from a streamed (packed) upload as from the JSON route', () => {
    const command = certifyBatch(BATCH_DIGESTS_PER_EVENT + 5);
    const packed = new Uint8Array(Buffer.from(command.digests.join(''), 'hex'));
    const fromJson = batchDecider.decide(command, batchDecider.initialState());
    const fromStream = batchDecider.decide(
      { ...command, digests: { packed, count: command.count, root: command.batchRoot } },
      batchDecider.initialState(),
    );
    expect(fromStream).toStrictEqual(fromJson);
  });

  it("spells slices with the packer's faster base64 encoder only when it spells them as the domain does", () => {
    const command = certifyBatch(2 * BATCH_DIGESTS_PER_EVENT + 5);
    const packed = new Uint8Array(Buffer.from(command.digests.join(''), 'hex'));
    const fromJson = batchDecider.decide(command, batchDecider.initialState());
    const calls: number[] = [];
    const native = (bytes: Uint8Array) => {
      calls.push(bytes.length);
      return Buffer.from(bytes).toString('base64');
    };
    const withNative = batchDecider.decide(
      {
        ...command,
        digests: { packed, count: command.count, root: command.batchRoot, encodeBase64: native },
      },
      batchDecider.initialState(),
    );
    expect(withNative).toStrictEqual(fromJson);
    // Two checks, then one call per slice.
    expect(calls).toHaveLength(2 + 3);

    // A packer whose encoder spells base64 otherwise (here base64url, no padding) is not used at all.
    const otherSpelling = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
    const withOther = batchDecider.decide(
      {
        ...command,
        digests: { packed, count: command.count, root: command.batchRoot, encodeBase64: otherSpelling },
      },
      batchDecider.initialState(),
    );
    expect(withOther).toStrictEqual(fromJson);
  });

  it('certifies a batch of one record, whose root is its leaf hash', () => {
    const command = certifyBatch(1);
    given([])
      .when(command)
      .then([
        batchCertified(command),
        {
          type: 'BatchDigestsRecorded',
          data: {
            batchId: BATCH_ID,
            from: 0,
            digestsBase64: Buffer.from(command.digests[0]!, 'hex').toString('base64'),
          },
        },
      ]);
  });

  it('refuses digests that do not hash to the signed root', () => {
    const command = certifyBatch(10);
    const swapped = [...command.digests];
    [swapped[3], swapped[4]] = [swapped[4]!, swapped[3]!];
    given([])
      .when({ ...command, digests: swapped })
      .thenThrows(CertificationError, 'BATCH_ROOT_MISMATCH');
    given([])
      .when({ ...command, batchRoot: rootHex(command.digests.slice(0, 9)) })
      .thenThrows(CertificationError, 'BATCH_ROOT_MISMATCH');
  });

  it('refuses a digest that is not lower-case hex of 32 bytes, whatever the schema let through', () => {
    const command = certifyBatch(3);
    for (const bad of ['A'.repeat(64), 'ab'.repeat(31), `${'ab'.repeat(31)}zz`]) {
      given([])
        .when({ ...command, digests: [command.digests[0]!, bad, command.digests[2]!] })
        .thenThrows(CertificationError, 'BATCH_ROOT_MISMATCH');
    }
  });

  it('refuses an upload of another length than the signed count, before hashing', () => {
    const command = certifyBatch(10);
    given([])
      .when({ ...command, digests: command.digests.slice(0, 9) })
      .thenThrows(CertificationError, 'BATCH_COUNT_MISMATCH');
    given([])
      .when({ ...command, count: 11 })
      .thenThrows(CertificationError, 'BATCH_COUNT_MISMATCH');
  });

  it('refuses an empty batch and one over the bound', () => {
    given([])
      .when({ ...certifyBatch(1), count: 0, digests: [] })
      .thenThrows(CertificationError, 'BATCH_COUNT_MISMATCH');
    given([])
      .when({ ...certifyBatch(1), count: MAX_BATCH_RECORDS + 1 })
      .thenThrows(CertificationError, 'BATCH_COUNT_MISMATCH');
  });

  it('checks accreditation, role, actor and validity like CertifyRecord', () => {
    given([])
      .when(certifyBatch(2, { recordType: 'transcript' }))
      .thenThrows(CertificationError, 'ACCREDITATION_MISSING');
    given([])
      .when(certifyBatch(2, { actor: { ...issuer, roles: ['publisher'] } }))
      .thenThrows(CertificationError, 'ROLE_MISSING');
    given([])
      .when(certifyBatch(2, { actor: { ...issuer, status: 'revoked' } }))
      .thenThrows(CertificationError, 'ACTOR_REVOKED');
    given([])
      .when(certifyBatch(2, { validUntil: '2026-07-01T00:00:00Z' }))
      .thenThrows(CertificationError, 'VALIDITY_WINDOW_INVALID');
  });

  it('refuses a batch that already exists', () => {
    const command = certifyBatch(2);
    const events: BatchEvent[] = batchDecider.decide(command, batchDecider.initialState());
    given(events).when(command).thenThrows(CertificationError, 'CERTIFICATION_ALREADY_EXISTS');
  });
});

describe('records of a batch', () => {
  it('have ids of their own, derived from the batch id and index, apart from single ids', () => {
    expect(BATCH_ID).toMatch(new RegExp(BATCH_ID_PATTERN));
    const ids = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const id = batchRecordIdFor(BATCH_ID, i);
      expect(id).toMatch(new RegExp(CERTIFICATION_ID_PATTERN));
      ids.add(id);
    }
    expect(ids.size).toBe(1000);
    expect(batchRecordIdFor(BATCH_ID, 7)).toBe(batchRecordIdFor(BATCH_ID, 7));
    expect(batchRecordIdFor(BATCH_ID, 0)).not.toBe(certificationIdFor('UNIVERSITY', 'graduation-2026'));
    expect(batchIdFor('UNIVERSITY', 'graduation-2026')).not.toBe(batchIdFor('UNIVERSITY', 'graduation-2027'));
  });

  const statusOf = DeciderSpecification.for(certificationDecider);
  const RECORD = batchRecordIdFor(BATCH_ID, 41);
  const facts = { batchId: BATCH_ID, index: 41, issuerId: 'UNIVERSITY' };

  function change(
    type: ChangeCertificationStatus['type'],
    overrides: Partial<ChangeCertificationStatus> = {},
  ): ChangeCertificationStatus {
    return {
      type,
      actor: issuer,
      at: AT,
      certificationId: RECORD,
      reason: 'degree withdrawn',
      batchRecord: facts,
      ...overrides,
    };
  }

  function changed(
    type: Exclude<CertificationEvent['type'], 'RecordCertified'>,
    by = 'UNIVERSITY',
  ): CertificationEvent {
    return { type, data: { certificationId: RECORD, reason: 'degree withdrawn', at: AT, by } };
  }

  it('can be revoked one by one: the batch says the record exists and who issued it', () => {
    statusOf([])
      .when(change('RevokeCertification'))
      .then([changed('CertificationRevoked')]);
  });

  it('go through the same transitions as single certifications, on their own stream', () => {
    statusOf([changed('CertificationSuspended')])
      .when(change('ReinstateCertification'))
      .then([changed('CertificationReinstated')]);
    statusOf([changed('CertificationSuspended')])
      .when(change('SuspendCertification'))
      .thenThrows(CertificationError, 'INVALID_STATUS_TRANSITION');
    statusOf([changed('CertificationRevoked')])
      .when(change('ReinstateCertification'))
      .thenThrows(CertificationError, 'INVALID_STATUS_TRANSITION');
    statusOf([])
      .when(change('ReinstateCertification'))
      .thenThrows(CertificationError, 'INVALID_STATUS_TRANSITION');
  });

  it('may be changed by the authority, but not by another issuer', () => {
    const authority: ActorSnapshot = {
      identityId: 'ROOT',
      roles: ['authority'],
      accreditations: [],
      status: 'active',
    };
    statusOf([])
      .when(change('SuspendCertification', { actor: authority }))
      .then([changed('CertificationSuspended', 'ROOT')]);
    statusOf([])
      .when(change('SuspendCertification', { actor: { ...issuer, identityId: 'COLLEGE' } }))
      .thenThrows(CertificationError, 'NOT_ISSUER');
  });

  it('do not exist without the batch facts (no batch names the id)', () => {
    statusOf([])
      .when(change('RevokeCertification', { batchRecord: null }))
      .thenThrows(CertificationError, 'CERTIFICATION_NOT_FOUND');
    statusOf([changed('CertificationSuspended')])
      .when(change('ReinstateCertification', { batchRecord: undefined }))
      .thenThrows(CertificationError, 'CERTIFICATION_NOT_FOUND');
  });
});
