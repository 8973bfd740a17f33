export type CertificationErrorCode =
  | 'CERTIFICATION_ALREADY_EXISTS'
  /** The issuer already certified this record (digest, record type), and the command is no explicit reissue of it. */
  | 'RECORD_ALREADY_CERTIFIED'
  | 'CERTIFICATION_NOT_FOUND'
  | 'INVALID_STATUS_TRANSITION'
  | 'NOT_ISSUER'
  | 'ROLE_MISSING'
  | 'ACCREDITATION_MISSING'
  | 'ACTOR_REVOKED'
  | 'VALIDITY_WINDOW_INVALID'
  /** The uploaded digests do not hash to the batch root the department signed. */
  | 'BATCH_ROOT_MISMATCH'
  /** The number of uploaded digests is not the count the department signed. */
  | 'BATCH_COUNT_MISMATCH';

/** The one error type of the certification context; the API maps `code` to an HTTP status. */
export class CertificationError extends Error {
  constructor(
    readonly code: CertificationErrorCode,
    message: string,
    /** Facts a client needs to act on the error (e.g. the existing certification's id). */
    readonly details: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'CertificationError';
  }
}
