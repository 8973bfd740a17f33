/**
 * HTTP series on /metrics: requests by route and status, a latency histogram,
 * and refusals by problem code. The route label is Fastify's route pattern
 * (`/v1/certifications/:id`), never the raw URL, so a client cannot grow the
 * label set; anything no route matched is one label, `unmatched`.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MetricsRegistry } from '../infrastructure/metrics/metrics-registry.js';
import type { ConnectionCounts, ConnectionRefusal } from './hardening/connection-limits.js';
import { PROBLEM_CONTENT_TYPE } from './problems/error-handler.js';

/** Requests answer in milliseconds; uploads and wait=final in seconds. */
const HTTP_BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Problem codes are the catalogue's, upper snake case; anything else is not counted under its own label. */
const PROBLEM_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

export function installHttpMetrics(app: FastifyInstance, metrics: MetricsRegistry): void {
  const requests = metrics.counterVec(
    'chancery_http_requests_total',
    'HTTP requests answered, by route pattern, method and status.',
    ['route', 'method', 'status'],
  );
  const duration = metrics.histogram(
    'chancery_http_request_duration_seconds',
    'Time to answer an HTTP request, by route pattern and method.',
    {
      labelNames: ['route', 'method'],
      buckets: HTTP_BUCKETS_SECONDS,
    },
  );
  const refusals = metrics.counterVec(
    'chancery_refusals_total',
    'Requests refused with an RFC 9457 problem, by problem code.',
    ['code'],
  );

  // Callback hooks, not async ones: they run on every request, and a promise each is pure overhead.
  app.addHook('onSend', (_request: FastifyRequest, reply: FastifyReply, payload: unknown, done) => {
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith(PROBLEM_CONTENT_TYPE) && typeof payload === 'string') {
      refusals.inc({ code: problemCode(payload) });
    }
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = routeOf(request);
    const method = request.method;
    requests.inc({ route, method, status: String(reply.statusCode) });
    duration.observe(reply.elapsedTime / 1000, { route, method });
    done();
  });
}

function problemCode(body: string): string {
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code;
    return typeof code === 'string' && PROBLEM_CODE.test(code) ? code : 'OTHER';
  } catch {
    return 'OTHER';
  }
}

/**
 * Connections open now and connections closed at accept by a cap, by which cap. Returns what
 * installConnectionLimits calls for each refusal. The address is not a label: clients could grow it.
 */
export function connectionMetrics(
  metrics: MetricsRegistry,
  counts: ConnectionCounts,
): (reason: ConnectionRefusal) => void {
  metrics.gauge('chancery_http_connections_open', 'HTTP connections open now.', () => counts.open());
  const refused = metrics.counterVec(
    'chancery_http_connections_refused_total',
    'Connections closed as soon as they were accepted: node_limit (CHANCERY_MAX_CONNECTIONS) or address_limit (CHANCERY_MAX_CONNECTIONS_PER_ADDRESS).',
    ['reason'],
  );
  for (const reason of ['node_limit', 'address_limit'] as const) refused.inc({ reason }, 0);
  return (reason) => refused.inc({ reason });
}

/**
 * The operations listener's connections (ops-app.ts), apart from the public listener's: its one
 * cap is fixed, and a refusal there means someone who reaches that port is filling it.
 */
export function opsConnectionMetrics(metrics: MetricsRegistry, counts: ConnectionCounts): () => void {
  metrics.gauge(
    'chancery_ops_connections_open',
    'Connections open now on the operations listener (CHANCERY_OPS_LISTEN).',
    () => counts.open(),
  );
  const refused = metrics.counterVec(
    'chancery_ops_connections_refused_total',
    'Connections the operations listener (CHANCERY_OPS_LISTEN) closed as soon as they were accepted: its own cap was full.',
    [],
  );
  refused.inc({}, 0);
  return () => refused.inc({});
}
