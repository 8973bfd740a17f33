import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CommandService } from '../../application/commands/command-service.js';
import { ProblemError } from '../../application/problems/problem.js';
import { batchIdFor } from '../../domain/certification/certification-id.js';
import type { CertificationStatus } from '../../domain/certification/events.js';
import type { SignedEnvelope } from '../../domain/crypto/envelope.js';
import type { BatchRecordPath, BatchView } from '../../infrastructure/projections/batch-records.js';
import type {
  CertificationFilter,
  CertificationView,
} from '../../infrastructure/projections/certification-read-model.js';
import type { LogReader } from '../../infrastructure/sequencer/log-reader.js';
import {
  batchIdParam,
  certificationIdParam,
  pagingQuery,
  problemResponses,
  schemas,
  type WriteQuery,
  writeQuery,
} from '../schemas/route-schemas.js';

export interface CertificationRouteDeps {
  readonly commands: CommandService;
  readonly certifications: {
    get(id: string): CertificationView | undefined;
    list(filter: CertificationFilter, after: bigint | null, limit: number): CertificationView[];
    batch(batchId: string): BatchView | undefined;
    batchPath(batchId: string, index: number): BatchRecordPath | undefined;
  };
  readonly links: { readonly publicUrl: string };
  /** For `?wait=sealed` on a batch: the leaf of its BatchCertified entry. */
  readonly log?: Pick<LogReader, 'leafIndexForPosition'>;
}

/**
 * Largest bulk certification upload: 200,000 digests at 67 bytes of JSON each,
 * plus the envelope. Only this route takes more than the app's 64 KiB.
 */
export const BATCH_BODY_LIMIT = 16 * 1024 * 1024;

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

const certifyBatchSchema = {
  tags: ['certifications'],
  summary: 'Certify a batch of records by the RFC 6962 root of their digests (accredited issuers)',
  description:
    'The body carries the signed CertifyBatch command (batchRoot and count) and the digest list, up to ' +
    '200,000 digests and 16 MiB. The node recomputes the root over SHA-256(0x00 ‖ digest) leaves and refuses ' +
    'a list that does not match the signed root or count (422 BATCH_ROOT_MISMATCH, BATCH_COUNT_MISMATCH) ' +
    'with nothing written. Record i gets the certification id batchRecordIdFor(batchId, i) and the proof ' +
    'URL proofUrlBase + that id.',
  querystring: writeQuery,
  body: schemas.batchUpload,
  response: { 201: schemas.batchWriteResult, ...problemResponses },
};

function certifyBatch(deps: CertificationRouteDeps) {
  return async (request: FastifyRequest<CertifyBatchRoute>, reply: FastifyReply) => {
    const { envelope, digests } = request.body;
    const result = await deps.commands.execute(envelope, ['CertifyBatch'], undefined, {
      wait: request.query.wait,
      inputs: { digests },
    });
    const { payload } = envelope;
    const batchId = batchIdFor(payload.actor, payload.commandId);
    // A sealed answer names the batch's own entry, not the last digest slice appended after it.
    const batch = result.leafIndex === undefined ? undefined : deps.certifications.batch(batchId);
    const leafIndex = batch === undefined ? null : (deps.log?.leafIndexForPosition(batch.position) ?? null);
    return reply.code(201).send({
      ...result,
      ...(leafIndex === null ? {} : { leafIndex }),
      batchId,
      count: payload['count'],
      batchRoot: payload['batchRoot'],
      proofUrlBase: `${deps.links.publicUrl}/p/`,
    });
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
    { bodyLimit: BATCH_BODY_LIMIT, schema: certifyBatchSchema },
    certifyBatch(deps),
  );
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
