/**
 * Connections a test holds open against a real node's listener, and one-shot requests on
 * connections of their own: what it takes to fill a connection cap and to see what a client
 * past it is told (test/e2e/connection-limits-cli.test.ts, test/e2e/ops-listener-cli.test.ts).
 */
import { type IncomingHttpHeaders, request } from 'node:http';
import { connect, type Socket } from 'node:net';

/** Keep-alive connections held open until `closeAll`. */
export class HeldConnections {
  private readonly sockets: Socket[] = [];

  /** How many are held (some may have been closed by the node since). */
  get size(): number {
    return this.sockets.length;
  }

  /**
   * Opens a keep-alive connection to `url` (from `localAddress`: any of 127/8 is this machine) and
   * asks for /health/live: 'served' once the answer came and the connection stays open, 'closed'
   * when the node closed it without a byte (a connection cap refused it at accept).
   */
  async hold(url: string, localAddress = '127.0.0.1'): Promise<'served' | 'closed'> {
    const { hostname, port } = new URL(url);
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port), localAddress });
    this.sockets.push(socket);
    let received = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('error', () => {});
    socket.write(`GET /health/live HTTP/1.1\r\nhost: ${hostname}\r\n\r\n`);
    return new Promise((resolve) => {
      const done = (): void => {
        if (received.startsWith('HTTP/1.1 200')) resolve('served');
        else if (socket.destroyed || socket.readableEnded) resolve(received === '' ? 'closed' : 'served');
        else setTimeout(done, 10);
      };
      socket.on('close', done);
      done();
    });
  }

  /** Closes the first held connection; the node frees its slot an event-loop turn later. */
  dropOne(): void {
    this.sockets[0]?.destroy();
  }

  async closeAll(): Promise<void> {
    await Promise.all(
      this.sockets
        .splice(0)
        .map(
          (socket) =>
            new Promise<void>((r) => (socket.destroyed ? r() : socket.once('close', () => r()).destroy())),
        ),
    );
    // The node sees each close an event-loop turn later.
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface OneShotAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * One request on a connection of its own, closed after it: it holds no slot once answered.
 * 'refused' when the node closed the connection without answering (a connection cap).
 */
export function requestOnce(
  url: string,
  path: string,
  options: { method?: string; localAddress?: string } = {},
): Promise<OneShotAnswer | 'refused'> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, url),
      {
        agent: false,
        method: options.method ?? 'GET',
        ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' ? resolve('refused') : reject(error),
    );
    req.end();
  });
}

/** The same, for a request that must be answered. */
export async function answeredOnce(
  url: string,
  path: string,
  options: { method?: string; localAddress?: string } = {},
): Promise<OneShotAnswer> {
  const answer = await requestOnce(url, path, options);
  if (answer === 'refused') throw new Error(`${options.method ?? 'GET'} ${url}${path}: connection refused`);
  return answer;
}

/** The value of one sample of a Prometheus exposition, by its whole name and labels; NaN when absent. */
export function metricValue(exposition: string, sample: string): number {
  const found = exposition.split('\n').find((l) => l.startsWith(`${sample} `));
  return Number(found?.split(' ').pop() ?? Number.NaN);
}
