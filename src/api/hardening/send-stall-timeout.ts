import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** What a connection's output looked like when it was last seen to move. */
interface Progress {
  /** Bytes Node holds for the socket, not yet taken by the kernel. */
  readonly pending: number;
  /** Bytes ever written to the socket, pending ones included: it grows when more is queued. */
  readonly written: number;
  /** When the socket was first seen in this state. */
  readonly since: number;
}

/**
 * Closes a connection whose answer has waited for its reader, without any of
 * it being taken, for `stallMs`. Nothing else does: `requestTimeout` covers
 * receiving a request, not sending its answer, and the server's own socket
 * timeout is off (it would also cut a request the node is still working on).
 * A client that never reads would otherwise keep its connection, its queued
 * answers and, for a streamed answer, its in-flight slot, for ever.
 *
 * Progress is what Node can see: a write the kernel has taken in full. A
 * slow reader makes progress as long as it keeps reading; a streamed answer
 * (a dataset download) is written in 64 KiB pieces, an answer built in
 * memory in one piece, so its reader must take all of it (less what the
 * socket buffers hold) within `stallMs`.
 *
 * One timer for the whole server, running only while it has connections;
 * a connection is looked at every quarter of `stallMs`, so it is closed
 * between `stallMs` and 1.5 × `stallMs` after its last progress.
 */
export function installSendStallTimeout(server: Server, stallMs: number): void {
  const sockets = new Map<Socket, Progress | null>();
  let timer: NodeJS.Timeout | undefined;
  const sweep = (): void => {
    const now = Date.now();
    for (const [socket, last] of sockets) {
      const pending = socket.writableLength;
      if (pending === 0) {
        if (last !== null) sockets.set(socket, null);
        continue;
      }
      const written = socket.bytesWritten;
      if (last === null || last.pending !== pending || last.written !== written) {
        sockets.set(socket, { pending, written, since: now });
      } else if (now - last.since >= stallMs) {
        socket.destroy();
      }
    }
    if (sockets.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  server.on('connection', (socket: Socket) => {
    sockets.set(socket, null);
    socket.once('close', () => sockets.delete(socket));
    if (timer === undefined) {
      timer = setInterval(sweep, Math.max(1, Math.floor(stallMs / 4)));
      // The timer must not keep a process alive that has nothing else to do.
      timer.unref();
    }
  });
}
