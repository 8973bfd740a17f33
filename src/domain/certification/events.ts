export type CertificationStatus = 'active' | 'suspended' | 'revoked';

/** Non-personal descriptive fields; the schema bounds their number and size. */
export type CertificationMetadata = Record<string, string | number | boolean>;

export interface RecordCertified {
  readonly type: 'RecordCertified';
  readonly data: {
    readonly certificationId: string;
    readonly issuerId: string;
    /** Hex SHA-256 of the record's bytes: the record itself never reaches the node. */
    readonly recordDigest: string;
    readonly recordType: string;
    /** Salted digest naming the subject, or null; never personal data. */
    readonly subjectRef: string | null;
    readonly validFrom: string;
    readonly validUntil: string | null;
    readonly metadata: CertificationMetadata | null;
    readonly certifiedAt: string;
  };
}

interface StatusChangeData {
  readonly certificationId: string;
  readonly reason: string;
  readonly at: string;
  readonly by: string;
}

export interface CertificationSuspended {
  readonly type: 'CertificationSuspended';
  readonly data: StatusChangeData;
}

export interface CertificationReinstated {
  readonly type: 'CertificationReinstated';
  readonly data: StatusChangeData;
}

export interface CertificationRevoked {
  readonly type: 'CertificationRevoked';
  readonly data: StatusChangeData;
}

export type CertificationEvent =
  | RecordCertified
  | CertificationSuspended
  | CertificationReinstated
  | CertificationRevoked;

export const CERTIFICATION_EVENT_TYPES = [
  'RecordCertified',
  'CertificationSuspended',
  'CertificationReinstated',
  'CertificationRevoked',
] as const satisfies readonly CertificationEvent['type'][];

export function certificationStream(certificationId: string): string {
  return `certification-${certificationId}`;
}
