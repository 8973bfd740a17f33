import { describe, expect, it } from 'vitest';
import { certificationDecider } from '../../../src/domain/certification/certification-decider.js';
import type { CertificationError } from '../../../src/domain/certification/certification-error.js';
import { certificationIdFor } from '../../../src/domain/certification/certification-id.js';
import type { CertifyRecord, EarlierCertification } from '../../../src/domain/certification/commands.js';
import type { ActorSnapshot } from '../../../src/domain/shared/decider.js';
import { DeciderSpecification } from '../../support/decider-specification.js';

/** Issue 11, "silent duplicates": given(no events of this stream).when(certify with what the read model knew). */
const given = DeciderSpecification.for(certificationDecider);
const issuer: ActorSnapshot = {
  identityId: 'HEALTH',
  roles: ['issuer'],
  accreditations: ['birth-certificate'],
  status: 'active',
};
const OLD = certificationIdFor('HEALTH', 'cmd-old');
const NEW = certificationIdFor('HEALTH', 'cmd-new');

function certify(
  earlier: EarlierCertification | null | undefined,
  reissueOf: string | null = null,
): CertifyRecord {
  return {
    type: 'CertifyRecord',
    actor: issuer,
    at: '2025-03-01T09:00:00Z',
    certificationId: NEW,
    recordDigest: 'a'.repeat(64),
    recordType: 'birth-certificate',
    subjectRef: null,
    validFrom: '2025-03-01T00:00:00Z',
    validUntil: null,
    metadata: null,
    reissueOf,
    ...(earlier === undefined ? {} : { earlier }),
  };
}

function refusal(command: CertifyRecord): CertificationError {
  try {
    certificationDecider.decide(command, certificationDecider.initialState());
  } catch (error) {
    return error as CertificationError;
  }
  throw new Error('the decider accepted the command');
}

describe('certifying a record the issuer already certified', () => {
  it.each([
    'active',
    'suspended',
    'revoked',
  ] as const)('is refused as RECORD_ALREADY_CERTIFIED when the earlier one is %s, naming it', (status) => {
    const error = refusal(certify({ certificationId: OLD, status }));
    expect(error.code).toBe('RECORD_ALREADY_CERTIFIED');
    expect(error.details).toEqual({ certificationId: OLD, certificationStatus: status });
    expect(error.message).toBe(
      `HEALTH already certified this record (birth-certificate, sha256 ${'a'.repeat(64)}) as ${OLD}, which is ${status}; to certify it anew, reissue it: chancery certify --reissue ${OLD} (payload reissueOf)`,
    );
  });

  it('an explicit reissue of the latest certification certifies anew and links it', () => {
    const [event] = certificationDecider.decide(
      certify({ certificationId: OLD, status: 'revoked' }, OLD),
      certificationDecider.initialState(),
    );
    expect(event).toMatchObject({ type: 'RecordCertified', data: { certificationId: NEW, reissueOf: OLD } });
  });

  it('a reissue naming anything but the latest certification of this record is refused', () => {
    const other = certificationIdFor('HEALTH', 'cmd-other');
    expect(refusal(certify({ certificationId: OLD, status: 'active' }, other)).code).toBe(
      'RECORD_ALREADY_CERTIFIED',
    );
    expect(refusal(certify(null, other)).code).toBe('CERTIFICATION_NOT_FOUND');
  });

  it('a first certification carries no link', () => {
    given([])
      .when(certify(null))
      .then([
        {
          type: 'RecordCertified',
          data: {
            certificationId: NEW,
            issuerId: 'HEALTH',
            recordDigest: 'a'.repeat(64),
            recordType: 'birth-certificate',
            subjectRef: null,
            validFrom: '2025-03-01T00:00:00Z',
            validUntil: null,
            metadata: null,
            certifiedAt: '2025-03-01T09:00:00Z',
          },
        },
      ]);
  });

  it('a replay (no lookup: the log accepted the entry) keeps the signed link and judges nothing', () => {
    const [event] = certificationDecider.decide(certify(undefined, OLD), certificationDecider.initialState());
    expect(event).toMatchObject({ data: { reissueOf: OLD } });
  });
});
