import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { isStream } from './load-shedding.js';

/** What one connection has asked for and not yet been sent. */
interface ConnectionAnswers {
  /** Requests started and not yet closed. */
  unanswered: number;
  /** Answers handed to Node's HTTP server whose bytes have not all reached the kernel. */
  queued: number;
}

/** What a streamed answer keeps in memory at a time: about one read-ahead of its stream. */
const STREAMED_ANSWER_BYTES = 64 * 1024;

/** Bytes an answer handed over with this payload holds until it is sent. */
function answerBytes(payload: unknown): number {
  if (typeof payload === 'string') return Buffer.byteLength(payload);
  if (payload instanceof Uint8Array) return payload.byteLength;
  if (isStream(payload)) return STREAMED_ANSWER_BYTES;
  return 0;
}

/**
 * Caps what clients that do not read their answers can make the node hold.
 *
 * Per connection, the requests unanswered at once. Node's HTTP server reads
 * and starts every request in a chunk it receives (up to 64 KiB, a thousand
 * pipelined GETs) before it checks whether the connection reads its answers,
 * and queues each answer in memory until the ones before it are sent. A
 * client that pipelines and never reads would make the node compute and keep
 * them all, whatever the in-flight cap (which counts the node's work, not
 * answers waiting for a reader: load-shedding.ts). Beyond the cap the
 * connection is closed without an answer: a refusal would queue behind the
 * unread answers like any other, and browsers, curl and Node's own clients
 * send one request at a time on a connection unless told to pipeline.
 * Closing it frees what its queued answers held; a client that did read gets
 * a reset and retries.
 *
 * Over all connections, the bytes of answers queued behind an earlier answer
 * of their connection that is not sent yet. The per-connection cap alone
 * bounds memory only by the number of connections (16 unread answers of up
 * to 630 KB each per connection). Past `maxQueuedBytes`, a connection whose
 * next answer would wait behind an unsent one is closed instead. A client
 * that sends its next request only once it has its answer, as browsers and
 * phones do, never has an answer waiting behind another, so it is never
 * closed by this; one that pipelines is, only while the node holds that much.
 */
export function installAnswersPerConnection(
  app: FastifyInstance,
  maxUnanswered: number,
  maxQueuedBytes: number,
): void {
  const connections = new WeakMap<Socket, ConnectionAnswers>();
  let queuedBytes = 0;
  // Callback hooks, not async ones: they run on every request.
  app.addHook('onRequest', (request, reply, done) => {
    const socket = request.raw.socket;
    let answers = connections.get(socket);
    if (answers === undefined) {
      answers = { unanswered: 0, queued: 0 };
      connections.set(socket, answers);
    }
    if (answers.unanswered >= maxUnanswered) {
      // Hijacked, so Fastify runs no further hook nor the handler, and writes nothing.
      reply.hijack();
      socket.destroy();
      done();
      return;
    }
    const counted = answers;
    counted.unanswered++;
    reply.raw.once('close', () => {
      counted.unanswered--;
    });
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    const socket = request.raw.socket;
    const answers = connections.get(socket);
    if (answers === undefined || socket.destroyed) return done(null, payload);
    const bytes = answerBytes(payload);
    if (answers.queued > 0 && queuedBytes + bytes > maxQueuedBytes) {
      // Fastify's write to the closed socket goes nowhere, and a streamed payload is destroyed with it.
      socket.destroy();
      return done(null, payload);
    }
    answers.queued++;
    queuedBytes += bytes;
    let held = true;
    const sent = (): void => {
      if (!held) return;
      held = false;
      answers.queued--;
      queuedBytes -= bytes;
    };
    // 'finish' once the last byte is with the kernel; 'close' also when the connection went first.
    reply.raw.once('finish', sent);
    reply.raw.once('close', sent);
    done(null, payload);
  });
}
