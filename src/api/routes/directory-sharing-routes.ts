import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { grantProof } from '../../application/directory/grant-proof.js';
import { requestReader, visibleFilter, visibleRequest } from '../../application/directory/request-privacy.js';
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
import { signatureHeaders, verifierOf } from './directory-data-routes.js';
import type { DirectoryRouteDeps } from './directory-route-deps.js';

const write = (summary: string, body: object, params: object, status: 200 | 201 = 200) => ({
  schema: {
    tags: ['directory'],
    summary,
    params,
    body,
    response: { [status]: schemas.writeResult, ...problemResponses },
  },
});

interface RequestAccessRoute {
  Body: SignedEnvelope;
  Params: { entryId: string };
}

function requestAccess(deps: DirectoryRouteDeps) {
  return async (request: FastifyRequest<RequestAccessRoute>, reply: FastifyReply) =>
    reply.code(201).send(
      await deps.commands.execute(request.body, ['RequestAccess'], {
        field: 'entryId',
        value: request.params.entryId,
      }),
    );
}

/** The owner's answers to a pending request: path action, command type, body schema, summary. */
const DECISIONS = [
  [
    'grant',
    'GrantAccess',
    directorySchemas.grantAccess,
    'Grant a pending request with a scope and an expiry (the owner)',
  ],
  ['deny', 'DenyAccess', directorySchemas.denyAccess, 'Deny a pending request (the owner)'],
] as const;

interface DecisionRoute {
  Body: SignedEnvelope;
  Params: { requestId: string };
}

function decide(deps: DirectoryRouteDeps, type: string) {
  return async (request: FastifyRequest<DecisionRoute>) =>
    deps.commands.execute(request.body, [type], { field: 'requestId', value: request.params.requestId });
}

interface RevokeGrantRoute {
  Body: SignedEnvelope;
  Params: { grantId: string };
}

function revokeGrant(deps: DirectoryRouteDeps) {
  return async (request: FastifyRequest<RevokeGrantRoute>) =>
    deps.commands.execute(request.body, ['RevokeGrant'], {
      field: 'grantId',
      value: request.params.grantId,
    });
}

interface AccessRequestRoute {
  Params: { requestId: string };
}

const accessRequestSchema = {
  tags: ['directory'],
  summary:
    "An access request with its decision and grant (RFC 9421-signed by the entry's owner or the requester)",
  params: requestIdParam,
  headers: signatureHeaders,
  response: { 200: directorySchemas.request, ...problemResponses },
};

function getAccessRequest(deps: DirectoryRouteDeps) {
  const verify = verifierOf(deps);
  return async (request: FastifyRequest<AccessRequestRoute>) => {
    const reader = requestReader(verify(request, []), 'an access request');
    const view = deps.sharing.get(request.params.requestId);
    if (view === undefined)
      throw new ProblemError('REQUEST_NOT_FOUND', `no access request ${request.params.requestId}`);
    return requestView(visibleRequest(view, reader), deps.clock());
  };
}

interface GrantRoute {
  Params: { grantId: string };
}

const grantSchema = {
  tags: ['directory'],
  summary: "A grant, as the request it answers (RFC 9421-signed by the entry's owner or the requester)",
  params: grantIdParam,
  headers: signatureHeaders,
  response: { 200: directorySchemas.request, ...problemResponses },
};

function getGrant(deps: DirectoryRouteDeps) {
  const verify = verifierOf(deps);
  return async (request: FastifyRequest<GrantRoute>) => {
    const reader = requestReader(verify(request, []), 'a grant');
    const view = deps.sharing.byGrant(request.params.grantId);
    if (view === undefined) throw new ProblemError('GRANT_NOT_FOUND', `no grant ${request.params.grantId}`);
    return requestView(visibleRequest(view, reader), deps.clock());
  };
}

const grantProofSchema = {
  tags: ['directory'],
  summary:
    "Inclusion proofs of the grant's log leaf (and of its revocation) under the latest signed checkpoint",
  params: grantIdParam,
  response: { 200: directorySchemas.grantProof, ...problemResponses },
};

function getGrantProof(deps: DirectoryRouteDeps) {
  return async (request: FastifyRequest<GrantRoute>) => {
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
  };
}

interface AccessRequestListRoute {
  Querystring: {
    limit: number;
    cursor?: string;
    entry?: string;
    owner?: string;
    requester?: string;
    status?: RequestStatus;
  };
}

const identity = identityIdParam.properties.identityId;
const accessRequestListSchema = {
  tags: ['directory'],
  summary:
    "The signer's access requests (made or received) by entry, owner, requester or status, oldest first (RFC 9421-signed)",
  headers: signatureHeaders,
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
};

function listAccessRequests(deps: DirectoryRouteDeps) {
  const verify = verifierOf(deps);
  return async (request: FastifyRequest<AccessRequestListRoute>) => {
    const reader = requestReader(verify(request, []), 'the list of access requests');
    const { limit, cursor, entry, owner, requester, status } = request.query;
    const asked: RequestFilter = {
      ...(entry === undefined ? {} : { entryId: entry }),
      ...(owner === undefined ? {} : { ownerId: owner }),
      ...(requester === undefined ? {} : { requesterId: requester }),
      ...(status === undefined ? {} : { status }),
    };
    const items = deps.sharing.list(
      visibleFilter(asked, reader),
      cursor === undefined ? null : BigInt(cursor),
      limit,
    );
    const now = deps.clock();
    const last = items[items.length - 1];
    return {
      items: items.map((r) => requestView(r, now)),
      // The cursor is the creation position, the order the list is in.
      nextCursor: items.length === limit && last !== undefined ? last.createdPosition.toString() : null,
    };
  };
}

export async function directorySharingRoutes(app: FastifyInstance, deps: DirectoryRouteDeps): Promise<void> {
  app.post<RequestAccessRoute>(
    '/v1/directory/entries/:entryId/requests',
    write(
      'Request access to a dataset, with a purpose and a duration (consumer or publisher role)',
      directorySchemas.requestAccess,
      entryIdParam,
      201,
    ),
    requestAccess(deps),
  );
  for (const [action, type, body, summary] of DECISIONS) {
    app.post<DecisionRoute>(
      `/v1/directory/requests/:requestId/${action}`,
      write(summary, body, requestIdParam),
      decide(deps, type),
    );
  }
  app.post<RevokeGrantRoute>(
    '/v1/directory/grants/:grantId/revoke',
    write('Revoke a grant (the owner or the authority)', directorySchemas.revokeGrant, grantIdParam),
    revokeGrant(deps),
  );
  app.get<AccessRequestRoute>(
    '/v1/directory/requests/:requestId',
    { schema: accessRequestSchema },
    getAccessRequest(deps),
  );
  app.get<GrantRoute>('/v1/directory/grants/:grantId', { schema: grantSchema }, getGrant(deps));
  app.get<GrantRoute>(
    '/v1/directory/grants/:grantId/proof',
    { schema: grantProofSchema },
    getGrantProof(deps),
  );
  app.get<AccessRequestListRoute>(
    '/v1/directory/requests',
    { schema: accessRequestListSchema },
    listAccessRequests(deps),
  );
}
