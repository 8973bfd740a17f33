import { finished } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from '../../application/problems/problem.js';

export interface LoadLimits {
  /** Requests being served at once, over all routes but health; beyond it 503 + Retry-After. */
  readonly maxInFlight: number;
  /** Dataset uploads one verified key may have in flight at once (uploads-per-key.ts); beyond it 429 + Retry-After. */
  readonly maxUploadsPerKey: number;
  /** Requests one connection may have unanswered at once, pipelined (answers-per-connection.ts); beyond it the connection is closed. */
  readonly maxUnansweredPerConnection: number;
  /**
   * Bytes of answers, over all connections, that may wait behind an unsent answer of their own connection
   * (answers-per-connection.ts); beyond it such a connection is closed.
   */
  readonly maxQueuedAnswerBytes: number;
}

export const DEFAULT_LOAD_LIMITS: LoadLimits = {
  maxInFlight: 256,
  maxUploadsPerKey: 4,
  // Browsers, curl and Node's clients send one request at a time on a connection; 16 leaves room for a client that
  // pipelines, and bounds what one connection that never reads makes the node hold: 16 answers (the largest
  // written in one piece is the OpenAPI document, about 630 KB), beside what the kernel's socket buffers hold.
  maxUnansweredPerConnection: 16,
  // What clients that pipeline and do not read may make the node hold in all: the rest of the heap is the node's.
  maxQueuedAnswerBytes: 64 * 1024 * 1024,
};

/** Liveness and readiness must answer under any load: they are what an orchestrator kills on. */
const NEVER_SHED = new Set(['/health/live', '/health/ready', '/metrics']);

/** A payload Fastify pipes to the response rather than writing in one piece (a dataset download). */
function isStream(payload: unknown): payload is NodeJS.ReadableStream {
  return typeof (payload as { pipe?: unknown } | null)?.pipe === 'function';
}

/**
 * Sheds load instead of queueing it without bound: a request beyond the
 * in-flight cap is refused before its body is read.
 *
 * A slot counts the node's work, not the client's reading: it is released
 * once the answer is handed to Node's HTTP server (onSend), not once its
 * bytes reach the kernel. A client that pipelines requests and never reads
 * keeps its answers queued unsent for as long as it likes; if those held
 * slots, a few such clients would turn everyone else away with 503. A
 * streamed answer is still being produced, so it holds its slot until its
 * stream ends. A request that never gets that far (the client went away,
 * the response was written some other way) is released when its response
 * closes.
 */
export function installLoadShedding(app: FastifyInstance, limits: LoadLimits): void {
  let inFlight = 0;
  const releases = new WeakMap<FastifyRequest, () => void>();
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
    let held = true;
    const release = (): void => {
      if (!held) return;
      held = false;
      inFlight--;
      releases.delete(request);
    };
    releases.set(request, release);
    reply.raw.once('close', release);
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
  app.addHook('onSend', (request, _reply, payload, done) => {
    const release = releases.get(request);
    if (release !== undefined) {
      if (isStream(payload)) finished(payload, release);
      else release();
    }
    done(null, payload);
  });
}
