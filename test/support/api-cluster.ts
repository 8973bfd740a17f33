/**
 * Several API nodes sharing one event store (one SQLite file, or a PostgreSQL
 * database), each its own process, for the race tests: the first founds the
 * log, the others join it. Plus the two small HTTP helpers those tests share.
 */

import { join } from 'node:path';
import type { ChanceryClient, LogEntryView } from '../../src/client/chancery-client.js';
import type { EventStoreConfig } from '../../src/node/open-event-store.js';
import { generateKeyPair, type KeyPair, writeKeyFiles } from '../../src/protocol/key-pair.js';
import { CLUSTER_NODE, type NodeProcess, startNodeProcess } from './node-process.js';

export interface ApiCluster {
  /** The founder first. */
  readonly nodes: NodeProcess[];
  readonly logKey: KeyPair;
}

/** `count` API nodes on `store`, data folders `dir/node-<i>`, sealing every 50 ms. */
export async function startApiCluster(
  dir: string,
  store: EventStoreConfig,
  origin: string,
  count: number,
): Promise<ApiCluster> {
  const logKeyFile = join(dir, 'log.key');
  const logKey = generateKeyPair();
  writeKeyFiles(logKeyFile, logKey);
  const env = {
    CHANCERY_TEST_STORE: JSON.stringify(store),
    CHANCERY_LOG_KEY_FILE: logKeyFile,
    CHANCERY_ORIGIN: origin,
    CHANCERY_SEAL_INTERVAL_MS: '50',
  };
  const nodes = [await startNodeProcess(CLUSTER_NODE, join(dir, 'node-0'), env)];
  // The first node founds the log; the others join it on the same store.
  const joiners = Array.from({ length: count - 1 }, (_, i) => i + 1);
  nodes.push(
    ...(await Promise.all(joiners.map((i) => startNodeProcess(CLUSTER_NODE, join(dir, `node-${i}`), env)))),
  );
  return { nodes, logKey };
}

export interface JsonAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** POSTs `body` as JSON; the answer's status and parsed JSON body. */
export async function postJson(url: string, body: unknown): Promise<JsonAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Every entry of the log, page after page. */
export async function allLogEntries(client: ChanceryClient): Promise<LogEntryView[]> {
  const entries: LogEntryView[] = [];
  for (let start: number | null = 0; start !== null; ) {
    const page = await client.logEntries(start);
    entries.push(...page.entries);
    start = page.next;
  }
  return entries;
}
