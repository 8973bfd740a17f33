import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { certificationDecider } from '../../../src/domain/certification/certification-decider.js';
import { CertificationError } from '../../../src/domain/certification/certification-error.js';
import {
  CERTIFICATION_ID_PATTERN,
  certificationIdFor,
} from '../../../src/domain/certification/certification-id.js';
import type { CertifyRecord, ChangeCertificationStatus } from '../../../src/domain/certification/commands.js';
import type {
  CertificationEvent,
  CertificationStatus,
  RecordCertified,
} from '../../../src/domain/certification/events.js';
import { type ActorSnapshot, foldEvents } from '../../../src/domain/shared/decider.js';
import { DeciderSpecification } from '../../support/decider-specification.js';

const given = DeciderSpecification.for(certificationDecider);

const CERTIFIED_AT = '2025-03-01T09:00:00Z';
const AT = '2025-04-01T09:00:00Z';
const ID = certificationIdFor('HEALTH', 'cmd-0001');
const DIGEST = 'a'.repeat(64);

const issuer: ActorSnapshot = {
  identityId: 'HEALTH',
  roles: ['issuer'],
  accreditations: ['birth-certificate'],
  status: 'active',
};
const authority: ActorSnapshot = {
  identityId: 'ROOT',
  roles: ['authority'],
  accreditations: [],
  status: 'active',
};
// Another issuer accredited for the same type: still a stranger to HEALTH's certifications.
const otherIssuer: ActorSnapshot = { ...issuer, identityId: 'TRANSPORT' };

function certify(overrides: Partial<CertifyRecord> = {}): CertifyRecord {
  return {
    type: 'CertifyRecord',
    actor: issuer,
    at: CERTIFIED_AT,
    certificationId: ID,
    recordDigest: DIGEST,
    recordType: 'birth-certificate',
    subjectRef: 'b'.repeat(64),
    validFrom: '2025-03-01T00:00:00Z',
    validUntil: '2035-03-01T00:00:00Z',
    metadata: { registry: 'north', volume: 12 },
    reissueOf: null,
    ...overrides,
  } as CertifyRecord;
}

function certified(overrides: Partial<RecordCertified['data']> = {}): RecordCertified {
  return {
    type: 'RecordCertified',
    data: {
      certificationId: ID,
      issuerId: 'HEALTH',
      recordDigest: DIGEST,
      recordType: 'birth-certificate',
      subjectRef: 'b'.repeat(64),
      validFrom: '2025-03-01T00:00:00Z',
      validUntil: '2035-03-01T00:00:00Z',
      metadata: { registry: 'north', volume: 12 },
      certifiedAt: CERTIFIED_AT,
      ...overrides,
    },
  };
}

type StatusCommandType = ChangeCertificationStatus['type'];

function change(type: StatusCommandType, actor: ActorSnapshot = issuer): ChangeCertificationStatus {
  return { type, actor, at: AT, certificationId: ID, reason: 'court order 2025/17' };
}

function statusEvent(
  type: Exclude<CertificationEvent['type'], 'RecordCertified'>,
  by = 'HEALTH',
  at = AT,
): CertificationEvent {
  return { type, data: { certificationId: ID, reason: 'court order 2025/17', at, by } };
}

describe('CertifyRecord', () => {
  it('certifies a record for an accredited issuer', () => {
    given([]).when(certify()).then([certified()]);
  });

  it('certifies a record with no end of validity and no subject or metadata', () => {
    given([])
      .when(certify({ validUntil: null, subjectRef: null, metadata: null }))
      .then([certified({ validUntil: null, subjectRef: null, metadata: null })]);
  });

  it('refuses a record type the issuer is not accredited for', () => {
    given([])
      .when(certify({ recordType: 'diploma' }))
      .thenThrows(CertificationError, 'ACCREDITATION_MISSING');
  });

  it('refuses an actor without the issuer role, whatever its accreditations', () => {
    given([])
      .when(certify({ actor: { ...issuer, roles: ['publisher'] } }))
      .thenThrows(CertificationError, 'ROLE_MISSING');
  });

  it('refuses a revoked actor', () => {
    given([])
      .when(certify({ actor: { ...issuer, status: 'revoked' } }))
      .thenThrows(CertificationError, 'ACTOR_REVOKED');
  });

  it('refuses a certification that already exists (a retried command)', () => {
    given([certified()]).when(certify()).thenThrows(CertificationError, 'CERTIFICATION_ALREADY_EXISTS');
  });

  it.each([
    ['equals validFrom', '2025-03-01T00:00:00Z', '2025-03-01T00:00:00Z'],
    ['precedes validFrom', '2025-03-01T00:00:00Z', '2025-02-28T23:59:59Z'],
    ['is the same instant at another precision', '2025-03-01T00:00:00Z', '2025-03-01T00:00:00.000Z'],
    ['is the same instant in another offset', '2025-03-01T08:00:00+08:00', '2025-03-01T00:00:00Z'],
  ])('refuses a validity window whose end %s', (_, validFrom, validUntil) => {
    given([])
      .when(certify({ validFrom, validUntil }))
      .thenThrows(CertificationError, 'VALIDITY_WINDOW_INVALID');
  });

  it('compares instants, not strings, across offsets', () => {
    // As strings '2025-03-01T01:00:00Z' < '2025-03-01T08:30:00+08:00', but it is half an hour later.
    given([])
      .when(certify({ validFrom: '2025-03-01T08:30:00+08:00', validUntil: '2025-03-01T01:00:00Z' }))
      .then([certified({ validFrom: '2025-03-01T08:30:00+08:00', validUntil: '2025-03-01T01:00:00Z' })]);
  });

  // The schema's date-time format accepts a leap second, which Date.parse reads as NaN; NaN compares
  // false both ways, so before the fix such a window slipped past the check whatever its order.
  it.each([
    ['validUntil is a leap second before validFrom', '2030-01-01T00:00:00Z', '2016-12-31T23:59:60Z'],
    ['validFrom is a leap second after validUntil', '2016-12-31T23:59:60Z', '2016-01-01T00:00:00Z'],
    ['validFrom is a leap second and there is no end', '2016-12-31T23:59:60Z', null],
    ['validUntil cannot be read as an instant', '2025-03-01T00:00:00Z', 'not-a-timestamp'],
  ])('refuses a window the node cannot order: %s', (_, validFrom, validUntil) => {
    given([])
      .when(certify({ validFrom, validUntil }))
      .thenThrows(CertificationError, 'VALIDITY_WINDOW_INVALID');
  });
});

