/**
 * The one catalogue of problem codes. Every error a client can see has a code
 * here, with its HTTP status and a stable title. docs/errors.md lists the same
 * codes; test/unit/api/problem-catalogue.test.ts keeps the two in step.
 */
export const PROBLEM_CATALOGUE = {
  // Request shape
  BODY_MALFORMED: { status: 400, title: 'The request body is not valid JSON' },
  BODY_INVALID: { status: 400, title: 'The request does not match its schema' },
  BODY_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The request content type is not supported' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  COMMAND_TYPE_MISMATCH: { status: 400, title: 'The command type does not belong to this route' },
  PATH_MISMATCH: { status: 400, title: 'The command names a different resource than the path' },

  // Envelope and authentication
  SIGNATURE_KEY_MISMATCH: { status: 400, title: 'The signature key id differs from the payload key id' },
  ENCODING_INVALID: { status: 400, title: 'A key, digest or signature is not correctly encoded' },
  ACTOR_UNKNOWN: { status: 401, title: 'The actor is not a registered identity' },
  KEY_UNKNOWN: { status: 401, title: 'The key is not registered to the actor' },
  KEY_RETIRED: { status: 401, title: 'The key was retired by a rotation' },
  SIGNATURE_INVALID: { status: 401, title: 'The signature does not verify' },
  ACTOR_REVOKED: { status: 403, title: 'The actor identity is revoked' },
  ROLE_MISSING: { status: 403, title: 'The actor lacks the role this command needs' },
  ACCREDITATION_MISSING: { status: 403, title: 'The actor is not accredited for this record type' },
  NOT_ISSUER: { status: 403, title: 'Only the issuer or the authority may change this certification' },
  ISSUED_AT_SKEW: { status: 400, title: 'issuedAt is outside the allowed clock skew' },
  COMMAND_ID_REUSED: { status: 409, title: 'The command id was already used for a different command' },

  // Identity
  IDENTITY_ALREADY_EXISTS: { status: 409, title: 'The organisation code is already registered' },
  IDENTITY_NOT_FOUND: { status: 404, title: 'No such identity' },
  IDENTITY_REVOKED: { status: 409, title: 'The identity is revoked' },
  PARENT_NOT_FOUND: { status: 422, title: 'The parent identity does not exist' },
  KEY_ALREADY_REGISTERED: { status: 409, title: 'The key is already registered' },
  KEY_NOT_ACTIVE: { status: 422, title: 'The key is not an active key of the identity' },
  AUTHORITY_NOT_REVOCABLE: { status: 422, title: 'The root authority cannot be revoked' },
  NOT_AN_ISSUER: { status: 422, title: 'The identity does not hold the issuer role' },
  ROLE_NOT_ASSIGNABLE: { status: 422, title: 'The role cannot be assigned through registration' },
  KEY_NOT_FOUND: { status: 404, title: 'No identity holds this key' },

  // Certification
  CERTIFICATION_ALREADY_EXISTS: { status: 409, title: 'The certification already exists' },
  CERTIFICATION_NOT_FOUND: { status: 404, title: 'No such certification' },
  INVALID_STATUS_TRANSITION: { status: 409, title: 'The certification cannot make this status change' },
  VALIDITY_WINDOW_INVALID: { status: 422, title: 'The validity window is empty or reversed' },

  // Proofs
  PROOF_NOT_SEALED: { status: 503, title: 'The record is not under a signed checkpoint yet; retry shortly' },

  // Merkle log
  LOG_INDEX_OUT_OF_RANGE: { status: 400, title: 'The leaf index is not in the tree' },
  LOG_SIZE_OUT_OF_RANGE: { status: 400, title: 'The tree size is beyond the latest checkpoint' },
  LOG_RANGE_INVALID: { status: 400, title: 'The range is reversed' },
  CHECKPOINT_NOT_YET: { status: 503, title: 'No checkpoint has been signed yet; retry later' },
  SEAL_TIMEOUT: { status: 503, title: 'The write is durable but not sealed yet; retry it later' },

  // Store and server
  WRITE_CONFLICT: { status: 409, title: 'A concurrent write won; retry the command' },
  STORE_UNAVAILABLE: { status: 503, title: 'The event store is unavailable; retry later' },
  STORE_OVERLOADED: { status: 503, title: 'The node is at capacity; retry later' },
  NOT_READY: { status: 503, title: 'The node is not ready yet; retry later' },
  INTERNAL: { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEM_CATALOGUE;

export const PROBLEM_TYPE_PREFIX = 'urn:chancery:problem:';

export function problemType(code: ProblemCode): string {
  return PROBLEM_TYPE_PREFIX + code.toLowerCase().replaceAll('_', '-');
}
