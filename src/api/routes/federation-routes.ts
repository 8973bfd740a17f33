import type { FastifyInstance } from 'fastify';
import type { MirrorStatus } from '../../application/federation/mirror-replicator.js';
import { ProblemError } from '../../application/problems/problem.js';
import { MAX_ADD_CHECKPOINT_BYTES } from '../../domain/federation/index.js';
import type { Alert } from '../../infrastructure/federation/federation-alerts.js';
import type { WitnessAnswer } from '../../infrastructure/federation/witness.js';
import type { WitnessSubmissionStatus } from '../../infrastructure/federation/witness-submitter.js';
import type { SealedCheckpoint } from '../../infrastructure/sequencer/log-reader.js';
import { alertListSchema, federationStatusSchema } from '../schemas/federation-schemas.js';
import { problemResponses } from '../schemas/route-schemas.js';
import { metricsRoute } from './metrics-route.js';

/** What GET /v1/federation/status answers. */
export interface FederationStatus {
  readonly role: 'primary' | 'mirror';
  readonly origin: string;
  readonly logVerifierKey: string;
  readonly policy: {
    readonly digest: string;
    readonly quorum: string;
    readonly witnesses: readonly { name: string; vkey: string; url: string | null }[];
  } | null;
  /** The latest checkpoint this node serves: which policy witnesses cosigned it, and whether it is final. */
  readonly checkpoint: {
    readonly treeSize: number;
    readonly final: boolean;
    readonly cosigners: readonly { name: string; cosigned: boolean; timestamp: number | null }[];
  } | null;
  readonly finalTreeSize: number;
  readonly witness: {
    readonly name: string;
    readonly vkey: string;
    readonly logs: readonly { origin: string; treeSize: number; updatedAt: string }[];
  } | null;
  readonly mirror: MirrorStatus | null;
  readonly submissions: readonly WitnessSubmissionStatus[] | null;
  readonly alerts: number;
}

export interface FederationRouteDeps {
  /** The node's witness (mirror-witness nodes); null elsewhere, and add-checkpoint answers 404. */
  readonly witness: { addCheckpoint(body: string): Promise<WitnessAnswer> } | null;
  readonly alerts: { list(limit: number): Alert[]; total(): number };
  /** The C2SP tlog-policy text the node follows, or null when it has none. */
  readonly policyText: () => string | null;
  /**
   * That policy as a C2SP signed note by the log key (docs/federation.md): the primary's own, or the one a
   * mirror follows, served on unchanged; null when there is none (a mirror given its policy at start).
   */
  readonly policyNote: () => string | null;
  readonly status: () => FederationStatus;
  /** The Prometheus text exposition (metrics-route.ts). */
  readonly metrics: () => string | Promise<string>;
  /** The largest checkpoint the witness quorum cosigned, cosignatures included; null before the first. */
  readonly finalCheckpoint: () => SealedCheckpoint | null;
  /** SHA-256 (hex) of the policy text; null when the node has none. */
  readonly policyDigest: () => string | null;
}

/** The body schema of the text routes. */
const string = { type: 'string' } as const;

/**
 * C2SP tlog-witness add-checkpoint (plain text in and out, the spec's status
 * codes; 409 answers text/x.tlog.size), and the federation's read routes:
 * alerts with their evidence, the trust policy, status, and /metrics.
 */
export async function federationRoutes(app: FastifyInstance, deps: FederationRouteDeps): Promise<void> {
  await app.register((witnessScope) => addCheckpointRoute(witnessScope, deps));
  alertsRoute(app, deps);
  policyRoute(app, deps);
  statusRoute(app, deps);
  metricsRoute(app, deps);
}

