/**
 * The operations listener: /health/live, /health/ready and /metrics on a port of their own
 * (CHANCERY_OPS_LISTEN), for the load balancer's probes and Prometheus' scrapes.
 *
 * The public listener refuses connections at accept once its cap is full, and an attacker can keep
 * it full; its probes and scrapes were refused with the attacker's connections, so the orchestrator
 * restarted a healthy node and the operator lost the metrics that showed the attack. This listener
 * is apart from the public one's caps and in-flight slots, counted in neither, and has a small
 * fixed cap of its own so that it cannot be used to take the node's file descriptors either. It
 * answers with the public listener's route code (health-routes.ts, metrics-route.ts) and its
 * problem rendering; anything else is 404 ROUTE_NOT_FOUND.
 *
 * Its requests are not counted in the chancery_http_* request series, which describe the public
 * listener: a scrape every 15 s there would say nothing about clients. Its connections are counted
 * on their own (chancery_ops_connections_*).
 */

import type { FastifyBaseLogger, FastifyInstance, FastifyServerOptions } from 'fastify';
import type { MetricsRegistry } from '../infrastructure/metrics/metrics-registry.js';
import { installAnswersPerConnection } from './hardening/answers-per-connection.js';
import { type ConnectionLimits, installConnectionLimits } from './hardening/connection-limits.js';
import { DEFAULT_LOAD_LIMITS } from './hardening/load-shedding.js';
import { installSendStallTimeout } from './hardening/send-stall-timeout.js';
import { SEND_STALL_TIMEOUT_MS } from './hardening/server-limits.js';
import { opsConnectionMetrics } from './metrics-http.js';
import { type HealthRouteDeps, healthRoutes } from './routes/health-routes.js';
import { type MetricsRouteDeps, metricsRoute } from './routes/metrics-route.js';
import { createServerBase, type RequestGate } from './server-base.js';

/**
 * A load balancer's few nodes and a Prometheus or two need a handful; 64 leaves room for a
 * deployment's worth of them, and is as many file descriptors as an attacker who reaches this
 * port can take. No per-address cap: the probers are few addresses, each opening several.
 */
export const OPS_CONNECTION_LIMITS: ConnectionLimits = { maxConnections: 64, maxConnectionsPerAddress: 0 };

/** The paths the operations listener serves; the public listener serves them too. */
export const OPS_PATHS: readonly string[] = ['/health/live', '/health/ready', '/metrics'];

/**
 * Bytes of answers waiting behind an unsent answer of their connection, all its connections
 * together: a /metrics answer is tens of KB, and a scraper asks again only once it has its answer.
 */
const OPS_MAX_QUEUED_ANSWER_BYTES = 16 * 1024 * 1024;

/** Nothing sent to this listener has a body worth reading. */
const OPS_BODY_LIMIT = 1024;

export interface OpsAppDeps extends HealthRouteDeps, MetricsRouteDeps {
  /** pino options, or false to stay silent (tests); ignored when `loggerInstance` is given. */
  readonly logger?: FastifyServerOptions['logger'];
  /** The public app's logger (a child of it), so both listeners' lines go to one place. */
  readonly loggerInstance?: FastifyBaseLogger;
  /** The public app's gate, applied to the three routes alike (503 NOT_READY while starting). */
  readonly gate?: RequestGate;
  /** The node's metrics registry: this listener's connections are counted into it. */
  readonly registry?: MetricsRegistry;
  /** Told of each connection its cap closed at accept (the operator's log), with the client's address. */
  readonly onConnectionRefused?: (address: string) => void;
}

export async function buildOpsApp(deps: OpsAppDeps): Promise<FastifyInstance> {
  const gate = deps.gate;
  const app = createServerBase({
    ...(deps.loggerInstance === undefined
      ? { logger: deps.logger ?? false }
      : { loggerInstance: deps.loggerInstance }),
    bodyLimit: OPS_BODY_LIMIT,
    // Only the three routes pass the gate: any other request here is a 404, whatever a mirror's gate says of it.
    ...(gate === undefined
      ? {}
      : { gate: (path, method) => (OPS_PATHS.includes(path) ? gate(path, method) : null) }),
  });
  // No load shedding: its in-flight slots are the public listener's, and these three routes are never shed there.
  installAnswersPerConnection(
    app,
    DEFAULT_LOAD_LIMITS.maxUnansweredPerConnection,
    OPS_MAX_QUEUED_ANSWER_BYTES,
  );
  installSendStallTimeout(app.server, SEND_STALL_TIMEOUT_MS);
  let refused: (() => void) | undefined;
  const counts = installConnectionLimits(app.server, OPS_CONNECTION_LIMITS, (_reason, address) => {
    refused?.();
    deps.onConnectionRefused?.(address);
  });
  if (deps.registry !== undefined) refused = opsConnectionMetrics(deps.registry, counts);
  await app.register(async (scope) => healthRoutes(scope, deps));
  await app.register(async (scope) => metricsRoute(scope, deps));
  return app;
}
