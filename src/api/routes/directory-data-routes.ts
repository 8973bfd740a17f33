import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type VerifiedRequest, verifyRequestSignature } from '../../application/auth/verify-request.js';
import { domainErrorToProblem } from '../../application/commands/error-mapping.js';
import { foldStream, signedRequestMetadata } from '../../application/commands/signed-request-writer.js';
import { ingestDataset } from '../../application/directory/dataset-ingest.js';
import type { DirectoryRouteDeps } from '../../application/directory/directory-module.js';
import { ProblemError } from '../../application/problems/problem.js';
import { fromHex } from '../../domain/crypto/hex.js';
import {
  contentDigestHeader,
  contentDigestSha256,
  StructuredFieldError,
} from '../../domain/crypto/http-message-signature.js';
import { accessDecider } from '../../domain/directory/access-decider.js';
import { assertUploadable, catalogEntryDecider } from '../../domain/directory/catalog-entry-decider.js';
import type { PublishDatasetVersion } from '../../domain/directory/commands.js';
import { requestIdOfGrant } from '../../domain/directory/directory-ids.js';
import {
  accessRequestStream,
  catalogEntryStream,
  type DatasetMediaType,
  fetchAuditStream,
} from '../../domain/directory/events.js';
import { authorizeFetch } from '../../domain/directory/fetch-policy.js';
import type { ActorSnapshot } from '../../domain/shared/decider.js';
import { isoSeconds } from '../../protocol/iso-seconds.js';
import { fetchView, versionView } from '../presenters/directory-views.js';
import { directorySchemas, entryIdParam } from '../schemas/directory-schemas.js';
import { pagingQuery, problemResponses } from '../schemas/route-schemas.js';

const MEDIA_TYPES: Record<string, DatasetMediaType> = {
  'application/json': 'application/json',
  'application/x-ndjson': 'application/x-ndjson',
};

const DEFAULT_MAX_ERRORS = 10;

/** RFC 9421 headers, listed for OpenAPI; the verifier reads them, so the schema does not require them. */
const signatureHeaders = {
  type: 'object',
  properties: {
    'signature-input': {
      type: 'string',
      description: 'RFC 9421: sig1=("@method" "@path" "@query" …);created=…;keyid="ed25519:…"',
    },
    signature: { type: 'string', description: 'RFC 9421: sig1=:base64:' },
  },
} as const;

function actorSnapshot(verified: VerifiedRequest): ActorSnapshot {
  const { actor } = verified;
  return {
    identityId: actor.identityId,
    roles: actor.roles,
    accreditations: actor.accreditations,
    status: actor.status,
  };
}

