import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CommandService } from '../../application/commands/command-service.js';
import { ProblemError } from '../../application/problems/problem.js';
import type { SignedEnvelope } from '../../domain/crypto/envelope.js';
import type { RegistryIdentity } from '../../infrastructure/projections/identity-registry.js';
import {
  identityIdParam,
  pagingQuery,
  problemResponses,
  schemas,
  type WriteQuery,
  writeQuery,
} from '../schemas/route-schemas.js';

export interface IdentityRouteDeps {
  readonly commands: CommandService;
  readonly registry: {
    get(id: string): RegistryIdentity | undefined;
    key(keyId: string): RegistryIdentity['keys'][number] | undefined;
    list(after: bigint | null, limit: number): RegistryIdentity[];
  };
}

export function identityView(identity: RegistryIdentity) {
  return {
    identityId: identity.identityId,
    name: identity.name,
    organisationCode: identity.organisationCode,
    parentId: identity.parentId,
    roles: identity.roles,
    accreditations: identity.accreditations,
    status: identity.status,
    registeredAt: identity.registeredAt,
    revokedAt: identity.revokedAt,
    revocationReason: identity.revocationReason,
    keys: identity.keys.map((k) => ({
      keyId: k.keyId,
      publicKey: k.publicKey,
      activeFrom: k.activeFrom,
      retiredAt: k.retiredAt,
    })),
    position: identity.position.toString(),
  };
}

const write = (body: object, summary: string, status: 200 | 201, params?: object) => ({
  tags: ['identities'],
  summary,
  querystring: writeQuery,
  body,
  ...(params === undefined ? {} : { params }),
  response: { [status]: schemas.writeResult, ...problemResponses },
});

interface RegisterRoute {
  Body: SignedEnvelope;
  Querystring: WriteQuery;
}

function registerIdentity(deps: IdentityRouteDeps) {
  return async (request: FastifyRequest<RegisterRoute>, reply: FastifyReply) =>
    reply.code(201).send(
      await deps.commands.execute(request.body, ['RegisterIdentity'], undefined, {
        wait: request.query.wait,
      }),
    );
}

/** The writes on an existing identity: path action, command type, body schema, summary. */
const BY_ID = [
  [
    'rotate-key',
    'RotateIdentityKey',
    schemas.rotateIdentityKey,
    'Rotate keys (the identity itself or the authority)',
  ],
  [
    'accredit',
    'AccreditIdentity',
    schemas.accreditIdentity,
    'Accredit an issuer for record types (authority only)',
  ],
  ['revoke', 'RevokeIdentity', schemas.revokeIdentity, 'Revoke an identity (authority only)'],
  [
    'roles',
    'UpdateIdentityRoles',
    schemas.updateIdentityRoles,
    "Add or remove a department's roles: issuer, publisher, consumer (authority only)",
  ],
] as const;

interface IdentityWriteRoute {
  Body: SignedEnvelope;
  Params: { identityId: string };
  Querystring: WriteQuery;
}

function writeIdentity(deps: IdentityRouteDeps, type: string) {
  return async (request: FastifyRequest<IdentityWriteRoute>) =>
    deps.commands.execute(
      request.body,
      [type],
      { field: 'identityId', value: request.params.identityId },
      { wait: request.query.wait },
    );
}

interface IdentityListRoute {
  Querystring: { limit: number; cursor?: string };
}

const identityListSchema = {
  tags: ['identities'],
  summary: 'List identities in registration order',
  querystring: { type: 'object', additionalProperties: false, properties: pagingQuery },
  response: { 200: schemas.identityPage, ...problemResponses },
};

function listIdentities(deps: IdentityRouteDeps) {
  return async (request: FastifyRequest<IdentityListRoute>) => {
    const { limit, cursor } = request.query;
    const items = deps.registry.list(cursor === undefined ? null : BigInt(cursor), limit);
    const last = items[items.length - 1];
    return {
      items: items.map(identityView),
      nextCursor: items.length === limit && last !== undefined ? last.position.toString() : null,
    };
  };
}

interface IdentityRoute {
  Params: { identityId: string };
}

const identitySchema = {
  tags: ['identities'],
  summary: 'An identity with its current keys and key history',
  params: identityIdParam,
  response: { 200: schemas.identity, ...problemResponses },
};

function getIdentity(deps: IdentityRouteDeps) {
  return async (request: FastifyRequest<IdentityRoute>) => {
    const identity = deps.registry.get(request.params.identityId);
    if (identity === undefined)
      throw new ProblemError('IDENTITY_NOT_FOUND', `no identity ${request.params.identityId}`);
    return identityView(identity);
  };
}

interface KeyRoute {
  Params: { keyId: string };
}

const keySchema = {
  tags: ['identities'],
  summary: 'Which identity holds a key (clients use it to find their actor id)',
  params: {
    type: 'object',
    required: ['keyId'],
    properties: { keyId: { type: 'string', pattern: '^ed25519:[A-Za-z0-9_-]{22}$' } },
  },
  response: { 200: schemas.key, ...problemResponses },
};

function getKey(deps: IdentityRouteDeps) {
  return async (request: FastifyRequest<KeyRoute>) => {
    const key = deps.registry.key(request.params.keyId);
    if (key === undefined)
      throw new ProblemError('KEY_NOT_FOUND', `no identity holds key ${request.params.keyId}`);
    return {
      keyId: key.keyId,
      identityId: key.identityId,
      publicKey: key.publicKey,
      activeFrom: key.activeFrom,
      retiredAt: key.retiredAt,
    };
  };
}

export async function identityRoutes(app: FastifyInstance, deps: IdentityRouteDeps): Promise<void> {
  app.post<RegisterRoute>(
    '/v1/identities',
    { schema: write(schemas.registerIdentity, 'Register a department (authority only)', 201) },
    registerIdentity(deps),
  );
  for (const [action, type, body, summary] of BY_ID) {
    app.post<IdentityWriteRoute>(
      `/v1/identities/:identityId/${action}`,
      { schema: write(body, summary, 200, identityIdParam) },
      writeIdentity(deps, type),
    );
  }
  app.get<IdentityListRoute>('/v1/identities', { schema: identityListSchema }, listIdentities(deps));
  app.get<IdentityRoute>('/v1/identities/:identityId', { schema: identitySchema }, getIdentity(deps));
  app.get<KeyRoute>('/v1/keys/:keyId', { schema: keySchema }, getKey(deps));
}
