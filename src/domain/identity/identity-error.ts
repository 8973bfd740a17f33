export type IdentityErrorCode =
  | 'IDENTITY_ALREADY_EXISTS'
  | 'IDENTITY_NOT_FOUND'
  | 'IDENTITY_REVOKED'
  | 'PARENT_NOT_FOUND'
  | 'KEY_ALREADY_REGISTERED'
  | 'KEY_NOT_ACTIVE'
  | 'AUTHORITY_NOT_REVOCABLE'
  | 'ROLE_MISSING'
  | 'ROLE_NOT_ASSIGNABLE'
  | 'NOT_AN_ISSUER';

/** The one error type of the identity context; the API maps `code` to an HTTP status. */
export class IdentityError extends Error {
  constructor(
    readonly code: IdentityErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IdentityError';
  }
}