export async function directoryDataRoutes(app: FastifyInstance, deps: DirectoryRouteDeps): Promise<void> {
  // In this scope only: upload bodies reach the handler as the raw stream, never buffered or parsed whole.
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser(['application/json', 'application/x-ndjson'], (_request, payload, done) =>
    done(null, payload),
  );
  // A refusal sent before the body was read must not leave the client sending a gigabyte into a kept-alive socket.
  app.addHook('onSend', async (request, reply) => {
    if (reply.statusCode >= 400 && request.method === 'POST' && !request.raw.complete)
      reply.header('connection', 'close');
  });

  const verify = (request: FastifyRequest, required: readonly string[]) =>
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
  // The later of the signed time and the node's: a signer cannot backdate a request into a grant's lifetime.
  const signedNow = (verified: VerifiedRequest | null) =>
    isoSeconds(Math.max(deps.clock(), verified?.createdMs ?? 0));

  app.post<{ Params: { entryId: string }; Querystring: { maxErrors: number } }>(
    '/v1/directory/entries/:entryId/versions',
    {
      schema: {
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
            maxErrors: { type: 'integer', minimum: 1, maximum: 100, default: DEFAULT_MAX_ERRORS },
          },
        },
        response: { 200: directorySchemas.upload, 201: directorySchemas.upload, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { entryId } = request.params;
      const verified = verify(request, ['content-digest', 'content-type']);
      if (verified === null)
        throw new ProblemError(
          'SIGNATURE_MISSING',
          'an upload must be signed (RFC 9421 Signature-Input and Signature)',
        );
      const mediaType =
        MEDIA_TYPES[String(request.headers['content-type']).split(';')[0]!.trim().toLowerCase()];
      if (mediaType === undefined)
        throw new ProblemError(
          'UNSUPPORTED_MEDIA_TYPE',
          'send application/json (an array) or application/x-ndjson',
        );
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
      const declared = request.headers['content-length'];
      const expectedLength = declared === undefined ? null : Number(declared);
      if (expectedLength !== null && expectedLength > deps.limits.maxUploadBytes)
        throw new ProblemError(
          'BODY_TOO_LARGE',
          `the upload is larger than ${deps.limits.maxUploadBytes} bytes`,
        );

      // Check ownership and the schema before reading the body: a refusal should not cost a gigabyte.
      const stream = catalogEntryStream(entryId);
      const actor = actorSnapshot(verified);
      const { state } = await foldStream(deps.store, stream, catalogEntryDecider);
      try {
        assertUploadable(state, actor, entryId);
      } catch (error) {
        throw domainErrorToProblem(error);
      }
      const schema = deps.schemas.check(state.metadata.conformsTo);
      const ingested = await ingestDataset(request.body as IncomingMessage, {
        mediaType,
        schema,
        pool: deps.validationPool,
        blobs: deps.blobs,
        expectedDigest,
        expectedLength,
        maxBytes: deps.limits.maxUploadBytes,
        maxRecordBytes: deps.limits.maxRecordBytes,
        maxErrors: request.query.maxErrors,
      });
      const command: PublishDatasetVersion = {
        type: 'PublishDatasetVersion',
        actor,
        at: signedNow(verified),
        entryId,
        digest: ingested.digest,
        mediaType,
        recordCount: ingested.recordCount,
        byteCount: ingested.byteCount,
        schemaDigest: schema.digest,
      };
      const { events, state: before } = await deps.writer.decideAndAppend(
        stream,
        catalogEntryDecider,
        command,
        signedRequestMetadata(verified),
      );
      const replayed = events.length === 0;
      const version = replayed
        ? deps.catalog.version(entryId, before.status === 'none' ? 0 : before.versions.length)
        : deps.catalog.version(entryId, (events[0]!.data as { version: number }).version);
      if (version === undefined) throw new Error(`version of ${entryId} missing from the read model`);
      return reply.code(replayed ? 200 : 201).send({ entryId, ...versionView(version), replayed });
    },
  );

  app.get<{ Params: { entryId: string; version: string }; Querystring: { grant?: string } }>(
    '/v1/directory/entries/:entryId/versions/:version/data',
    {
      schema: {
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
      },
    },
    async (request, reply) => {
      const { entryId } = request.params;
      const verified = verify(request, []);
      const { state: entry } = await foldStream(deps.store, catalogEntryStream(entryId), catalogEntryDecider);
      if (verified === null && entry.status !== 'none' && entry.metadata.accessRights !== 'public') {
        throw new ProblemError(
          'SIGNATURE_MISSING',
          `catalog entry ${entryId} is ${entry.metadata.accessRights}: sign the request (RFC 9421) as a grant holder`,
        );
      }
      const at = signedNow(verified);
      const consumer = verified === null ? null : actorSnapshot(verified);
      const grantIds =
        request.query.grant !== undefined
          ? [request.query.grant]
          : consumer === null
            ? []
            : deps.sharing.grantCandidates(entryId, consumer.identityId);
      const wanted = request.params.version === 'latest' ? 'latest' : Number(request.params.version);
      let answer: ReturnType<typeof authorizeFetch> | undefined;
      let refusal: unknown = null;
      // Try the department's grants in turn (active first); report why the best one failed if none works.
      for (const grantId of grantIds.length === 0 ? [null] : grantIds) {
        const grant =
          grantId === null
            ? null
            : {
                grantId,
                state: (
                  await foldStream(deps.store, accessRequestStream(requestIdOfGrant(grantId)), accessDecider)
                ).state,
              };
        try {
          answer = authorizeFetch({ entryId, entry, version: wanted, consumer, grant, at });
          break;
        } catch (error) {
          refusal ??= error;
        }
      }
      if (answer === undefined) throw domainErrorToProblem(refusal);
      if (answer.event !== null && verified !== null) {
        // The audit record is durable before the first byte leaves.
        await deps.writer.append(fetchAuditStream(entryId), [answer.event], signedRequestMetadata(verified));
      }
      const { version } = answer;
      const digest = fromHex(version.digest)!;
      return reply
        .type(version.mediaType)
        .header('content-length', String(version.byteCount))
        .header('content-digest', contentDigestHeader(digest))
        .header('x-chancery-dataset-version', String(version.version))
        .header('x-chancery-schema-digest', version.schemaDigest)
        .send(deps.blobs.read(version.digest));
    },
  );

  app.get<{ Params: { entryId: string }; Querystring: { limit: number; cursor?: string } }>(
    '/v1/directory/entries/:entryId/audit',
    {
      schema: {
        tags: ['directory'],
        summary: 'Who fetched which version and when (RFC 9421-signed by the publisher or the authority)',
        params: entryIdParam,
        headers: signatureHeaders,
        querystring: { type: 'object', additionalProperties: false, properties: pagingQuery },
        response: { 200: directorySchemas.audit, ...problemResponses },
      },
    },
    async (request) => {
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
    },
  );
}
