/**
 * The one error type of the state-map bounded context. Everything in
 * src/domain/state-map that rejects input throws this class and nothing else,
 * with a code from the closed union below, so a verifier (the citizen page,
 * `chancery verify`, a witness) can switch on `code` exhaustively.
 */

export type StateProofErrorCode =
  /** The proof is not the documented JSON shape: wrong type, a missing or unknown field, an unknown terminal kind. */
  | 'PROOF_MALFORMED'
  /** The proof has more siblings than a 256-bit key has bits. */
  | 'PROOF_TOO_DEEP'
  /** A hash (root, sibling, terminal key or value hash) is not 32 bytes in canonical base64, or writes the empty hash other than as "". */
  | 'HASH_MALFORMED'
  /** A key is not a well-formed Unicode string of at most MAX_STATE_KEY_BYTES UTF-8 bytes. */
  | 'KEY_INVALID'
  /** A value is not a JSON object with an RFC 8785 form. */
  | 'VALUE_INVALID'
  /** The terminal contradicts the claim: a value terminal for absence, another leaf for membership, a leaf of the key itself offered as absence, or a leaf off the key's path. */
  | 'TERMINAL_MISMATCH'
  /** A well-formed proof leads to a different root. */
  | 'ROOT_MISMATCH';

export class StateProofError extends Error {
  override readonly name = 'StateProofError';

  constructor(
    readonly code: StateProofErrorCode,
    message: string,
  ) {
    super(message);
  }
}
