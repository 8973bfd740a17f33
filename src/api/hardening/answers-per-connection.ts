import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * Caps the requests one connection may have unanswered at once. Node's HTTP
 * server reads and starts every request in a chunk it receives (up to 64 KiB,
 * a thousand pipelined GETs) before it checks whether the connection reads
 * its answers, and queues each answer in memory until the ones before it are
 * sent. A client that pipelines and never reads would make the node compute
 * and keep them all, whatever the in-flight cap (which counts the node's
 * work, not answers waiting for a reader: load-shedding.ts).
 *
 * Beyond the cap the connection is closed without an answer: a refusal would
 * queue behind the unread answers like any other, and browsers, curl and
 * Node's own clients send one request at a time on a connection unless told
 * to pipeline. Closing it frees what its queued answers held; a client that
 * did read gets a reset and retries.
 */
export function installAnswersPerConnection(app: FastifyInstance, maxUnanswered: number): void {
  const unanswered = new WeakMap<Socket, number>();
  // A callback hook, not an async one: it runs on every request.
  app.addHook('onRequest', (request, reply, done) => {
    const socket = request.raw.socket;
    const count = (unanswered.get(socket) ?? 0) + 1;
    if (count > maxUnanswered) {
      // Hijacked, so Fastify runs no further hook nor the handler, and writes nothing.
      reply.hijack();
      socket.destroy();
      done();
      return;
    }
    unanswered.set(socket, count);
    reply.raw.once('close', () => {
      const left = (unanswered.get(socket) ?? 1) - 1;
      if (left <= 0) unanswered.delete(socket);
      else unanswered.set(socket, left);
    });
    done();
  });
}
