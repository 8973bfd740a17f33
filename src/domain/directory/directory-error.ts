export type DirectoryErrorCode =
  | 'ENTRY_ALREADY_EXISTS'
  | 'ENTRY_NOT_FOUND'
  | 'ENTRY_WITHDRAWN'
  | 'NOT_OWNER'
  | 'ROLE_MISSING'
  | 'ACTOR_REVOKED'
  | 'SCHEMA_CHANGED'
  | 'COVERAGE_INVALID'
  | 'LANGUAGE_UNKNOWN'
  | 'OWN_DATASET'
  | 'REQUEST_ALREADY_EXISTS'
  | 'REQUEST_NOT_FOUND'
  | 'REQUEST_NOT_PENDING'
  | 'GRANT_NOT_FOUND'
  | 'GRANT_NOT_ACTIVE'
  | 'EXPIRY_INVALID'
  | 'VERSION_NOT_FOUND'
  | 'ACCESS_NOT_GRANTED'
  | 'GRANT_EXPIRED'
  | 'GRANT_REVOKED'
  | 'GRANT_HOLDER_MISMATCH'
  | 'VERSION_NOT_IN_GRANT_SCOPE';

/** The one error type of the directory context; the API maps `code` to an HTTP status by name. */
export class DirectoryError extends Error {
  constructor(
    readonly code: DirectoryErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DirectoryError';
  }
}
