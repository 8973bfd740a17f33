import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../problems/problem.js';
import { problemResponses, schemas } from '../schemas/route-schemas.js';

export interface NodeStatus {
  name: 'chancery';
  version: string;
  origin: string;
  store: string;
  authorityId: string;
  lastPosition: string | null;
  projectedPosition: string | null;
  identities: number;
  certifications: number;
  ready: boolean;
  /** C2SP verifier key of the log: what a citizen or witness pins to check checkpoints. */
  logVerifierKey: string;
  /** primary: writes and seals the log; mirror: a verified replica and a witness. */
  role: 'primary' | 'mirror';
  /** A mirror-witness's cosignature/v1 verifier key, for trust policies; null on a primary. */
  witnessVerifierKey: string | null;
  /** Tree size of the latest checkpoint this node serves (0 before the first). */
  checkpointTreeSize: number;
  /** Largest tree size under a checkpoint the trust policy's witness quorum cosigned. */
  finalTreeSize: number;
  /** Whether the latest checkpoint is final (cosigned by the quorum). */
  final: boolean;
}

export interface NodeRouteDeps {
  status(): Promise<NodeStatus>;
  /** Null when ready, otherwise why not. */
  notReadyReason(): Promise<string | null>;
}

export async function nodeRoutes(app: FastifyInstance, deps: NodeRouteDeps): Promise<void> {
  app.get(
    '/health/live',
    {
      schema: {
        tags: ['health'],
        summary: 'The process is up',
        response: { 200: { type: 'object', properties: { status: { const: 'ok' } }, required: ['status'] } },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'The store is reachable and the read models have caught up',
        response: {
          200: { type: 'object', properties: { status: { const: 'ready' } }, required: ['status'] },
          ...problemResponses,
        },
      },
    },
    async () => {
      const reason = await deps.notReadyReason();
      if (reason !== null) throw new ProblemError('NOT_READY', reason, {}, 1);
      return { status: 'ready' as const };
    },
  );

  app.get(
    '/v1/status',
    {
      schema: {
        tags: ['node'],
        summary: 'Node identity, store and read-model progress',
        response: { 200: schemas.status, ...problemResponses },
      },
    },
    async () => deps.status(),
  );
}
