/**
 * An HTTP proxy in front of an upstream node, for the mirror's adversarial
 * tests: it plays a node or a man in the middle that serves altered entries,
 * altered hash tiles or another checkpoint, on every route a mirror may read
 * them from. A leaf rewrite applies to /v1/log/entries pages and to
 * /tile/entries bundles alike (re-framed, the leaf re-encoded as RFC 8785),
 * a checkpoint rewrite to /v1/log/checkpoint and /checkpoint alike, so a
 * mirror cannot dodge the attack by reading the other route. Any other
 * answer can be replaced whole (`answer`: e.g. a trust-policy note rewritten,
 * stripped or replayed). Every request path is logged, so a test can tell
 * which routes the mirror used.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { canonicalBytes } from '../../src/domain/canonical/canonical-json.js';
import { decodeEntryBundle, encodeEntryBundle } from '../../src/domain/log/tiles-bundle.js';
import { parseTileName, TILE_WIDTH } from '../../src/domain/log/tiles-path.js';

export type Leaf = Record<string, unknown> & { data: Record<string, unknown> };

export interface TamperRules {
  /** Alters the leaf at `leafIndex` in place, wherever it is served. */
  leaf?: (leafIndex: number, leaf: Leaf) => void;
  /** Returns other bytes for the leaf at `leafIndex` in entry bundles (any bytes, JSON or not), or undefined. */
  leafBytes?: (leafIndex: number, bytes: Uint8Array) => Uint8Array | undefined;
  /** Returns other bytes for a hash tile (`path` as `tile/0/000.p/7`), or undefined to pass it. */
  hashTile?: (path: string, bytes: Uint8Array) => Uint8Array | undefined;
  /** Returns another note for the checkpoint (both routes), or undefined to pass it. */
  checkpoint?: (note: string) => string | undefined;
  /** Returns another status and text body for any answer (after the rules above), or undefined to pass it. */
  answer?: (path: string, answer: ProxiedAnswer) => ProxiedAnswer | undefined;
}

export interface ProxiedAnswer {
  readonly status: number;
  readonly body: string;
}

export interface TamperingProxy {
  readonly url: string;
  /** Request paths (with query), in arrival order. */
  readonly requests: string[];
  rules: TamperRules;
  /** Forwards to another upstream from now on. */
  retarget(url: string): void;
  close(): Promise<void>;
}

function tamperedPage(body: Buffer, rules: TamperRules): Buffer {
  const page = JSON.parse(body.toString('utf8')) as { entries: { leafIndex: number; leaf: Leaf }[] };
  for (const entry of page.entries) rules.leaf?.(entry.leafIndex, entry.leaf);
  return Buffer.from(JSON.stringify(page));
}

function tamperedBundle(rest: string, body: Buffer, rules: TamperRules): Buffer {
  const first = parseTileName(rest).index * TILE_WIDTH;
  const leaves = decodeEntryBundle(body).map((bytes, i) => {
    const other = rules.leafBytes?.(first + i, bytes);
    if (other !== undefined) return other;
    if (rules.leaf === undefined) return bytes;
    const leaf = JSON.parse(Buffer.from(bytes).toString('utf8')) as Leaf;
    rules.leaf?.(first + i, leaf);
    return canonicalBytes(leaf);
  });
  return Buffer.from(encodeEntryBundle(leaves));
}

function tampered(path: string, body: Buffer, rules: TamperRules): Buffer {
  if (path.startsWith('/v1/log/entries') && rules.leaf !== undefined) return tamperedPage(body, rules);
  if (path.startsWith('/tile/entries/') && (rules.leaf !== undefined || rules.leafBytes !== undefined))
    return tamperedBundle(path.slice('/tile/'.length), body, rules);
  if (path.startsWith('/tile/') && rules.hashTile !== undefined) {
    const other = rules.hashTile(path.slice(1), new Uint8Array(body));
    return other === undefined ? body : Buffer.from(other);
  }
  if ((path === '/checkpoint' || path === '/v1/log/checkpoint') && rules.checkpoint !== undefined) {
    const other = rules.checkpoint(body.toString('utf8'));
    return other === undefined ? body : Buffer.from(other);
  }
  return body;
}

export async function startTamperingProxy(target: string, rules: TamperRules = {}): Promise<TamperingProxy> {
  let upstreamUrl = target;
  const requests: string[] = [];
  const proxy: { rules: TamperRules } = { rules };
  const server: Server = createServer(async (request, response) => {
    const path = request.url ?? '/';
    requests.push(path);
    // Bytes, not text: tiles and bundles are binary. fetch undoes any gzip, so none is passed on.
    const upstream = await fetch(`${upstreamUrl}${path}`).catch(() => null);
    if (upstream === null) return void response.writeHead(502).end();
    let body: Buffer = Buffer.from(await upstream.arrayBuffer());
    if (upstream.ok) body = tampered(path.split('?')[0]!, body, proxy.rules);
    const other = proxy.rules.answer?.(path, { status: upstream.status, body: body.toString('utf8') });
    if (other !== undefined) {
      response.writeHead(other.status, {
        'content-type': upstream.headers.get('content-type') ?? 'text/plain',
      });
      return void response.end(other.body);
    }
    response.writeHead(upstream.status, {
      'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream',
    });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    get rules() {
      return proxy.rules;
    },
    set rules(next: TamperRules) {
      proxy.rules = next;
    },
    retarget(url) {
      upstreamUrl = url;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The request paths that read a route: `used(proxy, '/tile/entries/')`. */
export function used(proxy: TamperingProxy, prefix: string): string[] {
  return proxy.requests.filter((path) => path.startsWith(prefix));
}
