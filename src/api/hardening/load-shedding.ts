import { finished } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from '../../application/problems/problem.js';
import { type ConnectionLimits, clientAddressKey } from './connection-limits.js';
import { CountsByKey } from './counts-by-key.js';

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
  /**
   * Answers of routes marked `config: { streamedAnswer: true }` (dataset downloads) being streamed at once;
   * beyond it 503 + Retry-After. They hold these slots, not the in-flight ones, while they stream.
   */
  readonly maxStreamsInFlight: number;
  /**
   * Of those, the downloads one client address (an IPv4 address, or an IPv6 address's /64) may have streamed at
   * once; beyond it 429 + Retry-After. 0: no per-address cap, as behind a reverse proxy, where every client has
   * the proxy's address.
   */
  readonly maxStreamsPerAddress: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers with a stream (a dataset download): it counts against LoadLimits.maxStreamsInFlight. */
    streamedAnswer?: boolean;
  }
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
  // Each holds an open file and its read-ahead for as long as its reader takes (up to the send stall timeout
  // for one that stopped reading): a quarter of the in-flight cap, so downloads alone never turn the API away.
  maxStreamsInFlight: 64,
  // A client that reads downloads just fast enough never meets the send stall timeout, so without this one
  // address could hold every download slot for as long as it liked. An integrator syncing datasets in parallel
  // rarely needs more; more addresses cost an attacker more than effort.
  maxStreamsPerAddress: 8,
};

/**
 * The load limits a listener with these connection caps runs with. Behind a reverse proxy (no
 * per-address connection cap) every client has the proxy's address, so a per-address download cap
 * would be one cap for all clients together: it is lifted with the connection one.
 */
export function loadLimitsWith(limits: LoadLimits, connections: ConnectionLimits | undefined): LoadLimits {
  return connections?.maxConnectionsPerAddress === 0 ? { ...limits, maxStreamsPerAddress: 0 } : limits;
}

/** Liveness and readiness must answer under any load: they are what an orchestrator kills on. */
const NEVER_SHED = new Set(['/health/live', '/health/ready', '/metrics']);

/** A payload Fastify pipes to the response rather than writing in one piece (a dataset download). */
export function isStream(payload: unknown): payload is NodeJS.ReadableStream {
  return typeof (payload as { pipe?: unknown } | null)?.pipe === 'function';
}

/** A counter of slots that refuses with 503 NODE_OVERLOADED past its cap. */
class Slots {
  private taken = 0;

  constructor(
    private readonly cap: number,
    /** What is counted, in the refusal's detail: "requests are in flight". */
    private readonly what: string,
    /** The limit's name, in the refusal's extension member. */
    private readonly limitName: string,
  ) {}

  /** Takes a slot and returns its release (idempotent), or throws the refusal. */
  take(): () => void {
    if (this.taken >= this.cap) {
      throw new ProblemError(
        'NODE_OVERLOADED',
        `${this.taken} ${this.what}; allowed: at most ${this.cap}; retry after 1 s`,
        { [this.limitName]: this.cap },
        1,
      );
    }
    this.taken++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.taken--;
    };
  }
}

/** Slots counted per client address; 429 DOWNLOADS_PER_ADDRESS_EXCEEDED past the cap, none if the cap is 0. */
class SlotsPerAddress {
  readonly #held = new CountsByKey();

  constructor(private readonly cap: number) {}

  take(address: string): () => void {
    if (this.cap === 0) return () => {};
    const held = this.#held.held(address);
    if (held >= this.cap) {
      throw new ProblemError(
        'DOWNLOADS_PER_ADDRESS_EXCEEDED',
        `client address ${address} has ${held} downloads being sent; allowed: at most ${this.cap} at once per client address; retry after 2 s`,
        { maxStreamsPerAddress: this.cap },
        2,
      );
    }
    return this.#held.add(address);
  }
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
 * request that never gets that far (the client went away, the response was
 * written some other way) is released when its response closes.
 *
 * A streamed answer is still being produced after the handover. On a route
 * marked `streamedAnswer` (a dataset download, which anyone may ask for when
 * the dataset is public) it holds a slot of its own kind until its stream
 * ends, so that slow or stalled downloads can take at most maxStreamsInFlight
 * of them and never the API's, and one client address at most
 * maxStreamsPerAddress. A stream from any other route keeps its in-flight
 * slot until it ends.
 */
export function installLoadShedding(app: FastifyInstance, limits: LoadLimits): void {
  const requests = new Slots(limits.maxInFlight, 'requests are in flight', 'maxInFlight');
  const streams = new Slots(limits.maxStreamsInFlight, 'downloads are being sent', 'maxStreamsInFlight');
  const streamsPerAddress = new SlotsPerAddress(limits.maxStreamsPerAddress);
  // The client's share first: a client holding its own share is told so (429) rather than that the node is full.
  const takeStream = (request: FastifyRequest): (() => void) => {
    const releaseAddress = streamsPerAddress.take(clientAddressKey(request.socket.remoteAddress ?? ''));
    let releaseStream: () => void;
    try {
      releaseStream = streams.take();
    } catch (error) {
      releaseAddress();
      throw error;
    }
    return () => {
      releaseStream();
      releaseAddress();
    };
  };
  const held = new WeakMap<FastifyRequest, { request: () => void; stream: (() => void) | null }>();
  // Throws the refusal; run from a callback hook rather than an async one, as it runs on every request.
  const admit = (request: FastifyRequest, reply: FastifyReply): void => {
    const path = request.url.split('?')[0] ?? '';
    if (NEVER_SHED.has(path)) return;
    const stream = request.routeOptions.config?.streamedAnswer === true ? takeStream(request) : null;
    let releaseRequest: () => void;
    try {
      releaseRequest = requests.take();
    } catch (error) {
      stream?.();
      throw error;
    }
    const slots = { request: releaseRequest, stream };
    held.set(request, slots);
    reply.raw.once('close', () => {
      slots.request();
      slots.stream?.();
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
  app.addHook('onSend', (request, _reply, payload, done) => {
    const slots = held.get(request);
    if (slots !== undefined) {
      held.delete(request);
      if (!isStream(payload)) {
        slots.request();
        slots.stream?.();
      } else if (slots.stream !== null) {
        slots.request();
        finished(payload, slots.stream);
      } else {
        finished(payload, slots.request);
      }
    }
    done(null, payload);
  });
}
