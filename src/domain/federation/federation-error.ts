/**
 * The one error type of the federation bounded context (trust policies and
 * the tlog-witness wire format). Every throwing function in
 * src/domain/federation throws this class, or LogProofError from the log
 * primitives it builds on, with a code from the closed union below.
 */

export type FederationErrorCode =
  /** A policy line breaks the C2SP tlog-policy syntax, or a key in it is malformed or of the wrong type. */
  | 'POLICY_MALFORMED'
  /** A group or the quorum names a witness or group not defined on an earlier line. */
  | 'POLICY_NAME_UNKNOWN'
  /** A name, a key or a group member appears twice where the format allows it once. */
  | 'POLICY_DUPLICATE'
  /** The policy is larger than this implementation accepts (lines, witnesses, groups or bytes). */
  | 'POLICY_LIMIT'
  /** A log-signed policy note is not header, origin and sequence lines followed by a policy. */
  | 'POLICY_NOTE_MALFORMED'
  /** An add-checkpoint request body breaks the tlog-witness syntax. */
  | 'WITNESS_REQUEST_MALFORMED'
  /** An add-checkpoint response body is not a sequence of signature lines. */
  | 'WITNESS_RESPONSE_MALFORMED';

export class FederationError extends Error {
  override readonly name = 'FederationError';

  constructor(
    readonly code: FederationErrorCode,
    message: string,
  ) {
    super(message);
  }
}
