import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from '../../application/problems/problem.js';

export interface LoadLimits {
  /** Requests being served at once, over all routes but health; beyond it 503 + Retry-After. */
  readonly maxInFlight: number;
  /** Dataset uploads one key may have in flight at once; beyond it 429 + Retry-After. */
  readonly maxUploadsPerKey: number;
}

export const DEFAULT_LOAD_LIMITS: LoadLimits = { maxInFlight: 256, maxUploadsPerKey: 4 };

/** Liveness and readiness must answer under any load: they are what an orchestrator kills on. */
const NEVER_SHED = new Set(['/health/live', '/health/ready', '/metrics']);
const UPLOAD_ROUTE = /^\/v1\/directory\/entries\/[^/]+\/versions$/;
const KEY_ID = /keyid="([^"]{1,200})"/;

/**
 * Sheds load instead of queueing it without bound: a request beyond the
 * in-flight cap is refused before its body is read. Slots are released when
 * the response closes, whether it finished or the client went away.
 */
export function installLoadShedding(app: FastifyInstance, limits: LoadLimits): void {
  let inFlight = 0;
  const uploadsByKey = new Map<string, number>();
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
    const key = request.method === 'POST' && UPLOAD_ROUTE.test(path) ? claimedKeyId(request) : null;
    if (key !== null && (uploadsByKey.get(key) ?? 0) >= limits.maxUploadsPerKey) {
      throw new ProblemError(
        'UPLOADS_PER_KEY_EXCEEDED',
        `key ${key} has ${limits.maxUploadsPerKey} uploads in flight; allowed: at most ${limits.maxUploadsPerKey} at once; retry after 2 s`,
        { keyId: key, maxUploadsPerKey: limits.maxUploadsPerKey },
        2,
      );
    }
    inFlight++;
    if (key !== null) uploadsByKey.set(key, (uploadsByKey.get(key) ?? 0) + 1);
    reply.raw.once('close', () => {
      inFlight--;
      if (key !== null) release(uploadsByKey, key);
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

/**
 * The key an upload's RFC 9421 Signature-Input names. Counted before the
 * signature is checked: a forger claiming someone's key holds that slot only
 * while the upload handler verifies the headers, which it does before reading
 * any of the body.
 */
function claimedKeyId(request: FastifyRequest): string | null {
  const input = request.headers['signature-input'];
  const text = Array.isArray(input) ? input.join(',') : input;
  return text === undefined ? null : (KEY_ID.exec(text)?.[1] ?? null);
}

function release(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left <= 0) counts.delete(key);
  else counts.set(key, left);
}
