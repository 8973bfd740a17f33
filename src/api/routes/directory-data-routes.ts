import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type VerifiedRequest, verifyRequestSignature } from '../../application/auth/verify-request.js';
import { ProblemError } from '../../application/problems/problem.js';
import { fromHex } from '../../domain/crypto/hex.js';
import {
  contentDigestHeader,
  contentDigestSha256,
  StructuredFieldError,
} from '../../domain/crypto/http-message-signature.js';
import type { DatasetMediaType } from '../../domain/directory/events.js';
import type { UploadsPerKey } from '../hardening/uploads-per-key.js';
import { fetchView, versionView } from '../presenters/directory-views.js';
import { directorySchemas, entryIdParam } from '../schemas/directory-schemas.js';
import { pagingQuery, problemResponses } from '../schemas/route-schemas.js';
import type { DirectoryRouteDeps } from './directory-route-deps.js';

const MEDIA_TYPES: Record<string, DatasetMediaType> = {
  'application/json': 'application/json',
  'application/x-ndjson': 'application/x-ndjson',
};

const DEFAULT_MAX_ERRORS = 100;

/** RFC 9421 headers, listed for OpenAPI; the verifier reads them, so the schema does not require them. */
export const signatureHeaders = {
  type: 'object',
  properties: {
    'signature-input': {
      type: 'string',
      description: 'RFC 9421: sig1=("@method" "@path" "@query" …);created=…;keyid="ed25519:…"',
    },
    signature: { type: 'string', description: 'RFC 9421: sig1=:base64:' },
  },
} as const;

/** The request's RFC 9421 signature, checked (null when it carries none). */
export function verifierOf(deps: DirectoryRouteDeps) {
  return (request: FastifyRequest, required: readonly string[]): VerifiedRequest | null =>
    verifyRequestSignature(
      { method: request.method, url: request.url, headers: request.headers },
      {
        registry: deps.registry,
        now: deps.clock(),
        maxSkewMs: deps.maxSkewMs,
        replay: deps.replay,
        required,
      },
    );
}

interface UploadRoute {
  Params: { entryId: string };
  Querystring: { maxErrors: number };
}

const uploadSchema = {
  tags: ['directory'],
  summary:
    'Upload a dataset version as a JSON array or NDJSON (streamed; RFC 9421-signed by the publisher, with Content-Digest)',
  params: entryIdParam,
  headers: {
    ...signatureHeaders,
    properties: {
      ...signatureHeaders.properties,
      'content-digest': { type: 'string', description: 'RFC 9530: sha-256=:base64:' },
    },
  },
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      maxErrors: {
        type: 'integer',
        minimum: 1,
        maximum: 100,
        default: DEFAULT_MAX_ERRORS,
        description: 'Schema errors to list in RECORDS_INVALID (every error of a record counts)',
      },
    },
  },
  response: { 200: directorySchemas.upload, 201: directorySchemas.upload, ...problemResponses },
};

/** The upload's media type, from Content-Type. */
function uploadMediaType(request: FastifyRequest): DatasetMediaType {
  const mediaType = MEDIA_TYPES[String(request.headers['content-type']).split(';')[0]!.trim().toLowerCase()];
  if (mediaType === undefined)
    throw new ProblemError(
      'UNSUPPORTED_MEDIA_TYPE',
      'send application/json (an array) or application/x-ndjson',
    );
  return mediaType;
}

/** The signed Content-Digest's SHA-256. */
function uploadDigest(request: FastifyRequest): Uint8Array {
  let expectedDigest: Uint8Array | null;
  try {
    expectedDigest = contentDigestSha256(String(request.headers['content-digest'] ?? ''));
  } catch (error) {
    if (!(error instanceof StructuredFieldError)) throw error;
    expectedDigest = null;
  }
  if (expectedDigest === null)
    throw new ProblemError(
      'CONTENT_DIGEST_MISSING',
      'send Content-Digest: sha-256=:<base64 of the SHA-256 of the body>:',
    );
  return expectedDigest;
}

/** Content-Length when sent; a body announced larger than the limit is refused before it is read. */
function uploadLength(request: FastifyRequest, maxUploadBytes: number): number | null {
  const declared = request.headers['content-length'];
  const expectedLength = declared === undefined ? null : Number(declared);
  if (expectedLength !== null && expectedLength > maxUploadBytes)
    throw new ProblemError('BODY_TOO_LARGE', `the upload is larger than ${maxUploadBytes} bytes`);
  return expectedLength;
}

