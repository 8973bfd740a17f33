import type { FastifyInstance } from 'fastify';
import type { CommandService } from '../../application/commands/command-service.js';
import { ProblemError } from '../../application/problems/problem.js';
import type { SignedEnvelope } from '../../domain/crypto/envelope.js';
import type { RegistryIdentity } from '../../infrastructure/projections/identity-registry.js';
import {
  identityIdParam,
  pagingQuery,
  problemResponses,
  schemas,
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

export async function identityRoutes(app: FastifyInstance, deps: IdentityRouteDeps): Promise<void> {
  app.post<{ Body: SignedEnvelope; Querystring: { wait?: 'sealed' | 'final' } }>(
    '/v1/identities',
    { schema: write(schemas.registerIdentity, 'Register a department (authority only)', 201) },
    async (request, reply) =>
      reply.code(201).send(
        await deps.commands.execute(request.body, ['RegisterIdentity'], undefined, {
          wait: request.query.wait,
        }),
      ),
  );

  const byId = [
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
  ] as const;
  for (const [action, type, body, summary] of byId) {
    app.post<{
      Body: SignedEnvelope;
      Params: { identityId: string };
      Querystring: { wait?: 'sealed' | 'final' };
    }>(
      `/v1/identities/:identityId/${action}`,
      { schema: write(body, summary, 200, identityIdParam) },
      async (request) =>
        deps.commands.execute(
          request.body,
          [type],
          { field: 'identityId', value: request.params.identityId },
          { wait: request.query.wait },
        ),
    );
  }

  app.get<{ Querystring: { limit: number; cursor?: string } }>(
    '/v1/identities',
    {
      schema: {
        tags: ['identities'],
        summary: 'List identities in registration order',
        querystring: { type: 'object', additionalProperties: false, properties: pagingQuery },
        response: { 200: schemas.identityPage, ...problemResponses },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const items = deps.registry.list(cursor === undefined ? null : BigInt(cursor), limit);
      const last = items[items.length - 1];
      return {
        items: items.map(identityView),
        nextCursor: items.length === limit && last !== undefined ? last.position.toString() : null,
      };
    },
  );

  app.get<{ Params: { identityId: string } }>(
    '/v1/identities/:identityId',
    {
      schema: {
        tags: ['identities'],
        summary: 'An identity with its current keys and key history',
        params: identityIdParam,
        response: { 200: schemas.identity, ...problemResponses },
      },
    },
    async (request) => {
      const identity = deps.registry.get(request.params.identityId);
      if (identity === undefined)
        throw new ProblemError('IDENTITY_NOT_FOUND', `no identity ${request.params.identityId}`);
      return identityView(identity);
    },
  );

  app.get<{ Params: { keyId: string } }>(
    '/v1/keys/:keyId',
    {
      schema: {
        tags: ['identities'],
        summary: 'Which identity holds a key (clients use it to find their actor id)',
        params: {
          type: 'object',
          required: ['keyId'],
          properties: { keyId: { type: 'string', pattern: '^ed25519:[A-Za-z0-9_-]{22}$' } },
        },
        response: { 200: schemas.key, ...problemResponses },
      },
    },
    async (request) => {
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
    },
  );
}
