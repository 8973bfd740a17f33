import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BatchUploads } from '../../application/commands/batch-uploads.js';
import type { CommandService } from '../../application/commands/command-service.js';
import { ProblemError } from '../../application/problems/problem.js';
import { canonicalJson } from '../../domain/canonical/canonical-json.js';
import { batchIdFor } from '../../domain/certification/certification-id.js';
import type { CertificationStatus } from '../../domain/certification/events.js';
import type { SignedEnvelope } from '../../domain/crypto/envelope.js';
import type { BatchRecordPath, BatchView } from '../../infrastructure/projections/batch-records.js';
import type { OfferedTree } from '../../infrastructure/projections/batch-tree-handoff.js';
import type {
  CertificationFilter,
  CertificationView,
} from '../../infrastructure/projections/certification-read-model.js';
import type { LogReader } from '../../infrastructure/sequencer/log-reader.js';
import { MAX_SIGNED_COMMAND_CHARS, SIGNED_COMMAND_HEADER } from '../../protocol/signed-command-header.js';
import type { WriteResult } from '../../protocol/write-result.js';
import { limitRequestBody } from '../hardening/json-body-parser.js';
import {
  batchIdParam,
  certificationIdParam,
  pagingQuery,
  problemResponses,
  schemas,
  type WriteQuery,
  writeQuery,
} from '../schemas/route-schemas.js';
import { createValidators } from '../schemas/validator.js';
import { signedCommandReader } from './signed-command-header.js';

export interface CertificationRouteDeps {
  readonly commands: CommandService;
  readonly certifications: {
    get(id: string): CertificationView | undefined;
    list(filter: CertificationFilter, after: bigint | null, limit: number): CertificationView[];
    batch(batchId: string): BatchView | undefined;
    batchPath(batchId: string, index: number): BatchRecordPath | undefined;
    /** The read model takes the tree a streamed upload computed instead of hashing it again. */
    offerBatchTree?(root: string, tree: OfferedTree): () => void;
  };
  readonly links: { readonly publicUrl: string };
  /** For `?wait=sealed` on a batch: the leaf of its BatchCertified entry. */
  readonly log?: Pick<LogReader, 'leafIndexForPosition'>;
}

/**
 * Largest JSON bulk certification upload: 15,000 digests at 67 bytes of JSON
 * each, plus the envelope, from a sender the node authenticated before it read
 * the body: the same signed command in the Chancery-Signed-Command header,
 * checked (signature, key, actor, issuer, window, count) first.
 */
export const BATCH_BODY_LIMIT = 1024 * 1024;

/**
 * Largest JSON bulk upload without that header: its body is parsed before its
 * signature can be checked, so what anyone can make the node parse is kept to
 * what every other JSON route takes (about 900 digests; ~1 ms to parse).
 */
export const UNAUTHENTICATED_BATCH_BODY_LIMIT = 64 * 1024;

/** The streamed bulk upload: the signed command in a header, the digests as raw bytes. */
export const BATCH_STREAM_URL = '/v1/certifications/batches/stream';

export function certificationView(view: CertificationView, publicUrl: string) {
  return {
    ...view,
    statusHistory: view.statusHistory.map((h) => ({ ...h, position: h.position.toString() })),
    position: view.position.toString(),
    proofUrl: `${publicUrl}/p/${view.certificationId}`,
  };
}

interface CertifyRecordRoute {
  Body: SignedEnvelope;
  Querystring: WriteQuery;
}

const certifyRecordSchema = {
  tags: ['certifications'],
  summary: 'Certify a record by its SHA-256 digest (accredited issuers)',
  querystring: writeQuery,
  body: schemas.certifyRecord,
  response: { 201: schemas.writeResult, ...problemResponses },
};

function certifyRecord(deps: CertificationRouteDeps) {
  return async (request: FastifyRequest<CertifyRecordRoute>, reply: FastifyReply) =>
    reply.code(201).send(
      await deps.commands.execute(request.body, ['CertifyRecord'], undefined, {
        wait: request.query.wait,
      }),
    );
}

interface BatchUpload {
  readonly envelope: SignedEnvelope;
  readonly digests: readonly string[];
}

interface CertifyBatchRoute {
  Body: BatchUpload;
  Querystring: WriteQuery;
}

/** The Chancery-Signed-Command header as both batch routes document it. */
function signedCommandHeaderSchema(description: string) {
  return {
    type: 'object',
    properties: {
      [SIGNED_COMMAND_HEADER]: { type: 'string', maxLength: MAX_SIGNED_COMMAND_CHARS, description },
    },
  };
}

