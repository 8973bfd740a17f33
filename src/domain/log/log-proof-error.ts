/**
 * The one error type of the log bounded context. Every throwing function in
 * src/domain/log throws this class and nothing else, with a code from the
 * closed union below, so callers (the API's problem+json table, the browser
 * verifier, the witness) can switch on `code` exhaustively.
 */

export type LogProofErrorCode =
  /** A leaf index is negative, not a safe integer, or not below the tree size. */
  | 'INDEX_OUT_OF_RANGE'
  /** A tree size is negative or not a safe integer, or an old size exceeds the new one. */
  | 'SIZE_OUT_OF_RANGE'
  /** A proof does not have exactly the number of hashes its sizes call for. */
  | 'PROOF_LENGTH'
  /** A hash (leaf, root or proof element) is not exactly 32 bytes. */
  | 'HASH_SIZE'
  /** A well-formed inclusion proof does not lead to the given root. */
  | 'INCLUSION_PROOF_INVALID'
  /** A well-formed consistency proof does not lead to both given roots. */
  | 'CONSISTENCY_PROOF_INVALID'
  /** A HashReader returned the wrong number of hashes or a hash of the wrong size. */
  | 'HASH_READER'
  /** A signed note breaks the C2SP signed-note syntax. */
  | 'NOTE_MALFORMED'
  /** A signed note carries more signature lines than MAX_NOTE_SIGNATURES. */
  | 'NOTE_TOO_MANY_SIGNATURES'
  /** A signature by a known key (name and key ID both match) failed to verify. */
  | 'NOTE_SIGNATURE_INVALID'
  /** No signature by a known key was found on the note. */
  | 'NOTE_UNVERIFIED'
  /** A key name is empty, or contains a Unicode space or a plus sign. */
  | 'KEY_NAME_INVALID'
  /** A verifier or signer key string is malformed, of an unexpected type, or of the wrong size. */
  | 'KEY_MALFORMED'
  /** A key string's key ID does not match the ID computed from its name and key. */
  | 'KEY_ID_MISMATCH'
  /** Two configured verifiers share both name and key ID. */
  | 'KEY_AMBIGUOUS'
  /** A checkpoint body breaks the C2SP tlog-checkpoint syntax. */
  | 'CHECKPOINT_MALFORMED'
  /** A cosignature is not keyID ‖ uint64 timestamp ‖ 64-byte Ed25519 signature, or its time is out of range. */
  | 'COSIGNATURE_MALFORMED'
  /** A well-formed cosignature does not verify under the witness key. */
  | 'COSIGNATURE_INVALID'
  /** A C2SP tlog-proof text breaks the tlog-proof syntax. */
  | 'TLOG_PROOF_MALFORMED';

export class LogProofError extends Error {
  override readonly name = 'LogProofError';

  constructor(
    readonly code: LogProofErrorCode,
    message: string,
  ) {
    super(message);
  }
}
