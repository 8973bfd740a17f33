import { loadSchema } from './schema-files.js';

const problem = loadSchema('api/problem.json');

/** Problem responses every route can give, so OpenAPI lists them and serialisation keeps extensions. */
export const problemResponses = {
  '4xx': {
    description: 'RFC 9457 problem details',
    content: { 'application/problem+json': { schema: problem } },
  },
  '5xx': {
    description: 'RFC 9457 problem details',
    content: { 'application/problem+json': { schema: problem } },
  },
} as const;

export const schemas = {
  registerIdentity: loadSchema('commands/register-identity.json'),
  rotateIdentityKey: loadSchema('commands/rotate-identity-key.json'),
  accreditIdentity: loadSchema('commands/accredit-identity.json'),
  revokeIdentity: loadSchema('commands/revoke-identity.json'),
  updateIdentityRoles: loadSchema('commands/update-identity-roles.json'),
  certifyRecord: loadSchema('commands/certify-record.json'),
  changeCertificationStatus: loadSchema('commands/change-certification-status.json'),
  certifyBatch: loadSchema('commands/certify-batch.json'),
  batchUpload: loadSchema('api/batch-upload.json'),
  batchWriteResult: loadSchema('api/batch-write-result.json'),
  batch: loadSchema('api/batch.json'),
  writeResult: loadSchema('api/write-result.json'),
  identity: loadSchema('api/identity.json'),
  identityPage: loadSchema('api/identity-page.json'),
  key: loadSchema('api/key.json'),
  certification: loadSchema('api/certification.json'),
  certificationPage: loadSchema('api/certification-page.json'),
  status: loadSchema('api/status.json'),
  log: loadSchema('api/log.json'),
  logConsistency: loadSchema('api/log-consistency.json'),
  logEntries: loadSchema('api/log-entries.json'),
  logInclusionProof: loadSchema('api/log-inclusion-proof.json'),
};

export const identityIdParam = {
  type: 'object',
  required: ['identityId'],
  additionalProperties: false,
  properties: { identityId: { type: 'string', pattern: '^[A-Z0-9][A-Z0-9._-]{1,63}$' } },
} as const;

export const certificationIdParam = {
  type: 'object',
  required: ['certificationId'],
  additionalProperties: false,
  properties: { certificationId: { type: 'string', pattern: '^crt_[a-z2-7]{24}$' } },
} as const;

export const batchIdParam = {
  type: 'object',
  required: ['batchId'],
  additionalProperties: false,
  properties: { batchId: { type: 'string', pattern: '^bat_[a-z2-7]{24}$' } },
} as const;

export const pagingQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  cursor: { type: 'string', pattern: '^[0-9]{1,20}$', description: 'nextCursor of the previous page' },
} as const;

/**
 * Query of every signed write: `?wait=sealed` answers only once the entry is in a signed checkpoint,
 * `?wait=final` once it is in one the witness quorum cosigned.
 */
export const writeQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    wait: {
      type: 'string',
      enum: ['sealed', 'final'],
      description:
        'sealed: answer once the entry is in a signed checkpoint, with its leafIndex and checkpoint; ' +
        "final: once it is in a checkpoint the trust policy's witness quorum cosigned, with that cosigned checkpoint " +
        '(503 FINALITY_TIMEOUT with Retry-After if that takes too long)',
    },
  },
} as const;

/** What a route with writeQuery receives. */
export interface WriteQuery {
  wait?: 'sealed' | 'final';
}
