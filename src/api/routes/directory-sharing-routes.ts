import type { FastifyInstance } from 'fastify';
import { grantProof } from '../../application/directory/grant-proof.js';
import { ProblemError } from '../../application/problems/problem.js';
import type { SignedEnvelope } from '../../domain/crypto/envelope.js';
import type { RequestFilter, RequestStatus } from '../../infrastructure/projections/sharing-read-model.js';
import { requestView } from '../presenters/directory-views.js';
import {
  directorySchemas,
  entryIdParam,
  grantIdParam,
  requestIdParam,
} from '../schemas/directory-schemas.js';
import { identityIdParam, pagingQuery, problemResponses, schemas } from '../schemas/route-schemas.js';
import type { DirectoryRouteDeps } from './directory-route-deps.js';

export async function directorySharingRoutes(app: FastifyInstance, deps: DirectoryRouteDeps): Promise<void> {
  const write = (summary: string, body: object, params: object, status: 200 | 201 = 200) => ({
    schema: {
      tags: ['directory'],
      summary,
      params,
      body,
      response: { [status]: schemas.writeResult, ...problemResponses },
    },
  });

  app.post<{ Body: SignedEnvelope; Params: { entryId: string } }>(
    '/v1/directory/entries/:entryId/requests',
    write(
      'Request access to a dataset, with a purpose and a duration (consumer or publisher role)',
      directorySchemas.requestAccess,
      entryIdParam,
      201,
    ),
    async (request, reply) =>
      reply.code(201).send(
        await deps.commands.execute(request.body, ['RequestAccess'], {
          field: 'entryId',
          value: request.params.entryId,
        }),
      ),
  );

  const decisions = [
    [
      'grant',
      'GrantAccess',
      directorySchemas.grantAccess,
      'Grant a pending request with a scope and an expiry (the owner)',
    ],
    ['deny', 'DenyAccess', directorySchemas.denyAccess, 'Deny a pending request (the owner)'],
  ] as const;
  for (const [action, type, body, summary] of decisions) {
    app.post<{ Body: SignedEnvelope; Params: { requestId: string } }>(
      `/v1/directory/requests/:requestId/${action}`,
      write(summary, body, requestIdParam),
      async (request) =>
        deps.commands.execute(request.body, [type], { field: 'requestId', value: request.params.requestId }),
    );
  }

  app.post<{ Body: SignedEnvelope; Params: { grantId: string } }>(
    '/v1/directory/grants/:grantId/revoke',
    write('Revoke a grant (the owner or the authority)', directorySchemas.revokeGrant, grantIdParam),
    async (request) =>
      deps.commands.execute(request.body, ['RevokeGrant'], {
        field: 'grantId',
        value: request.params.grantId,
      }),
  );

  app.get<{ Params: { requestId: string } }>(
    '/v1/directory/requests/:requestId',
    {
      schema: {
        tags: ['directory'],
        summary: 'An access request with its decision and grant',
        params: requestIdParam,
        response: { 200: directorySchemas.request, ...problemResponses },
      },
    },
    async (request) => {
      const view = deps.sharing.get(request.params.requestId);
      if (view === undefined)
        throw new ProblemError('REQUEST_NOT_FOUND', `no access request ${request.params.requestId}`);
      return requestView(view, deps.clock());
    },
  );

  app.get<{ Params: { grantId: string } }>(
    '/v1/directory/grants/:grantId',
    {
      schema: {
        tags: ['directory'],
        summary: 'A grant, as the request it answers',
        params: grantIdParam,
        response: { 200: directorySchemas.request, ...problemResponses },
      },
    },
    async (request) => {
      const view = deps.sharing.byGrant(request.params.grantId);
      if (view === undefined) throw new ProblemError('GRANT_NOT_FOUND', `no grant ${request.params.grantId}`);
      return requestView(view, deps.clock());
    },
  );

  app.get<{ Params: { grantId: string } }>(
    '/v1/directory/grants/:grantId/proof',
    {
      schema: {
        tags: ['directory'],
        summary:
          "Inclusion proofs of the grant's log leaf (and of its revocation) under the latest signed checkpoint",
        params: grantIdParam,
        response: { 200: directorySchemas.grantProof, ...problemResponses },
      },
    },
    async (request) => {
      const { grantId } = request.params;
      const view = deps.sharing.byGrant(grantId);
      if (view === undefined || deps.log === undefined)
        throw new ProblemError('GRANT_NOT_FOUND', `no grant ${grantId}`);
      const proof = grantProof(deps.log, [view.grantedPosition, view.revokedPosition]);
      return {
        grantId,
        status: view.status === 'revoked' ? 'revoked' : 'granted',
        treeSize: proof.treeSize,
        checkpoint: proof.checkpoint,
        grant: proof.leaves[0],
        revocation: proof.leaves[1],
      };
    },
  );

  const identity = identityIdParam.properties.identityId;
  app.get<{
    Querystring: {
      limit: number;
      cursor?: string;
      entry?: string;
      owner?: string;
      requester?: string;
      status?: RequestStatus;
    };
  }>(
    '/v1/directory/requests',
    {
      schema: {
        tags: ['directory'],
        summary: 'List access requests by entry, owner, requester or status, oldest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pagingQuery,
            entry: entryIdParam.properties.entryId,
            owner: identity,
            requester: identity,
            status: { type: 'string', enum: ['pending', 'granted', 'denied', 'revoked'] },
          },
        },
        response: { 200: directorySchemas.requestPage, ...problemResponses },
      },
    },
    async (request) => {
      const { limit, cursor, entry, owner, requester, status } = request.query;
      const filter: RequestFilter = {
        ...(entry === undefined ? {} : { entryId: entry }),
        ...(owner === undefined ? {} : { ownerId: owner }),
        ...(requester === undefined ? {} : { requesterId: requester }),
        ...(status === undefined ? {} : { status }),
      };
      const items = deps.sharing.list(filter, cursor === undefined ? null : BigInt(cursor), limit);
      const now = deps.clock();
      const last = items[items.length - 1];
      return {
        items: items.map((r) => requestView(r, now)),
        // The cursor is the creation position, the order the list is in.
        nextCursor: items.length === limit && last !== undefined ? last.createdPosition.toString() : null,
      };
    },
  );
}