describe('certification status', () => {
  const history: Record<CertificationStatus, CertificationEvent[]> = {
    active: [certified()],
    suspended: [certified(), statusEvent('CertificationSuspended', 'HEALTH', '2025-03-15T00:00:00Z')],
    revoked: [certified(), statusEvent('CertificationRevoked', 'HEALTH', '2025-03-15T00:00:00Z')],
  };

  // Every (state, command) pair: the event it produces and the status it leads to, or null when refused.
  const table: [
    CertificationStatus,
    StatusCommandType,
    CertificationEvent['type'] | null,
    CertificationStatus | null,
  ][] = [
    ['active', 'SuspendCertification', 'CertificationSuspended', 'suspended'],
    ['active', 'ReinstateCertification', null, null],
    ['active', 'RevokeCertification', 'CertificationRevoked', 'revoked'],
    ['suspended', 'SuspendCertification', null, null],
    ['suspended', 'ReinstateCertification', 'CertificationReinstated', 'active'],
    ['suspended', 'RevokeCertification', 'CertificationRevoked', 'revoked'],
    ['revoked', 'SuspendCertification', null, null],
    ['revoked', 'ReinstateCertification', null, null],
    ['revoked', 'RevokeCertification', null, null],
  ];

  it('folds each history to the status it is named after', () => {
    for (const [status, events] of Object.entries(history)) {
      expect(foldEvents(certificationDecider, events).status).toBe(status);
    }
  });

  it.each(table)('from %s, %s → %s', (from, command, eventType, to) => {
    if (eventType === null || to === null) {
      given(history[from]).when(change(command)).thenThrows(CertificationError, 'INVALID_STATUS_TRANSITION');
      return;
    }
    const expected = statusEvent(eventType as Exclude<CertificationEvent['type'], 'RecordCertified'>);
    given(history[from]).when(change(command)).then([expected]);
    expect(foldEvents(certificationDecider, [...history[from], expected]).status).toBe(to);
  });

  it('keeps the certified record in state through status changes', () => {
    const state = foldEvents(certificationDecider, [
      ...history.suspended,
      statusEvent('CertificationReinstated'),
    ]);
    expect(state).toStrictEqual({ status: 'active', record: certified().data });
  });

  it('lets the authority change the status of any certification', () => {
    given(history.active)
      .when(change('SuspendCertification', authority))
      .then([statusEvent('CertificationSuspended', 'ROOT')]);
  });

  it('refuses a third party, even an issuer accredited for the same record type', () => {
    given(history.active)
      .when(change('RevokeCertification', otherIssuer))
      .thenThrows(CertificationError, 'NOT_ISSUER');
  });

  it('refuses the issuer once it is revoked', () => {
    given(history.active)
      .when(change('RevokeCertification', { ...issuer, status: 'revoked' }))
      .thenThrows(CertificationError, 'ACTOR_REVOKED');
  });

  it('refuses a certification that does not exist', () => {
    given([]).when(change('SuspendCertification')).thenThrows(CertificationError, 'CERTIFICATION_NOT_FOUND');
  });
});

describe('certificationIdFor', () => {
  // An independent derivation: node's SHA-256 and a BigInt base32, against the domain's own.
  function referenceId(actor: string, commandId: string): string {
    const digest = createHash('sha256')
      .update(`chancery/certification\n${actor}\n${commandId}`, 'utf8')
      .digest();
    let bits = BigInt(`0x${digest.subarray(0, 15).toString('hex')}`);
    let out = '';
    for (let i = 0; i < 24; i++) {
      out = 'abcdefghijklmnopqrstuvwxyz234567'[Number(bits & 31n)] + out;
      bits >>= 5n;
    }
    return `crt_${out}`;
  }

  it('is deterministic, so a retried command lands on the same stream', () => {
    expect(certificationIdFor('HEALTH', 'cmd-0001')).toBe(certificationIdFor('HEALTH', 'cmd-0001'));
  });

  it('differs by actor and by command id', () => {
    const id = certificationIdFor('HEALTH', 'cmd-0001');
    expect(certificationIdFor('TRANSPORT', 'cmd-0001')).not.toBe(id);
    expect(certificationIdFor('HEALTH', 'cmd-0002')).not.toBe(id);
  });

  it('matches CERTIFICATION_ID_PATTERN and an independent derivation', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (actor, commandId) => {
        const id = certificationIdFor(actor, commandId);
        expect(id).toMatch(new RegExp(CERTIFICATION_ID_PATTERN));
        expect(id).toBe(referenceId(actor, commandId));
      }),
    );
  });
});
