/**
 * A man in the middle between a mirror and its upstream, on a loopback port:
 * it forwards every request to the target and hands each answer to `tamper`,
 * which may return another status and body for it (or undefined to pass it
 * through unchanged). The target is read per request, so a test can restart
 * the upstream behind it.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedAnswer {
  readonly status: number;
  readonly body: string;
}

export type Tamper = (path: string, answer: ProxiedAnswer) => ProxiedAnswer | undefined;

export interface TamperingProxy {
  readonly url: string;
  /** Requests seen, by path. */
  readonly seen: string[];
  close(): Promise<void>;
}

export async function startTamperingProxy(target: () => string, tamper: Tamper): Promise<TamperingProxy> {
  const seen: string[] = [];
  const server: Server = createServer(async (request, response) => {
    const path = request.url ?? '/';
    seen.push(path);
    try {
      const upstream = await fetch(`${target()}${path}`);
      const answer = { status: upstream.status, body: await upstream.text() };
      const served = tamper(path, answer) ?? answer;
      response.writeHead(served.status, {
        'content-type': upstream.headers.get('content-type') ?? 'text/plain',
      });
      response.end(served.body);
    } catch {
      response.writeHead(502).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
