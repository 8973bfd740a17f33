/**
 * The operator's read-only views: GET /v1/operations (readiness by component,
 * finality, witnesses, mirror lag, open alerts) and, once built, the console
 * at /console. Everything here is public log data: no login.
 */

import type { FastifyInstance } from 'fastify';
import type { OperationsStatus } from '../../protocol/operations-status.js';
import { problemResponses } from '../schemas/route-schemas.js';
import { operationsSchema } from './operations-schema.js';

export interface ConsoleRouteDeps {
  operations(): Promise<OperationsStatus>;
}

export async function consoleRoutes(app: FastifyInstance, deps: ConsoleRouteDeps): Promise<void> {
  app.get(
    '/v1/operations',
    {
      schema: {
        tags: ['node'],
        summary: 'Operator view: readiness by component, finality, witnesses, mirror lag and open alerts',
        response: { 200: operationsSchema, ...problemResponses },
      },
    },
    async () => deps.operations(),
  );
}
