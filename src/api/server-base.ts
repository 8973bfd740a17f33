/**
 * What every Chancery HTTP listener shares before any route: request ids, the header and request
 * timeouts, prototype-poisoning refusals, the node's gate, and RFC 9457 problem rendering (an
 * unknown route is 404 ROUTE_NOT_FOUND). The public app (app.ts) adds load shedding, connection
 * caps, HTTP metrics and its routes on top; the operations listener (ops-app.ts) its own cap and
 * three routes.
 */

import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { ProblemError } from '../application/problems/problem.js';
import { serverLimitOptions } from './hardening/server-limits.js';
import { installProblemHandlers } from './problems/error-handler.js';
import { createValidators } from './schemas/validator.js';

/** Refuses a request before any route sees it (503 NOT_READY while the node cannot serve), or lets it pass (null). */
export type RequestGate = (path: string, method: string) => ProblemError | null;

export interface ServerBaseOptions {
  /** pino options, or false to stay silent (tests). */
  readonly logger?: FastifyServerOptions['logger'];
  /** A logger that already exists (another listener's child), instead of `logger`. */
  readonly loggerInstance?: FastifyBaseLogger;
  /** Largest accepted request body in bytes. */
  readonly bodyLimit: number;
  readonly gate?: RequestGate;
}

export function createServerBase(options: ServerBaseOptions): FastifyInstance {
  const app = Fastify({
    ...(options.loggerInstance === undefined
      ? { logger: options.logger ?? false }
      : { loggerInstance: options.loggerInstance }),
    bodyLimit: options.bodyLimit,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // Bodies are signed data: a __proto__ key is refused, never silently dropped.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    // Header and request timeouts, header size, and parser refusals as problem+json.
    ...serverLimitOptions(),
  }) as unknown as FastifyInstance;

  const validators = createValidators();
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? validators.body : validators.query).compile(schema as object),
  );
  // Hooks on every request take a callback rather than being async: no promise and no extra turn per request.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
  installProblemHandlers(app);
  const gate = options.gate;
  if (gate !== undefined) {
    app.addHook('onRequest', (request, _reply, done) => {
      const refusal = gate(request.url.split('?')[0] ?? '', request.method);
      done(refusal ?? undefined);
    });
  }
  // Every body we accept is JSON; a text body is refused as such rather than failing schema checks.
  app.removeContentTypeParser(['text/plain']);
  return app;
}
