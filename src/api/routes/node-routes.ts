import type { FastifyInstance } from 'fastify';
import type { NodeStatus } from '../../protocol/node-status.js';
import { problemResponses, schemas } from '../schemas/route-schemas.js';
import { type HealthRouteDeps, healthRoutes } from './health-routes.js';

export type { NodeStatus };

export interface NodeRouteDeps extends HealthRouteDeps {
  status(): Promise<NodeStatus>;
}

export async function nodeRoutes(app: FastifyInstance, deps: NodeRouteDeps): Promise<void> {
  await healthRoutes(app, deps);

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
