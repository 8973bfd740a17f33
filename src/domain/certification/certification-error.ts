export type CertificationErrorCode =
  | 'CERTIFICATION_ALREADY_EXISTS'
  | 'CERTIFICATION_NOT_FOUND'
  | 'INVALID_STATUS_TRANSITION'
  | 'NOT_ISSUER'
  | 'ROLE_MISSING'
  | 'ACCREDITATION_MISSING'
  | 'ACTOR_REVOKED'
  | 'VALIDITY_WINDOW_INVALID';

/** The one error type of the certification context; the API maps `code` to an HTTP status. */
export class CertificationError extends Error {
  constructor(
    readonly code: CertificationErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CertificationError';
  }
}