async function addCheckpointRoute(witnessScope: FastifyInstance, deps: FederationRouteDeps): Promise<void> {
  // The witness protocol is text, not JSON: in this scope only, any body is read as a string.
  witnessScope.removeAllContentTypeParsers();
  witnessScope.addContentTypeParser(
    '*',
    { parseAs: 'string', bodyLimit: MAX_ADD_CHECKPOINT_BYTES },
    (_request, body, done) => done(null, body),
  );
  witnessScope.post(
    '/add-checkpoint',
    {
      schema: {
        tags: ['federation'],
        summary: 'C2SP tlog-witness: cosign a checkpoint consistent with the last one this witness cosigned',
        description:
          'Body: "old <size>", up to 63 base64 consistency-proof lines, a blank line, the signed checkpoint. ' +
          '200: cosignature/v1 signature line(s). 400 malformed or old size above the checkpoint size; 403 not ' +
          "signed by a trusted log key; 404 unknown origin; 409 old size is not the witness's (body: its size, " +
          'text/x.tlog.size) or a different root for the size it holds (recorded as evidence); 422 the proof does ' +
          'not verify (recorded as evidence). State is committed (fsync) before the answer.',
        response: {
          200: { description: 'Cosignature lines', content: { 'text/plain': { schema: string } } },
          400: { description: 'Malformed request', content: { 'text/plain': { schema: string } } },
          403: {
            description: 'Not signed by a trusted log key',
            content: { 'text/plain': { schema: string } },
          },
          404: { description: 'Unknown log origin', content: { 'text/plain': { schema: string } } },
          409: {
            description: "The witness's tree size",
            content: { 'text/x.tlog.size': { schema: string } },
          },
          422: {
            description:
              "The consistency proof does not verify, or this mirror-witness's replica contradicts the checkpoint (its tree or state map root; recorded as evidence), or the mirror halted",
            content: { 'text/plain': { schema: string } },
          },
          503: {
            description:
              'This mirror-witness has not replayed the log up to the checkpoint yet: submit it again',
            content: { 'text/plain': { schema: string } },
          },
        },
      },
    },
    async (request, reply) => {
      if (deps.witness === null) {
        throw new ProblemError('ROUTE_NOT_FOUND', 'this node is not a witness (start it with --role mirror)');
      }
      const body = typeof request.body === 'string' ? request.body : '';
      const answer = await deps.witness.addCheckpoint(body);
      if (answer.status === 503) reply.header('retry-after', '1');
      return reply.code(answer.status).type(answer.contentType).send(answer.body);
    },
  );
}

function alertsRoute(app: FastifyInstance, deps: FederationRouteDeps): void {
  app.get<{ Querystring: { limit: number } }>(
    '/v1/federation/alerts',
    {
      schema: {
        tags: ['federation'],
        summary: 'Split views, inconsistent checkpoints and refused entries this node detected, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        },
        response: {
          200: alertListSchema,
          ...problemResponses,
        },
      },
    },
    async (request) => ({ total: deps.alerts.total(), alerts: deps.alerts.list(request.query.limit) }),
  );
}

function policyRoute(app: FastifyInstance, deps: FederationRouteDeps): void {
  app.get(
    '/v1/federation/policy',
    {
      schema: {
        tags: ['federation'],
        summary: 'The C2SP tlog-policy this node follows: the log key, the witnesses and the quorum',
        response: {
          200: { description: 'The policy text', content: { 'text/plain': { schema: string } } },
          ...problemResponses,
        },
      },
    },
    async (_request, reply) => {
      const text = deps.policyText();
      if (text === null) throw new ProblemError('POLICY_NOT_CONFIGURED', 'this node has no trust policy yet');
      return reply.type('text/plain; charset=utf-8').send(text);
    },
  );
  app.get(
    '/v1/federation/policy/note',
    {
      schema: {
        tags: ['federation'],
        summary:
          'The same policy as a C2SP signed note by the log key, with a sequence that orders its versions',
        description:
          'Text: "chancery.trust-policy/v1", "origin <log origin>", "sequence <n>", then the policy text, a blank ' +
          "line and the log key's signature line. Mirrors follow only this form, and only to a higher sequence. " +
          '404 POLICY_NOT_CONFIGURED when the node has no log-signed policy (a mirror given its own at start, or ' +
          'one that has not adopted one yet).',
        response: {
          200: { description: 'The signed note', content: { 'text/plain': { schema: string } } },
          ...problemResponses,
        },
      },
    },
    async (_request, reply) => {
      const note = deps.policyNote();
      if (note === null)
        throw new ProblemError(
          'POLICY_NOT_CONFIGURED',
          'this node has no trust policy signed by the log key (a mirror given its policy at start has none)',
        );
      return reply.type('text/plain; charset=utf-8').send(note);
    },
  );
}

function statusRoute(app: FastifyInstance, deps: FederationRouteDeps): void {
  app.get(
    '/v1/federation/status',
    {
      schema: {
        tags: ['federation'],
        summary:
          'Role, policy, which witnesses cosigned the latest checkpoint, finality, mirror and witness state',
        response: { 200: federationStatusSchema, ...problemResponses },
      },
    },
    async () => deps.status(),
  );
}
