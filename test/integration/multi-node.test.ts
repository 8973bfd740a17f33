/**
 * Several API nodes writing one log through one store: three node processes
 * share a store (one sqlite file in WAL mode with a busy timeout; the
 * machine's real PostgreSQL, in a database of its own; EventStoreDB where a
 * container runtime exists) and one log key. They start together on the empty
 * store, take concurrent writes and all seal on a short interval. Then:
 *   - exactly one node founded the log; the other two joined it, and their
 *     node.json names the founder's authority, with no authority key of their own;
 *   - the published checkpoints form one chain: strictly increasing sizes
 *     (no size twice), each signed by the log key, each consistent with the one
 *     before;
 *   - every node serves the same entries and roots, and byte for byte the
 *     same inclusion and consistency proofs and proof bundles; every
 *     acknowledged write has a leaf;
 *   - on PostgreSQL, a mirror-witness replicating from the three (any of them
 *     may answer it) replays the whole log and serves the same checkpoint
 *     and the same bytes for every proof.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterAll, describe, expect, it } from 'vitest';
import { ChanceryClient, type LogEntryView } from '../../src/client/chancery-client.js';
import {
  type Checkpoint,
  decodeBase64,
  ed25519NoteVerifier,
  formatVerifierKey,
  parseCheckpoint,
  SIGNATURE_TYPE_ED25519,
  verifyConsistency,
  verifyInclusion,
  verifyNote,
} from '../../src/domain/log/index.js';
import { MAX_PAGE } from '../../src/infrastructure/eventstore/port.js';
import {
  CHECKPOINT_STREAM,
  readCheckpointEvent,
} from '../../src/infrastructure/sequencer/checkpoint-event.js';
import { type EventStoreConfig, openEventStore } from '../../src/node/open-event-store.js';
import { generateKeyPair, readKeyFile, writeKeyFiles } from '../../src/protocol/key-pair.js';
import {
  type EventStoreDbServer,
  eventStoreDbSkipReason,
  startEventStoreDb,
} from '../support/eventstoredb-server.js';
import { eventually, type LiveNode, startLiveNode } from '../support/federation-nodes.js';
import { createTestDatabase, uniqueSchema } from '../support/postgres-server.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = join(ROOT, 'test/integration/fixtures/cluster-node.ts');
const NODES = 3;
const WRITERS = 6;
const WRITES_PER_WRITER = 20;
const ORIGIN = 'cluster.test/chancery';
const SEAL_INTERVAL_MS = 40;

const nobleVerify = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) =>
  ed25519.verify(signature, message, publicKey, { zip215: false });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ClusterNode {
  readonly child: ChildProcess;
  readonly url: string;
  readonly dataDir: string;
  readonly authority: { id: string; keyId: string; founded: boolean };
  stderr(): string;
  /** Every JSON line printed after the start-up line. */
  lines(): unknown[];
}

