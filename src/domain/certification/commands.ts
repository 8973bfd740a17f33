import type { ActorSnapshot } from '../shared/decider.js';
import type { CertificationMetadata } from './events.js';

interface CertificationCommandBase {
  readonly actor: ActorSnapshot;
  /** Signed issuedAt, already checked against the server clock. */
  readonly at: string;
  readonly certificationId: string;
}

export interface CertifyRecord extends CertificationCommandBase {
  readonly type: 'CertifyRecord';
  readonly recordDigest: string;
  readonly recordType: string;
  readonly subjectRef: string | null;
  readonly validFrom: string;
  readonly validUntil: string | null;
  readonly metadata: CertificationMetadata | null;
}

export interface ChangeCertificationStatus extends CertificationCommandBase {
  readonly type: 'SuspendCertification' | 'ReinstateCertification' | 'RevokeCertification';
  readonly reason: string;
}

export type CertificationCommand = CertifyRecord | ChangeCertificationStatus;
