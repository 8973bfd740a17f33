/**
 * In-process primaries and mirror-witnesses on loopback ports, for the
 * federation tests: real sockets (a mirror pulls over HTTP, a primary posts
 * add-checkpoint over HTTP), each node in its own temporary data folder.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FederationConfigInput } from '../../src/infrastructure/federation/federation-config.js';
import { type RunningNode, startNode } from '../../src/node/chancery-node.js';
import { resolveNodeConfig } from '../../src/node/node-config.js';
import { readKeyFile } from '../../src/protocol/key-pair.js';
import type { Signer } from '../../src/protocol/sign-command.js';

export interface LiveNode {
  readonly node: RunningNode;
  readonly url: string;
  readonly dataDir: string;
  get(path: string): Promise<Response>;
  text(path: string): Promise<string>;
  json<T = Record<string, unknown>>(path: string): Promise<T>;
  close(): Promise<void>;
}

export interface LiveNodeOptions {
  readonly federation?: FederationConfigInput;
  readonly env?: Record<string, string>;
  /** Reuse a data folder (a restart); otherwise a fresh one is made. */
  readonly dataDir?: string;
  readonly port?: number;
  readonly sealIntervalMs?: number;
  readonly clock?: () => number;
  /** Receives the node's runtime notices (the lines `chancery start` logs as pino JSON). */
  readonly notice?: (line: string) => void;
}

export async function startLiveNode(options: LiveNodeOptions = {}): Promise<LiveNode> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'chancery-fed-'));
  const config = resolveNodeConfig(
    {
      dataDir,
      host: '127.0.0.1',
      port: options.port ?? 0,
      sealIntervalMs: options.sealIntervalMs ?? 50,
      ...(options.federation === undefined ? {} : { federation: options.federation }),
    },
    { CHANCERY_MIRROR_POLL_MS: '50', ...options.env },
  );
  const node = await startNode(config, {
    logging: process.env['TEST_LOGS'] === '1' ? undefined : false,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    notice: (line) => {
      options.notice?.(line);
      if (process.env['TEST_LOGS'] === '1') process.stderr.write(`${line}\n`);
    },
  });
  const url = node.url;
  const get = (path: string) => fetch(`${url}${path}`);
  return {
    node,
    url,
    dataDir,
    get,
    text: async (path) => (await get(path)).text(),
    json: async <T>(path: string) => (await (await get(path)).json()) as T,
    close: () => node.close(),
  };
}

export function authorityOf(primary: LiveNode): Signer {
  return { actor: 'AUTHORITY', keyPair: readKeyFile(join(primary.dataDir, 'authority.key')) };
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