function uploadVersion(deps: DirectoryRouteDeps, uploadsPerKey: UploadsPerKey) {
  const verify = verifierOf(deps);
  return async (request: FastifyRequest<UploadRoute>, reply: FastifyReply) => {
    const { entryId } = request.params;
    const verified = verify(request, ['content-digest', 'content-type']);
    if (verified === null)
      throw new ProblemError(
        'SIGNATURE_MISSING',
        'an upload must be signed (RFC 9421 Signature-Input and Signature)',
      );
    uploadsPerKey.hold(verified.key.keyId, reply);
    const mediaType = uploadMediaType(request);
    const expectedDigest = uploadDigest(request);
    const expectedLength = uploadLength(request, deps.limits.maxUploadBytes);
    const { version, replayed } = await deps.uploads.upload({
      entryId,
      verified,
      body: request.body as Readable,
      mediaType,
      expectedDigest,
      expectedLength,
      maxErrors: request.query.maxErrors,
    });
    return reply.code(replayed ? 200 : 201).send({ entryId, ...versionView(version), replayed });
  };
}

interface FetchRoute {
  Params: { entryId: string; version: string };
  Querystring: { grant?: string };
}

const fetchSchema = {
  tags: ['directory'],
  summary:
    'Fetch a dataset version (or latest). Public data: anonymous; otherwise RFC 9421-signed by a grant holder. Recorded as DatasetFetched first.',
  params: {
    type: 'object',
    required: ['entryId', 'version'],
    additionalProperties: false,
    properties: {
      entryId: entryIdParam.properties.entryId,
      version: { type: 'string', pattern: '^(latest|[1-9][0-9]{0,8})$' },
    },
  },
  headers: signatureHeaders,
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      grant: { type: 'string', pattern: '^grt_[a-z2-7]{24}$', description: 'Which grant to use' },
    },
  },
  response: {
    200: { description: 'The dataset bytes as uploaded (JSON array or NDJSON), with Content-Digest' },
    ...problemResponses,
  },
};

function fetchVersion(deps: DirectoryRouteDeps) {
  const verify = verifierOf(deps);
  return async (request: FastifyRequest<FetchRoute>, reply: FastifyReply) => {
    const { entryId } = request.params;
    const { version } = await deps.fetches.fetch({
      entryId,
      version: request.params.version === 'latest' ? 'latest' : Number(request.params.version),
      verified: verify(request, []),
      grantId: request.query.grant ?? null,
    });
    const digest = fromHex(version.digest)!;
    return reply
      .type(version.mediaType)
      .header('content-length', String(version.byteCount))
      .header('content-digest', contentDigestHeader(digest))
      .header('x-chancery-dataset-version', String(version.version))
      .header('x-chancery-schema-digest', version.schemaDigest)
      .send(deps.blobs.read(version.digest));
  };
}

interface AuditRoute {
  Params: { entryId: string };
  Querystring: { limit: number; cursor?: string };
}

const auditSchema = {
  tags: ['directory'],
  summary: 'Who fetched which version and when (RFC 9421-signed by the publisher or the authority)',
  params: entryIdParam,
  headers: signatureHeaders,
  querystring: { type: 'object', additionalProperties: false, properties: pagingQuery },
  response: { 200: directorySchemas.audit, ...problemResponses },
};

function fetchAudit(deps: DirectoryRouteDeps) {
  const verify = verifierOf(deps);
  return async (request: FastifyRequest<AuditRoute>) => {
    const { entryId } = request.params;
    const verified = verify(request, []);
    if (verified === null)
      throw new ProblemError('SIGNATURE_MISSING', 'the audit trail is for the publisher: sign the request');
    const entry = deps.catalog.get(entryId);
    if (entry === undefined) throw new ProblemError('ENTRY_NOT_FOUND', `no catalog entry ${entryId}`);
    const who = verified.actor.identityId;
    if (who !== entry.publisherId && !verified.actor.roles.includes('authority')) {
      throw new ProblemError(
        'NOT_OWNER',
        `catalog entry ${entryId} belongs to ${entry.publisherId}, not ${who}`,
      );
    }
    const { limit, cursor } = request.query;
    const items = deps.sharing.fetches(entryId, cursor === undefined ? null : BigInt(cursor), limit);
    const last = items[items.length - 1];
    return {
      entryId,
      items: items.map(fetchView),
      nextCursor: items.length === limit && last !== undefined ? last.position.toString() : null,
    };
  };
}

export async function directoryDataRoutes(
  app: FastifyInstance,
  deps: DirectoryRouteDeps,
  uploadsPerKey: UploadsPerKey,
): Promise<void> {
  // In this scope only: upload bodies reach the handler as the raw stream, never buffered or parsed whole.
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser(['application/json', 'application/x-ndjson'], (_request, payload, done) =>
    done(null, payload),
  );
  // A refusal sent before the body was read closes the connection (hardening/json-body-parser.ts's onSend hook).
  app.post<UploadRoute>(
    '/v1/directory/entries/:entryId/versions',
    { schema: uploadSchema },
    uploadVersion(deps, uploadsPerKey),
  );
  app.get<FetchRoute>(
    '/v1/directory/entries/:entryId/versions/:version/data',
    // Streamed from the blob store: its own cap while it is sent (hardening/load-shedding.ts).
    { schema: fetchSchema, config: { streamedAnswer: true } },
    fetchVersion(deps),
  );
  app.get<AuditRoute>('/v1/directory/entries/:entryId/audit', { schema: auditSchema }, fetchAudit(deps));
}
