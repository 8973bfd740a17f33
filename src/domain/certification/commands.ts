import type { ActorSnapshot } from '../shared/decider.js';
import type { PackedDigests } from './batch-digest-intake.js';
import type { BatchSliceEncoding, CertificationMetadata } from './events.js';

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
  /** The earlier certification this one explicitly reissues, from the signed payload; null when none. */
  readonly reissueOf: string | null;
  /**
   * The issuer's latest earlier certification of the same record (digest and record type), as the API
   * node's read model knew it when the command was planned; null when none. Absent when a replay plans
   * an entry the log already accepted: the log's verdict stands and is not judged again.
   */
  readonly earlier?: EarlierCertification | null;
}

export interface EarlierCertification {
  readonly certificationId: string;
  readonly status: 'active' | 'suspended' | 'revoked';
}

export interface ChangeCertificationStatus extends CertificationCommandBase {
  readonly type: 'SuspendCertification' | 'ReinstateCertification' | 'RevokeCertification';
  readonly reason: string;
  /**
   * For a record certified in a batch: what the batch says about it, looked up
   * when the command is planned. Its own stream holds only status changes, so
   * the batch is where its issuer and existence come from.
   */
  readonly batchRecord?: BatchRecordFacts | null;
}

export interface BatchRecordFacts {
  readonly batchId: string;
  readonly index: number;
  readonly issuerId: string;
}

/** Certify `count` records by the RFC 6962 root of their digests, with the digest list uploaded beside it. */
export interface CertifyBatch {
  readonly type: 'CertifyBatch';
  readonly actor: ActorSnapshot;
  readonly at: string;
  readonly batchId: string;
  readonly recordType: string;
  readonly validFrom: string;
  readonly validUntil: string | null;
  readonly metadata: CertificationMetadata | null;
  /** Hex root the department signed. */
  readonly batchRoot: string;
  /** Number of records the department signed. */
  readonly count: number;
  /**
   * The uploaded digests in tree order; not part of the signed payload. Lower-case hex from the JSON
   * route and a mirror's replay; packed bytes, with the root hashed while they streamed in, from the
   * streamed upload (ParallelDigestIntake).
   */
  readonly digests: readonly string[] | PackedDigests;
  /**
   * How the BatchDigestsRecorded slices spell the digests: base64 (the default, what the node writes) or
   * hex, when a mirror replays a log written before base64 slices and must decide the same bytes.
   */
  readonly sliceEncoding?: BatchSliceEncoding;
}

export type CertificationCommand = CertifyRecord | ChangeCertificationStatus;
