import type { FastifyInstance } from 'fastify';

export interface MetricsRouteDeps {
  /** The Prometheus text exposition. */
  readonly metrics: () => string | Promise<string>;
}

/**
 * GET /metrics, the Prometheus text exposition. Registered on the public listener and on the
 * operations listener (ops-app.ts), so a scrape of either answers alike.
 */
export function metricsRoute(app: FastifyInstance, deps: MetricsRouteDeps): void {
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['node'],
        summary: 'Prometheus metrics (text exposition 0.0.4)',
        response: {
          200: { description: 'Metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
        },
      },
    },
    async (_request, reply) =>
      reply.type('text/plain; version=0.0.4; charset=utf-8').send(await deps.metrics()),
  );
}