const certifyBatchSchema = {
  tags: ['certifications'],
  summary: 'Certify a batch of records by the RFC 6962 root of their digests (accredited issuers)',
  description:
    'The body carries the signed CertifyBatch command (batchRoot and count) and the digest list, up to ' +
    `${UNAUTHENTICATED_BATCH_BODY_LIMIT / 1024} KiB (about 900 digests). Up to 15,000 digests and 1 MiB when the same signed ` +
    `command also travels in the ${SIGNED_COMMAND_HEADER} header (base64url of its JSON, as on the streamed ` +
    'route): the node then authenticates it (signature, key, actor, issuer, validity window, count) before it ' +
    'reads the body, and the body must carry the same envelope. Larger batches: POST ' +
    '/v1/certifications/batches/stream. The node recomputes the root over SHA-256(0x00 ‖ digest) leaves and refuses ' +
    'a list that does not match the signed root or count (422 BATCH_ROOT_MISMATCH, BATCH_COUNT_MISMATCH) ' +
    'with nothing written. Record i gets the certification id batchRecordIdFor(batchId, i) and the proof ' +
    'URL proofUrlBase + that id.',
  headers: signedCommandHeaderSchema(
    "Optional: base64url of the same signed CertifyBatch envelope's JSON, for bodies above 64 KiB",
  ),
  querystring: writeQuery,
  body: schemas.batchUpload,
  response: { 201: schemas.batchWriteResult, ...problemResponses },
};

/** The envelopes JSON bulk uploads sent in their header, authenticated before their body was read. */
const headerEnvelopes = new WeakMap<FastifyRequest, SignedEnvelope>();

/**
 * Before the body: with the signed command in the header, authenticate it and allow 1 MiB; without it,
 * allow only 64 KiB, and say how to send more.
 */
function authenticateBeforeBody(
  deps: CertificationRouteDeps,
  readCommand: ReturnType<typeof signedCommandReader>,
) {
  const uploads = new BatchUploads(deps.commands, deps.certifications);
  return async (request: FastifyRequest, _reply: FastifyReply, payload: Readable) => {
    const header = request.headers[SIGNED_COMMAND_HEADER];
    if (header === undefined) {
      limitRequestBody(
        request,
        UNAUTHENTICATED_BATCH_BODY_LIMIT,
        (bytes) =>
          new ProblemError(
            'BODY_TOO_LARGE',
            `the body is ${bytes} bytes; allowed: at most ${UNAUTHENTICATED_BATCH_BODY_LIMIT} bytes unless the ` +
              `signed command also travels in the ${SIGNED_COMMAND_HEADER} header (then ${BATCH_BODY_LIMIT} bytes), ` +
              `or up to 1,000,000 records as raw digests on POST ${BATCH_STREAM_URL}`,
          ),
      );
      return payload;
    }
    const envelope = readCommand(header);
    await uploads.admit(envelope);
    headerEnvelopes.set(request, envelope);
    return payload;
  };
}

function certifyBatch(deps: CertificationRouteDeps) {
  return async (request: FastifyRequest<CertifyBatchRoute>, reply: FastifyReply) => {
    const { envelope, digests } = request.body;
    const fromHeader = headerEnvelopes.get(request);
    if (fromHeader !== undefined && canonicalJson(fromHeader) !== canonicalJson(envelope))
      throw new ProblemError(
        'BODY_INVALID',
        `body/envelope is not the signed command of the ${SIGNED_COMMAND_HEADER} header; allowed: the same envelope in both`,
        { errors: [{ pointer: '/envelope', message: `differs from the ${SIGNED_COMMAND_HEADER} header` }] },
      );
    const result = await deps.commands.execute(envelope, ['CertifyBatch'], undefined, {
      wait: request.query.wait,
      inputs: { digests },
    });
    return reply.code(201).send(batchAnswer(deps, envelope, result));
  };
}

/** What either batch route answers: the write, the batch id and where its records' proofs live. */
function batchAnswer(deps: CertificationRouteDeps, envelope: SignedEnvelope, result: WriteResult) {
  const { payload } = envelope;
  const batchId = batchIdFor(payload.actor, payload.commandId);
  // A sealed answer names the batch's own entry, not the last digest slice appended after it.
  const batch = result.leafIndex === undefined ? undefined : deps.certifications.batch(batchId);
  const leafIndex = batch === undefined ? null : (deps.log?.leafIndexForPosition(batch.position) ?? null);
  return {
    ...result,
    ...(leafIndex === null ? {} : { leafIndex }),
    batchId,
    count: payload['count'],
    batchRoot: payload['batchRoot'],
    proofUrlBase: `${deps.links.publicUrl}/p/`,
  };
}

