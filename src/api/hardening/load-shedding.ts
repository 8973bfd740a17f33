import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from '../../application/problems/problem.js';

export interface LoadLimits {
  /** Requests being served at once, over all routes but health; beyond it 503 + Retry-After. */
  readonly maxInFlight: number;
  /** Dataset uploads one verified key may have in flight at once (uploads-per-key.ts); beyond it 429 + Retry-After. */
  readonly maxUploadsPerKey: number;
}

export const DEFAULT_LOAD_LIMITS: LoadLimits = { maxInFlight: 256, maxUploadsPerKey: 4 };

/** Liveness and readiness must answer under any load: they are what an orchestrator kills on. */
const NEVER_SHED = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * Sheds load instead of queueing it without bound: a request beyond the
 * in-flight cap is refused before its body is read. Slots are released when
 * the response closes, whether it finished or the client went away.
 */
export function installLoadShedding(app: FastifyInstance, limits: LoadLimits): void {
  let inFlight = 0;
  // Throws the refusal; run from a callback hook rather than an async one, as it runs on every request.
  const admit = (request: FastifyRequest, reply: FastifyReply): void => {
    const path = request.url.split('?')[0] ?? '';
    if (NEVER_SHED.has(path)) return;
    if (inFlight >= limits.maxInFlight) {
      throw new ProblemError(
        'NODE_OVERLOADED',
        `${inFlight} requests are in flight; allowed: at most ${limits.maxInFlight}; retry after 1 s`,
        { maxInFlight: limits.maxInFlight },
        1,
      );
    }
    inFlight++;
    reply.raw.once('close', () => {
      inFlight--;
    });
  };
  app.addHook('onRequest', (request, reply, done) => {
    try {
      admit(request, reply);
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  });
}
