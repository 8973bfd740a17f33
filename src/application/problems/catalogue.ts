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
  GENESIS_MISPLACED: {
    status: 409,
    title: "A root authority can only be registered by the log's first entry",
  },
  INVALID_STATUS_TRANSITION: { status: 409, title: 'The certification cannot make this status change' },
  VALIDITY_WINDOW_INVALID: { status: 422, title: 'The validity window is empty or reversed' },
  BATCH_ROOT_MISMATCH: {
    status: 422,
    title: 'The uploaded digests do not hash to the signed batch root; nothing was stored',
  },
  BATCH_COUNT_MISMATCH: {
    status: 422,
    title: 'The number of uploaded digests is not the signed count; nothing was stored',
  },
  BATCH_NOT_FOUND: { status: 404, title: 'No such batch' },

  // Proofs
  PROOF_NOT_SEALED: { status: 503, title: 'The record is not under a signed checkpoint yet; retry shortly' },

  // Merkle log
  LOG_INDEX_OUT_OF_RANGE: { status: 400, title: 'The leaf index is not in the tree' },
  LOG_SIZE_OUT_OF_RANGE: { status: 400, title: 'The tree size is beyond the latest checkpoint' },
  LOG_RANGE_INVALID: { status: 400, title: 'The range is reversed' },
  CHECKPOINT_NOT_YET: { status: 503, title: 'No checkpoint has been signed yet; retry later' },
  SEAL_TIMEOUT: { status: 503, title: 'The write is durable but not sealed yet; retry it later' },
  TILE_PATH_INVALID: { status: 400, title: 'The path is not a C2SP tlog-tiles tile or entry bundle name' },
  TILE_NOT_FOUND: { status: 404, title: 'The tile or entry bundle is not in the latest checkpoint’s tree' },
  BUNDLE_ENTRY_TOO_LARGE: {
    status: 409,
    title: 'An entry is longer than the 65,535 bytes an entry bundle can frame; read it from /v1/log/entries',
  },

  // Federation: witnesses, mirrors, finality
  FINALITY_TIMEOUT: {
    status: 503,
    title: 'The write is sealed but the witness quorum has not cosigned it yet; retry it later',
  },
  MIRROR_READ_ONLY: { status: 403, title: 'This node is a mirror; send writes to the log’s nodes' },
  POLICY_NOT_CONFIGURED: { status: 404, title: 'This node has no trust policy' },

  // Directory: catalog entries, sharing, dataset versions
  ENTRY_NOT_FOUND: { status: 404, title: 'No such catalog entry' },
  ENTRY_ALREADY_EXISTS: { status: 409, title: 'The catalog entry already exists' },
  ENTRY_WITHDRAWN: { status: 409, title: 'The catalog entry is withdrawn' },
  NOT_OWNER: { status: 403, title: 'Only the publishing department may do this' },
  SCHEMA_INVALID: { status: 422, title: 'conformsTo is not a valid JSON Schema (2020-12)' },
  COVERAGE_INVALID: { status: 422, title: 'The temporal coverage ends before it starts' },
  LANGUAGE_UNKNOWN: { status: 422, title: 'A language is not a known EU language authority code' },
  SCHEMA_CHANGED: { status: 409, title: "The entry's schema changed during the upload; upload again" },
  OWN_DATASET: { status: 422, title: 'A department cannot request access to its own dataset' },
  REQUEST_ALREADY_EXISTS: { status: 409, title: 'The access request already exists' },
  REQUEST_NOT_FOUND: { status: 404, title: 'No such access request' },
  REQUEST_NOT_VISIBLE: {
    status: 403,
    title: "Only the entry's owner and the requester may read an access request",
  },
  REQUEST_NOT_PENDING: { status: 409, title: 'The access request was already decided' },
  GRANT_NOT_FOUND: { status: 404, title: 'No such grant' },
  GRANT_NOT_ACTIVE: { status: 409, title: 'The grant is already revoked or expired' },
  EXPIRY_INVALID: { status: 422, title: 'The grant expiry is not within the requested duration' },
  VERSION_NOT_FOUND: { status: 404, title: 'No such dataset version' },
  ACCESS_NOT_GRANTED: { status: 403, title: 'No grant allows this department to read this dataset' },
  GRANT_EXPIRED: { status: 403, title: 'The grant has expired' },
  GRANT_REVOKED: { status: 403, title: 'The grant was revoked' },
  GRANT_HOLDER_MISMATCH: { status: 403, title: 'The grant was given to another department' },
  VERSION_NOT_IN_GRANT_SCOPE: { status: 403, title: 'The grant does not cover this version' },
  RECORDS_INVALID: { status: 422, title: "Records do not match the entry's schema; nothing was stored" },
  RECORD_TOO_LARGE: { status: 413, title: 'A record is larger than the per-record limit' },
  UPLOAD_TRUNCATED: { status: 400, title: 'The upload ended before its records did; nothing was stored' },
  CONTENT_DIGEST_MISSING: { status: 400, title: 'The upload needs a sha-256 Content-Digest' },
  CONTENT_DIGEST_MISMATCH: { status: 400, title: 'The body does not match its Content-Digest' },
  QUERY_INVALID: { status: 400, title: 'The search query cannot be read' },
  CURSOR_INVALID: { status: 400, title: 'The cursor does not belong to this search' },

  // HTTP message signatures (RFC 9421)
  SIGNATURE_MISSING: { status: 401, title: 'The request needs an HTTP message signature' },
  SIGNATURE_INPUT_INVALID: {
    status: 400,
    title: 'The Signature-Input or Signature field is malformed or covers too little',
  },
  SIGNATURE_REPLAYED: { status: 401, title: 'The signature was already used' },

  // Store and server
  WRITE_CONFLICT: { status: 409, title: 'A concurrent write won; retry the command' },
  STORE_UNAVAILABLE: { status: 503, title: 'The event store is unavailable; retry later' },
  STORE_OVERLOADED: { status: 503, title: 'The node is at capacity; retry later' },
  NOT_READY: { status: 503, title: 'The node is not ready yet; retry later' },
  INTERNAL: { status: 500, title: 'Internal error' },

  // Hardening: refusals that cost the node almost nothing
  BODY_TOO_DEEP: { status: 400, title: 'The request body nests deeper than allowed' },
  BODY_NOT_I_JSON: {
    status: 400,
    title: 'The request body holds a value with no RFC 8785 form (a number out of range or a lone surrogate)',
  },
  HEADERS_TOO_LARGE: { status: 431, title: 'The request line or headers are too large' },
  REQUEST_MALFORMED: { status: 400, title: 'The HTTP request cannot be read' },
  REQUEST_TIMEOUT: { status: 408, title: 'The request took too long to arrive' },
  PARAMS_INVALID: { status: 400, title: 'A path parameter does not match its schema' },
  ISSUED_AT_INVALID: { status: 400, title: 'issuedAt is not an RFC 3339 UTC time ending in Z' },
  RECORD_ALREADY_CERTIFIED: {
    status: 409,
    title: 'This issuer already certified this record; reissue it explicitly to certify it anew',
  },
  NODE_OVERLOADED: { status: 503, title: 'The node has too many requests in flight; retry later' },
  UPLOADS_PER_KEY_EXCEEDED: { status: 429, title: 'This key has too many uploads in flight; retry later' },
  DOWNLOADS_PER_ADDRESS_EXCEEDED: {
    status: 429,
    title: 'This client address has too many downloads being sent; retry later',
  },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEM_CATALOGUE;

export const PROBLEM_TYPE_PREFIX = 'urn:chancery:problem:';

export function problemType(code: ProblemCode): string {
  return PROBLEM_TYPE_PREFIX + code.toLowerCase().replaceAll('_', '-');
}