interface CertifyBatchStreamRoute {
  Headers: { 'chancery-signed-command'?: string };
  Querystring: WriteQuery;
}

const certifyBatchStreamSchema = {
  tags: ['certifications'],
  summary:
    'Certify a batch of up to 1,000,000 records, the digest list streamed as raw bytes (accredited issuers)',
  description:
    `The signed CertifyBatch command travels in the ${SIGNED_COMMAND_HEADER} header as base64url (RFC 4648 §5, ` +
    `no padding) of the envelope's JSON, at most ${MAX_SIGNED_COMMAND_CHARS} characters. The body is ` +
    "application/octet-stream: the records' raw 32-byte SHA-256 digests end to end, record i at bytes " +
    '32i..32i+31, exactly count × 32 bytes. The node authenticates the command (signature, key not retired, ' +
    'actor not revoked) and checks the issuer (active, accredited for the record type), the validity window ' +
    'and the count BEFORE it reads the body: a refusal (401, 403, 422…) is sent at once and the connection ' +
    'closed. A Content-Length other than count × 32 is refused the same way (422 BATCH_COUNT_MISMATCH). ' +
    'The body is then hashed as it streams into a buffer the signed count sizes; a longer body is cut off at ' +
    'its first extra byte, a shorter one or a wrong root refused (422 BATCH_COUNT_MISMATCH, ' +
    'BATCH_ROOT_MISMATCH) with nothing written. A retry of a command already applied is answered without ' +
    'the body. Answer and record ids as for POST /v1/certifications/batches.',
  consumes: ['application/octet-stream'],
  headers: signedCommandHeaderSchema(
    "base64url of the signed CertifyBatch envelope's JSON (schemas/commands/certify-batch.json)",
  ),
  querystring: writeQuery,
  body: {
    type: 'string',
    format: 'binary',
    description: 'count × 32 bytes: the raw SHA-256 digest of each record, in batch order',
  },
  response: { 201: schemas.batchWriteResult, ...problemResponses },
};

function certifyBatchStream(
  deps: CertificationRouteDeps,
  readCommand: ReturnType<typeof signedCommandReader>,
) {
  const uploads = new BatchUploads(deps.commands, deps.certifications);
  return async (request: FastifyRequest<CertifyBatchStreamRoute>, reply: FastifyReply) => {
    const envelope = readCommand(request.headers[SIGNED_COMMAND_HEADER]);
    const mediaType = String(request.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    if (mediaType !== 'application/octet-stream')
      throw new ProblemError(
        'UNSUPPORTED_MEDIA_TYPE',
        `the digest list is application/octet-stream (count × 32 raw bytes), not ${mediaType || 'untyped'}`,
      );
    const declared = request.headers['content-length'];
    const result = await uploads.upload({
      envelope,
      body: request.body as Readable,
      declaredLength: declared === undefined ? null : Number(declared),
      wait: request.query.wait,
    });
    return reply.code(201).send(batchAnswer(deps, envelope, result));
  };
}

function batchView(view: BatchView, publicUrl: string) {
  return { ...view, position: view.position.toString(), proofUrlBase: `${publicUrl}/p/` };
}

interface BatchRoute {
  Params: { batchId: string };
}

const batchSchema = {
  tags: ['certifications'],
  summary: 'A bulk certification: its signed root, count and validity',
  params: batchIdParam,
  response: { 200: schemas.batch, ...problemResponses },
};

function getBatch(deps: CertificationRouteDeps) {
  return async (request: FastifyRequest<BatchRoute>) => {
    const view = deps.certifications.batch(request.params.batchId);
    if (view === undefined) throw new ProblemError('BATCH_NOT_FOUND', `no batch ${request.params.batchId}`);
    return batchView(view, deps.links.publicUrl);
  };
}

const STATUS_CHANGES = [
  ['suspend', 'SuspendCertification'],
  ['reinstate', 'ReinstateCertification'],
  ['revoke', 'RevokeCertification'],
] as const;

interface StatusChangeRoute {
  Body: SignedEnvelope;
  Params: { certificationId: string };
  Querystring: WriteQuery;
}

function statusChangeSchema(action: string) {
  return {
    tags: ['certifications'],
    summary: `${action[0]!.toUpperCase()}${action.slice(1)} a certification (issuer or authority)`,
    params: certificationIdParam,
    querystring: writeQuery,
    body: schemas.changeCertificationStatus,
    response: { 200: schemas.writeResult, ...problemResponses },
  };
}

function changeStatus(deps: CertificationRouteDeps, type: string) {
  return async (request: FastifyRequest<StatusChangeRoute>) =>
    deps.commands.execute(
      request.body,
      [type],
      { field: 'certificationId', value: request.params.certificationId },
      { wait: request.query.wait },
    );
}

interface CertificationRoute {
  Params: { certificationId: string };
}

const certificationSchema = {
  tags: ['certifications'],
  summary: 'A certification with its status history',
  params: certificationIdParam,
  response: { 200: schemas.certification, ...problemResponses },
};

function getCertification(deps: CertificationRouteDeps) {
  return async (request: FastifyRequest<CertificationRoute>) => {
    const view = deps.certifications.get(request.params.certificationId);
    if (view === undefined) {
      throw new ProblemError('CERTIFICATION_NOT_FOUND', `no certification ${request.params.certificationId}`);
    }
    return certificationView(view, deps.links.publicUrl);
  };
}

interface CertificationListRoute {
  Querystring: {
    limit: number;
    cursor?: string;
    issuer?: string;
    recordDigest?: string;
    recordType?: string;
    status?: CertificationStatus;
  };
}

const certificationListSchema = {
  tags: ['certifications'],
  summary: 'List certifications, optionally by issuer, record digest, record type or status',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...pagingQuery,
      issuer: { type: 'string', pattern: '^[A-Z0-9][A-Z0-9._-]{1,63}$' },
      recordDigest: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      recordType: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' },
      status: { type: 'string', enum: ['active', 'suspended', 'revoked'] },
    },
  },
  response: { 200: schemas.certificationPage, ...problemResponses },
};

