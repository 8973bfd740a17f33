import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../../application/problems/problem.js';
import { problemResponses } from '../schemas/route-schemas.js';

export interface HealthRouteDeps {
  /** Null when ready, otherwise why not. */
  notReadyReason(): Promise<string | null>;
  /** The body of a ready answer: each component, and finality apart from them. */
  readiness?(): Promise<{ readonly status: 'ready' }>;
}

const readyBody = {
  type: 'object',
  properties: {
    status: { const: 'ready' },
    store: { const: 'ok' },
    eventFeed: { const: 'ok' },
    log: { const: 'ok' },
    finality: { enum: ['ok', 'degraded', 'none'] },
    reason: { type: 'string' },
  },
  required: ['status'],
} as const;

/**
 * Liveness and readiness, what an orchestrator restarts a node on. Registered on the public
 * listener and on the operations listener (ops-app.ts), so both answer alike.
 */
export async function healthRoutes(app: FastifyInstance, deps: HealthRouteDeps): Promise<void> {
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
        summary:
          'The store is reachable and the read models have caught up; finality (witness quorum) is reported apart',
        response: {
          200: readyBody,
          ...problemResponses,
        },
      },
    },
    async () => {
      const reason = await deps.notReadyReason();
      if (reason !== null) throw new ProblemError('NOT_READY', reason, {}, 1);
      return deps.readiness === undefined ? { status: 'ready' as const } : deps.readiness();
    },
  );
}
