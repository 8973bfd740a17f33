import type { FastifyInstance } from 'fastify';
import type { CertificationStatus } from '../../domain/certification/events.js';
import type { SignedEnvelope } from '../../domain/crypto/envelope.js';
import type {
  CertificationFilter,
  CertificationView,
} from '../../infrastructure/projections/certification-read-model.js';
import type { CommandService } from '../commands/command-service.js';
import { ProblemError } from '../problems/problem.js';
import {
  certificationIdParam,
  pagingQuery,
  problemResponses,
  schemas,
  writeQuery,
} from '../schemas/route-schemas.js';

export interface CertificationRouteDeps {
  readonly commands: CommandService;
  readonly certifications: {
    get(id: string): CertificationView | undefined;
    list(filter: CertificationFilter, after: bigint | null, limit: number): CertificationView[];
  };
  readonly links: { readonly publicUrl: string };
}

export function certificationView(view: CertificationView, publicUrl: string) {
  return {
    ...view,
    statusHistory: view.statusHistory.map((h) => ({ ...h, position: h.position.toString() })),
    position: view.position.toString(),
    proofUrl: `${publicUrl}/p/${view.certificationId}`,
  };
}

export async function certificationRoutes(app: FastifyInstance, deps: CertificationRouteDeps): Promise<void> {
  app.post<{ Body: SignedEnvelope; Querystring: { wait?: 'sealed' } }>(
    '/v1/certifications',
    {
      schema: {
        tags: ['certifications'],
        summary: 'Certify a record by its SHA-256 digest (accredited issuers)',
        querystring: writeQuery,
        body: schemas.certifyRecord,
        response: { 201: schemas.writeResult, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send(
        await deps.commands.execute(request.body, ['CertifyRecord'], undefined, {
          wait: request.query.wait,
        }),
      ),
  );

  const transitions = [
    ['suspend', 'SuspendCertification'],
    ['reinstate', 'ReinstateCertification'],
    ['revoke', 'RevokeCertification'],
  ] as const;
  for (const [action, type] of transitions) {
    app.post<{ Body: SignedEnvelope; Params: { certificationId: string }; Querystring: { wait?: 'sealed' } }>(
      `/v1/certifications/:certificationId/${action}`,
      {
        schema: {
          tags: ['certifications'],
          summary: `${action[0]!.toUpperCase()}${action.slice(1)} a certification (issuer or authority)`,
          params: certificationIdParam,
          querystring: writeQuery,
          body: schemas.changeCertificationStatus,
          response: { 200: schemas.writeResult, ...problemResponses },
        },
      },
      async (request) =>
        deps.commands.execute(
          request.body,
          [type],
          { field: 'certificationId', value: request.params.certificationId },
          { wait: request.query.wait },
        ),
    );
  }

  app.get<{ Params: { certificationId: string } }>(
    '/v1/certifications/:certificationId',
    {
      schema: {
        tags: ['certifications'],
        summary: 'A certification with its status history',
        params: certificationIdParam,
        response: { 200: schemas.certification, ...problemResponses },
      },
    },
    async (request) => {
      const view = deps.certifications.get(request.params.certificationId);
      if (view === undefined) {
        throw new ProblemError(
          'CERTIFICATION_NOT_FOUND',
          `no certification ${request.params.certificationId}`,
        );
      }
      return certificationView(view, deps.links.publicUrl);
    },
  );

  app.get<{
    Querystring: {
      limit: number;
      cursor?: string;
      issuer?: string;
      recordDigest?: string;
      recordType?: string;
      status?: CertificationStatus;
    };
  }>(
    '/v1/certifications',
    {
      schema: {
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
      },
    },
    async (request) => {
      const { limit, cursor, issuer, ...rest } = request.query;
      const filter: CertificationFilter = { ...rest, ...(issuer === undefined ? {} : { issuerId: issuer }) };
      const items = deps.certifications.list(filter, cursor === undefined ? null : BigInt(cursor), limit);
      const last = items[items.length - 1];
      return {
        items: items.map((v) => certificationView(v, deps.links.publicUrl)),
        nextCursor: items.length === limit && last !== undefined ? last.position.toString() : null,
      };
    },
  );
}