const children = new Set<ChildProcess>();
const mirrors = new Set<LiveNode>();
const tmp = mkdtempSync(join(tmpdir(), 'chancery-cluster-'));
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.allSettled([...mirrors].map((mirror) => mirror.close()));
  for (const mirror of mirrors) rmSync(mirror.dataDir, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

function startClusterNode(dataDir: string, env: Record<string, string>): Promise<ClusterNode> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dataDir], {
    cwd: ROOT,
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CHANCERY_'))),
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('close', () => children.delete(child));
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node did not start in time; stderr:\n${stderr}`));
    }, 45_000);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      const line = JSON.parse(stdout.slice(0, newline)) as {
        url: string;
        authority: ClusterNode['authority'];
      };
      resolveStart({
        child,
        url: line.url,
        dataDir,
        authority: line.authority,
        stderr: () => stderr,
        lines: () =>
          stdout
            .split('\n')
            .slice(1)
            .filter((l) => l.length > 0)
            .map((l) => JSON.parse(l) as unknown),
      });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`node exited during start-up (code ${code}, signal ${signal}); stderr:\n${stderr}`));
    });
  });
}

async function allEntries(client: ChanceryClient, size: number): Promise<LogEntryView[]> {
  const entries: LogEntryView[] = [];
  for (let start: number | null = 0; start !== null; ) {
    const page = await client.logEntries(start, size);
    entries.push(...page.entries);
    start = page.next;
  }
  return entries;
}

interface ScenarioOptions {
  /** Start a mirror-witness pulling from the nodes, and hold it to the same checkpoint and proof bytes. */
  readonly mirror?: boolean;
}

/** The same body from every node (and the mirror): proofs must agree byte for byte, not only once parsed. */
async function sameBytes(urls: readonly string[], path: string): Promise<string> {
  const bodies = await Promise.all(
    urls.map(async (url) => {
      const response = await fetch(`${url}${path}`);
      expect(response.status, `${url}${path}`).toBe(200);
      return response.text();
    }),
  );
  for (const [i, body] of bodies.entries()) expect(body, `${urls[i]}${path}`).toBe(bodies[0]);
  return bodies[0]!;
}

function clusterScenario(
  name: string,
  store: () => Promise<EventStoreConfig>,
  options: ScenarioOptions = {},
): void {
  const title = options.mirror
    ? `${name}: ${NODES} nodes on one store seal one consistent chain; they and a mirror-witness serve the same proofs`
    : `${name}: ${NODES} nodes on one store seal one consistent chain and serve the same proofs`;
  it(title, async () => {
    const storeConfig = await store();
    const logKeyFile = join(tmp, `${name}-log.key`);
    const logKey = generateKeyPair();
    writeKeyFiles(logKeyFile, logKey);
    const verifierKey = formatVerifierKey(ORIGIN, SIGNATURE_TYPE_ED25519, logKey.publicKey);
    const noteVerifier = ed25519NoteVerifier(verifierKey, nobleVerify);
    const verified = (note: string): Checkpoint => parseCheckpoint(verifyNote(note, [noteVerifier]).text);
    const env = {
      CHANCERY_TEST_STORE: JSON.stringify(storeConfig),
      CHANCERY_LOG_KEY_FILE: logKeyFile,
      CHANCERY_ORIGIN: ORIGIN,
      CHANCERY_SEAL_INTERVAL_MS: String(SEAL_INTERVAL_MS),
    };

    // All at once on the empty store: they race for the genesis, and exactly one wins it.
    const nodes = await Promise.all(
      Array.from({ length: NODES }, (_, i) => startClusterNode(join(tmp, `${name}-node-${i}`), env)),
    );
    const founders = nodes.filter((n) => n.authority.founded);
    expect(founders).toHaveLength(1);
    const founder = founders[0]!;
    for (const node of nodes) {
      expect(node.authority).toMatchObject({ id: 'AUTHORITY', keyId: founder.authority.keyId });
      const nodeJson = JSON.parse(readFileSync(join(node.dataDir, 'node.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      expect(nodeJson['authorityKeyId']).toBe(founder.authority.keyId);
      if (node === founder) {
        expect(nodeJson['joined']).toBeUndefined();
        expect(readKeyFile(join(node.dataDir, 'authority.key')).keyId).toBe(founder.authority.keyId);
      } else {
        expect(nodeJson['joined']).toBe(true);
        // The key this folder made before it lost the race was never registered: it is gone.
        expect(existsSync(join(node.dataDir, 'authority.key'))).toBe(false);
      }
    }
    const clients = nodes.map((n) => new ChanceryClient(n.url));
    for (const client of clients) {
      const status = await client.status();
      expect(status).toMatchObject({ ready: true, authorityId: 'AUTHORITY', logVerifierKey: verifierKey });
    }

    // A mirror-witness of another city, pulling from the three (the first that answers), replaying as they write.
    let mirror: LiveNode | undefined;
    if (options.mirror) {
      mirror = await startLiveNode({
        federation: { role: 'mirror', upstream: nodes.map((n) => n.url), trust: verifierKey },
      });
      mirrors.add(mirror);
    }

    const authority = new ChanceryClient(founder.url, {
      actor: 'AUTHORITY',
      keyPair: readKeyFile(join(founder.dataDir, 'authority.key')),
    });
    const issuerKey = generateKeyPair();
    await authority.registerIdentity({
      identityId: 'CLUSTER',
      name: 'Cluster test',
      roles: ['issuer'],
      publicKeys: [issuerKey.publicKeyBase64],
    });
    await authority.accredit('CLUSTER', ['permit']);

    // Concurrent writes spread over every node; one in three waits for its seal.
    const acknowledged = new Map<string, number | undefined>();
    const certificationIds: string[] = [];
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        for (let n = 0; n < WRITES_PER_WRITER; n++) {
          const node = nodes[(w + n) % NODES]!;
          // The issuer was registered through the founder; another node may not have applied it yet.
          await waitForIdentity(node.url, 'CLUSTER');
          const writer = new ChanceryClient(node.url, { actor: 'CLUSTER', keyPair: issuerKey });
          const envelope = writer.sign('CertifyRecord', {
            recordDigest: randomBytes(32).toString('hex'),
            recordType: 'permit',
            validFrom: '2026-01-01T00:00:00Z',
          });
          const sealed = (w + n) % 3 === 0;
          const result = await writer.submit(
            sealed ? '/v1/certifications?wait=sealed' : '/v1/certifications',
            envelope,
          );
          acknowledged.set(result.position!, result.leafIndex);
          certificationIds.push(result.certificationId!);
          if (sealed) {
            // The receipt's checkpoint verifies under the one log key, whichever node sealed it.
            expect(verified(result.checkpoint!.note).treeSize).toBeGreaterThan(result.leafIndex!);
          }
        }
      }),
    );
    expect(acknowledged.size).toBe(WRITERS * WRITES_PER_WRITER);

    // Every node catches up and seals everything; they agree on the head.
    const deadline = Date.now() + 20_000;
    let heads = await Promise.all(clients.map((c) => c.log()));
    const total = () => heads[0]!.sequencedSize;
    while (
      !heads.every((h) => h.checkpoint !== null && h.treeSize === h.sequencedSize && h.treeSize === total())
    ) {
      if (Date.now() > deadline) throw new Error(`nodes did not converge: ${JSON.stringify(heads)}`);
      await sleep(SEAL_INTERVAL_MS);
      heads = await Promise.all(clients.map((c) => c.log()));
    }
    const size = total();
    expect(size).toBe(2 + 1 + WRITERS * WRITES_PER_WRITER);
    for (const head of heads) {
      expect(head).toEqual({ ...heads[0]!, verifierKey });
    }

    // The published checkpoints, read from the store itself: one chain, no size twice.
    const reader = await openEventStore(storeConfig);
    const published = [];
    try {
      for (let from = 0n; ; ) {
        const page = await reader.readStream(CHECKPOINT_STREAM, { fromRevision: from, maxCount: MAX_PAGE });
        published.push(...page.map(readCheckpointEvent));
        if (page.length < MAX_PAGE) break;
        from += BigInt(page.length);
      }
    } finally {
      await reader.close();
    }
    expect(published.length).toBeGreaterThan(1);
    expect(published.at(-1)!.treeSize).toBe(size);
    let previous: Checkpoint | null = null;
    for (const [i, event] of published.entries()) {
      const checkpoint = verified(event.note);
      expect(checkpoint).toMatchObject({ origin: ORIGIN, treeSize: event.treeSize });
      expect(checkpoint.rootHash).toEqual(event.rootHash);
      if (previous !== null) {
        expect(checkpoint.treeSize, `checkpoint ${i} grows the tree`).toBeGreaterThan(previous.treeSize);
        // Ask a different node each time: any of them must prove any link of the chain.
        const { proof } = await clients[i % NODES]!.logConsistency(previous.treeSize, checkpoint.treeSize);
        verifyConsistency(
          previous.treeSize,
          checkpoint.treeSize,
          proof.map(decodeBase64).map((h) => h!),
          previous.rootHash,
          checkpoint.rootHash,
        );
      }
      previous = checkpoint;
    }
    const sizes = published.map((c) => c.treeSize);
    expect(new Set(sizes).size).toBe(sizes.length);

    // The same entries, the same proofs, from every node.
    const entries = await Promise.all(clients.map((c) => allEntries(c, size)));
    for (const other of entries.slice(1)) expect(other).toEqual(entries[0]);
    expect(entries[0]!.map((e) => e.leafIndex)).toEqual([...Array(size).keys()]);
    const byPosition = new Map(entries[0]!.map((e) => [e.position, e.leafIndex]));
    for (const [position, leafIndex] of acknowledged) {
      expect(byPosition.has(position), `acknowledged write at ${position} has a leaf`).toBe(true);
      if (leafIndex !== undefined) expect(byPosition.get(position)).toBe(leafIndex);
    }
    const finalRoot = verified(heads[0]!.checkpoint!).rootHash;
    const urls = nodes.map((n) => n.url);
    if (mirror !== undefined) {
      await eventually(
        'the mirror to replay and accept the whole log',
        async () => {
          const head = await new ChanceryClient(mirror.url).log();
          return head.checkpoint === heads[0]!.checkpoint && head.sequencedSize === size ? true : undefined;
        },
        30_000,
      );
      urls.push(mirror.url);
      await sameBytes(urls, '/v1/log/checkpoint');
    }
    for (let index = 0; index < size; index += 7) {
      const text = await sameBytes(urls, `/v1/log/proofs/inclusion?index=${index}&size=${size}`);
      const proof = JSON.parse(text) as { leafHash: string; proof: string[] };
      verifyInclusion(
        index,
        size,
        decodeBase64(proof.leafHash)!,
        proof.proof.map((h) => decodeBase64(h)!),
        finalRoot,
      );
    }
    for (const from of sizes.slice(0, -1)) {
      await sameBytes(urls, `/v1/log/consistency?from=${from}&to=${size}`);
    }
    for (const certificationId of certificationIds.filter((_, i) => i % 10 === 0)) {
      await sameBytes(urls, `/v1/proofs/${certificationId}`);
      await sameBytes(urls, `/v1/proofs/${certificationId}?format=tlog-proof`);
    }
    await mirror?.close();
    if (mirror !== undefined) mirrors.delete(mirror);

    for (const node of nodes) node.child.stdin!.end();
    await Promise.all(
      nodes.map((n) => new Promise((r) => (n.child.exitCode !== null ? r(null) : n.child.once('close', r)))),
    );
    // Any node may seal, and each published checkpoint was appended by exactly one of them.
    const sealers = nodes.map(
      (n) => (n.lines().at(-1) as { sealer: { sealed: number; racesLost: number } }).sealer,
    );
    expect(sealers.reduce((sum, s) => sum + s.sealed, 0)).toBe(published.length);
    expect(sealers.filter((s) => s.sealed > 0).length).toBeGreaterThan(1);
    console.info(
      `[multi-node] ${name}: ${published.length} checkpoints; sealed per node ${sealers.map((s) => s.sealed).join('/')}, ` +
        `races lost ${sealers.map((s) => s.racesLost).join('/')}`,
    );
  }, 120_000);
}

async function waitForIdentity(url: string, identityId: string): Promise<void> {
  const client = new ChanceryClient(url);
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await client.identity(identityId);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(20);
    }
  }
}

describe('several API nodes on one store', () => {
  clusterScenario('sqlite', async () => ({
    kind: 'sqlite',
    path: join(tmp, 'shared', 'events.db'),
    pollIntervalMs: 20,
  }));
});

describe('several API nodes on one PostgreSQL', () => {
  // The machine's real server, a database of its own, dropped afterwards. Never skipped: an unreachable
  // server fails here, saying how to start it.
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  afterAll(async () => {
    await database?.drop();
  });
  clusterScenario(
    'postgres',
    async () => {
      database = await createTestDatabase('cluster');
      return { kind: 'postgres', url: database.url, schema: uniqueSchema('cluster') };
    },
    { mirror: true },
  );
  // The key-rotation race across nodes on PostgreSQL is test/integration/rotation-race.test.ts ("postgres: …").
});

const esdbSkip = await eventStoreDbSkipReason();
if (esdbSkip !== undefined) console.warn(`[multi-node] eventstoredb: SKIPPED, ${esdbSkip}`);
describe.skipIf(esdbSkip !== undefined)(
  `several API nodes on one EventStoreDB${esdbSkip === undefined ? '' : ` (skipped: ${esdbSkip})`}`,
  () => {
    let server: EventStoreDbServer | undefined;
    afterAll(async () => {
      await server?.stop();
    });
    clusterScenario('eventstoredb', async () => {
      server = await startEventStoreDb();
      return { kind: 'eventstoredb', url: server.url };
    });
  },
);
