/** A certifying event: the command that must have caused it, and the fields it must copy from that command. */
export interface CertifyingEvent {
  readonly command: 'CertifyRecord' | 'CertifyBatch';
  readonly signedFields: readonly string[];
}

/** The two entries that certify: one record, or a batch whose root the record's batch path leads to. */
export const CERTIFYING_EVENTS: Readonly<Record<string, CertifyingEvent>> = {
  RecordCertified: {
    command: 'CertifyRecord',
    signedFields: ['recordDigest', 'recordType', 'validFrom', 'subjectRef', 'validUntil', 'metadata'],
  },
  BatchCertified: {
    command: 'CertifyBatch',
    signedFields: ['recordType', 'validFrom', 'validUntil', 'metadata', 'batchRoot', 'count'],
  },
};
