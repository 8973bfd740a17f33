/**
 * The operator's read-only views: GET /v1/operations (readiness by component,
 * finality, witnesses, mirror lag, open alerts) and the console at /console,
 * which reads the node's public read API. Everything here is public log
 * data: no login, and nothing loaded from anywhere but this node.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BucketName, CertificationSeries } from '../../protocol/certification-series.js';
import type { NodeHistoryView } from '../../protocol/node-history.js';
import type { OperationsStatus } from '../../protocol/operations-status.js';
import { problemResponses } from '../schemas/route-schemas.js';
import { seriesQuerySchema, seriesSchema } from './certification-series-schema.js';
import { CONSOLE_HTML, type ConsoleAsset, consoleScript, consoleStyle } from './console-assets.js';
import { historySchema } from './history-schema.js';
import { operationsSchema } from './operations-schema.js';

/** Nothing from elsewhere: scripts, styles and data come from this node only. */
const CONSOLE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: ConsoleAsset) {
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  return reply
    .headers({ etag: asset.etag, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' })
    .type(asset.contentType)
    .send(asset.body);
}

export interface ConsoleRouteDeps {
  operations(): Promise<OperationsStatus>;
  /** The sampled history of every node this one knows (the console's node detail view). */
  history(): NodeHistoryView;
  /** Certifications per time bucket by type, issuer and status, from the read model. */
  certifications(query: { bucket: BucketName; buckets: number; top: number }): CertificationSeries;
}

export async function consoleRoutes(app: FastifyInstance, deps: ConsoleRouteDeps): Promise<void> {
  app.get('/console', { schema: { hide: true } }, async (_request, reply) =>
    reply.headers(CONSOLE_HEADERS).type('text/html; charset=utf-8').send(CONSOLE_HTML),
  );
  app.get('/console/assets/console.js', { schema: { hide: true } }, async (request, reply) =>
    sendAsset(request, reply, await consoleScript()),
  );
  app.get('/console/assets/console.css', { schema: { hide: true } }, async (request, reply) =>
    sendAsset(request, reply, consoleStyle()),
  );
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
  app.get(
    '/v1/operations/history',
    {
      schema: {
        tags: ['node'],
        summary:
          'History of each node this one knows (itself, its witnesses and mirrors): up, log size, lag, last cosignature, cosign latency',
        description:
          'Sampled by the node every CHANCERY_HISTORY_INTERVAL_MS (default 60 s) into a fixed ring of `capacity` samples per node (1440: 24 hours at the default), so it is there for a console opened later. Columns, oldest first.',
        response: { 200: historySchema, ...problemResponses },
      },
    },
    async () => deps.history(),
  );
  app.get<{ Querystring: { bucket: BucketName; buckets: number; top: number } }>(
    '/v1/operations/certifications',
    {
      schema: {
        tags: ['node'],
        summary: 'Certifications over time: counts per time bucket by record type, issuer and status change',
        description:
          'Counted from the read model over the window of `buckets` buckets ending now, by the times the log records (certifiedAt, a status change\'s at). Each dimension keeps its `top` keys by total in the window and sums the rest as "(other)", so the answer stays small.',
        querystring: seriesQuerySchema,
        response: { 200: seriesSchema, ...problemResponses },
      },
    },
    async (request) => deps.certifications(request.query),
  );
}
