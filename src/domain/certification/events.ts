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
    /** On an explicit reissue only: the earlier certification of the same record, linked. */
    readonly reissueOf?: string;
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

/**
 * A bulk certification: one signed command certifies `count` records at once
 * by the RFC 6962 root of their digests (src/domain/log/batch-tree.ts). This
 * event is the batch's log entry, and every record's proof starts from it.
 */
export interface BatchCertified {
  readonly type: 'BatchCertified';
  readonly data: {
    readonly batchId: string;
    readonly issuerId: string;
    readonly recordType: string;
    readonly validFrom: string;
    readonly validUntil: string | null;
    readonly metadata: CertificationMetadata | null;
    /** Hex RFC 6962 root over SHA-256(0x00 ‖ digest) of each record, as signed. */
    readonly batchRoot: string;
    readonly count: number;
    readonly certifiedAt: string;
  };
}

/**
 * A slice of a batch's digest list, in tree order from index `from`. The
 * digests live in the event store (the truth), beside the batch entry and in
 * the same atomic append, so the per-record read model, and any mirror of the
 * log, can be rebuilt from events alone. They are split so that no single
 * event or log leaf grows with the batch (see BATCH_DIGESTS_PER_EVENT).
 *
 * Two encodings of the same list (src/domain/certification/batch-slice.ts):
 * `digestsBase64`, the 32-byte digests end to end in one canonical padded
 * base64 string (RFC 4648 §4), which the node writes; and `digests`, one
 * lower-case hex string per digest, which logs written before it hold. One
 * string per slice instead of 512 made a million-record batch's events a
 * third smaller and its node memory a fraction (issue 14).
 */
export interface BatchDigestsRecorded {
  readonly type: 'BatchDigestsRecorded';
  readonly data: BatchDigestSlice;
}

export type BatchDigestSlice =
  | {
      readonly batchId: string;
      readonly from: number;
      /** Canonical padded base64 of the 32-byte SHA-256 digests of records from, from + 1, … end to end. */
      readonly digestsBase64: string;
    }
  | {
      readonly batchId: string;
      readonly from: number;
      /** Lower-case hex SHA-256 digests of records from, from + 1, … (logs written before digestsBase64). */
      readonly digests: readonly string[];
    };

/** How a batch's slices spell their digests: base64, as the node writes them, or hex, as older logs hold them. */
export type BatchSliceEncoding = 'base64' | 'hex';

export type BatchEvent = BatchCertified | BatchDigestsRecorded;

export const BATCH_EVENT_TYPES = [
  'BatchCertified',
  'BatchDigestsRecorded',
] as const satisfies readonly BatchEvent['type'][];

/**
 * Digests per BatchDigestsRecorded event: about 22 KB of event data (34 KB as hex). Small
 * enough that a page of log entries or a store read stays a few MB, large
 * enough that 100,000 records take 196 events.
 */
export const BATCH_DIGESTS_PER_EVENT = 512;

/**
 * Largest batch: a million records, streamed as 32 MB of raw digests
 * (POST /v1/certifications/batches/stream). The JSON route takes 15,000
 * (1 MiB, from a sender authenticated by its header first; 64 KiB otherwise). The append is about 44 MB of events: one transaction on
 * SQLite and PostgreSQL; EventStoreDB needs its MaxAppendSize raised to match.
 */
export const MAX_BATCH_RECORDS = 1_000_000;

export function batchStream(batchId: string): string {
  return `batch-${batchId}`;
}