function listCertifications(deps: CertificationRouteDeps) {
  return async (request: FastifyRequest<CertificationListRoute>) => {
    const { limit, cursor, issuer, ...rest } = request.query;
    const filter: CertificationFilter = { ...rest, ...(issuer === undefined ? {} : { issuerId: issuer }) };
    const items = deps.certifications.list(filter, cursor === undefined ? null : BigInt(cursor), limit);
    const last = items[items.length - 1];
    return {
      items: items.map((v) => certificationView(v, deps.links.publicUrl)),
      nextCursor: items.length === limit && last !== undefined ? last.position.toString() : null,
    };
  };
}

export async function certificationRoutes(app: FastifyInstance, deps: CertificationRouteDeps): Promise<void> {
  app.post<CertifyRecordRoute>('/v1/certifications', { schema: certifyRecordSchema }, certifyRecord(deps));
  app.post<CertifyBatchRoute>(
    '/v1/certifications/batches',
    {
      bodyLimit: BATCH_BODY_LIMIT,
      schema: certifyBatchSchema,
      preParsing: authenticateBeforeBody(deps, signedCommandReader(app, schemas.certifyBatch)),
    },
    certifyBatch(deps),
  );
  // In a scope of its own: the raw-bytes parser must not make the other routes here accept octet-stream.
  await app.register(async (scope) => streamedBatchRoute(scope, deps));
  app.get<BatchRoute>('/v1/certifications/batches/:batchId', { schema: batchSchema }, getBatch(deps));
  for (const [action, type] of STATUS_CHANGES) {
    app.post<StatusChangeRoute>(
      `/v1/certifications/:certificationId/${action}`,
      { schema: statusChangeSchema(action) },
      changeStatus(deps, type),
    );
  }
  app.get<CertificationRoute>(
    '/v1/certifications/:certificationId',
    { schema: certificationSchema },
    getCertification(deps),
  );
  app.get<CertificationListRoute>(
    '/v1/certifications',
    { schema: certificationListSchema },
    listCertifications(deps),
  );
}

/**
 * POST /v1/certifications/batches/stream. Its body reaches the handler as the raw stream (never buffered
 * or parsed whole), and the schema's body entry only documents it; a reply sent before the body was read
 * closes the connection, so a refused client cannot keep sending into a kept-alive socket.
 */
function streamedBatchRoute(app: FastifyInstance, deps: CertificationRouteDeps): void {
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.routeOptions.url === BATCH_STREAM_URL && !request.raw.complete)
      reply.header('connection', 'close');
    done(null, payload);
  });
  const query = createValidators().query;
  app.post<CertifyBatchStreamRoute>(
    BATCH_STREAM_URL,
    {
      schema: certifyBatchStreamSchema,
      validatorCompiler: ({ schema, httpPart }) => (httpPart === 'body' ? () => true : query.compile(schema)),
    },
    certifyBatchStream(deps, signedCommandReader(app, schemas.certifyBatch)),
  );
}
