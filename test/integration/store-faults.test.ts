/**
 * What a node does when its event store goes away.
 *
 * - Lost while running: writes answer 503 STORE_UNAVAILABLE with Retry-After;
 *   reads and proofs already sealed are served from the node's own state;
 *   readiness is false. Another node keeps writing meanwhile. When the store
 *   is back, the node resubscribes and has every event exactly once.
 * - Unreachable at start: the node starts anyway, answers 503 NOT_READY, and
 *   serves once the store answers.
 * - EventStoreDB on a closed port, through the real `chancery start`: one clear
 *   line, no stack trace, readiness false, no crash loop.
 *
 * "Lost" is simulated with SeverableStore: a real sqlite store behind our own
 * port whose connection the test cuts, failing the way the EventStoreDB adapter
 * fails (StoreUnavailableError, subscriptions ended with it).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/domain/shared/json.js';
import { type RunningNode, startNode } from '../../src/node/chancery-node.js';
import { resolveNodeConfig } from '../../src/node/node-config.js';
import { openEventStore } from '../../src/node/open-event-store.js';
import { generateKeyPair, readKeyFile, writeKeyFiles } from '../../src/protocol/key-pair.js';
import { type Signer, signCommand } from '../../src/protocol/sign-command.js';
import { REPO_ROOT } from '../e2e/support/cli-process.js';
import { SeverableStore } from '../support/severable-store.js';
import { FIXED_NOW, ISSUED_AT } from '../support/test-node.js';

const tmp = mkdtempSync(join(tmpdir(), 'chancery-faults-'));
const nodes: RunningNode[] = [];
afterAll(async () => {
  await Promise.allSettled(nodes.map((n) => n.close()));
  rmSync(tmp, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

async function post(
  node: RunningNode,
  url: string,
  signer: Signer,
  type: string,
  fields: Record<string, JsonValue>,
) {
  return node.app.inject({
    method: 'POST',
    url,
    payload: signCommand(signer, type, fields, { issuedAt: ISSUED_AT }) as object,
  });
}
const get = (node: RunningNode, url: string) => node.app.inject({ method: 'GET', url });
const certify = (node: RunningNode, issuer: Signer, query = '') =>
  post(node, `/v1/certifications${query}`, issuer, 'CertifyRecord', {
    recordDigest: randomBytes(32).toString('hex'),
    recordType: 'permit',
    validFrom: '2026-01-01T00:00:00Z',
  });

describe('a node whose event store goes away', () => {
  it('answers writes 503 + Retry-After, serves reads and sealed proofs, and resumes without gaps or duplicates', async () => {
    const logKeyFile = join(tmp, 'lost', 'log.key');
    writeKeyFiles(logKeyFile, generateKeyPair());
    const storeConfig = { kind: 'sqlite' as const, path: join(tmp, 'lost', 'events.db'), pollIntervalMs: 20 };
    const severable = new SeverableStore(await openEventStore(storeConfig));
    const config = (name: string) =>
      resolveNodeConfig({ dataDir: join(tmp, 'lost', name), port: 0, sealIntervalMs: 30, logKeyFile }, {});
    const notices: string[] = [];
    const a = await startNode(config('a'), {
      logging: false,
      listen: false,
      clock: () => FIXED_NOW,
      eventStore: severable,
      notice: (line) => notices.push(line),
    });
    nodes.push(a);
    const b = await startNode(config('b'), {
      logging: false,
      listen: false,
      clock: () => FIXED_NOW,
      store: storeConfig,
    });
    nodes.push(b);
    expect(b.authority()).toMatchObject({ id: 'AUTHORITY', founded: false, keyId: a.authority()!.keyId });

    const authority: Signer = {
      actor: 'AUTHORITY',
      keyPair: readKeyFile(join(tmp, 'lost', 'a', 'authority.key')),
    };
    const issuer: Signer = { actor: 'PERMITS', keyPair: generateKeyPair() };
    expect(
      (
        await post(a, '/v1/identities', authority, 'RegisterIdentity', {
          identityId: 'PERMITS',
          name: 'Permits office',
          roles: ['issuer'],
          publicKeys: [issuer.keyPair.publicKeyBase64],
        })
      ).statusCode,
    ).toBe(201);
    await post(a, '/v1/identities/PERMITS/accredit', authority, 'AccreditIdentity', {
      identityId: 'PERMITS',
      recordTypes: ['permit'],
    });
    const sealed = (await certify(a, issuer, '?wait=sealed')).json() as {
      certificationId: string;
      leafIndex: number;
      checkpoint: { treeSize: number };
    };
    const certificationBefore = (await get(a, `/v1/certifications/${sealed.certificationId}`)).json();
    const proofUrl = `/v1/log/proofs/inclusion?index=${sealed.leafIndex}&size=${sealed.checkpoint.treeSize}`;
    const proofBefore = (await get(a, proofUrl)).json();
    await until(
      async () => (await get(b, '/v1/identities/PERMITS')).statusCode === 200,
      'b knows the issuer',
    );

    severable.sever();
    await until(() => a.projector.disconnected !== null, 'a notices the lost feed');

    const refused = await certify(a, issuer);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(refused.json()).toEqual({
      type: 'urn:chancery:problem:store-unavailable',
      title: 'The event store is unavailable; retry later',
      status: 503,
      code: 'STORE_UNAVAILABLE',
      detail: 'connection to the event store lost',
      instance: '/v1/certifications',
    });
    // Reads and sealed proofs come from the node's own state.
    const certification = await get(a, `/v1/certifications/${sealed.certificationId}`);
    expect(certification.statusCode).toBe(200);
    expect(certification.json()).toEqual(certificationBefore);
    const proof = await get(a, proofUrl);
    expect(proof.statusCode).toBe(200);
    expect(proof.json()).toEqual(proofBefore);
    expect((await get(a, '/v1/log/checkpoint')).statusCode).toBe(200);
    expect((await get(a, '/health/live')).statusCode).toBe(200);
    const ready = await get(a, '/health/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({
      code: 'NOT_READY',
      detail: 'event feed lost: connection to the event store lost; reconnecting',
    });

    // The other node keeps writing and sealing while this one is cut off.
    const writtenByB: string[] = [];
    for (let i = 0; i < 12; i++) {
      const response = await certify(b, issuer, i % 4 === 0 ? '?wait=sealed' : '');
      expect(response.statusCode).toBe(201);
      writtenByB.push((response.json() as { position: string }).position);
    }
    await until(() => b.sequencer.latestCheckpoint()?.treeSize === b.sequencer.sequencedSize(), 'b sealed');
    await sleep(300);
    expect(a.sequencer.sequencedSize()).toBeLessThan(b.sequencer.sequencedSize());

    severable.restore();
    await until(
      () =>
        a.projector.disconnected === null &&
        a.sequencer.sequencedSize() === b.sequencer.sequencedSize() &&
        a.sequencer.latestCheckpoint()?.treeSize === b.sequencer.latestCheckpoint()?.treeSize,
      'a caught up with b',
    );
    expect(notices).toEqual([
      'event feed lost: connection to the event store lost; reconnecting',
      'event feed reconnected',
    ]);
    expect((await get(a, '/health/ready')).statusCode).toBe(200);

    // No gap, no duplicate: both nodes hold the same leaves, and every write of b is one leaf on a.
    const size = b.sequencer.sequencedSize();
    const leaves = (node: RunningNode) =>
      node.sequencer.entries(0, size, size).map((e) => ({
        leafIndex: e.leafIndex,
        position: e.position.toString(),
        leaf: Buffer.from(e.leaf).toString('hex'),
      }));
    const onA = leaves(a);
    expect(onA).toEqual(leaves(b));
    expect(onA.map((e) => e.leafIndex)).toEqual([...Array(size).keys()]);
    for (const position of writtenByB) expect(onA.filter((e) => e.position === position)).toHaveLength(1);
    const positions = onA.map((e) => BigInt(e.position));
    for (let i = 1; i < positions.length; i++) expect(positions[i]! > positions[i - 1]!).toBe(true);
    expect(Buffer.from(a.sequencer.rootAt(size))).toEqual(Buffer.from(b.sequencer.rootAt(size)));

    expect((await certify(a, issuer, '?wait=sealed')).statusCode).toBe(201);
  });

  it('starts while its store is unreachable: 503 NOT_READY until the store answers, then serves', async () => {
    const severable = new SeverableStore(
      await openEventStore({ kind: 'sqlite', path: join(tmp, 'late', 'events.db'), pollIntervalMs: 20 }),
    );
    severable.sever('connection refused');
    const notices: string[] = [];
    const node = await startNode(
      resolveNodeConfig({ dataDir: join(tmp, 'late', 'node'), port: 0, sealIntervalMs: 3_600_000 }, {}),
      { logging: false, listen: false, eventStore: severable, notice: (line) => notices.push(line) },
    );
    nodes.push(node);
    expect(node.startupProblem()).toBe('event store unreachable: connection refused');
    expect(node.authority()).toBeNull();

    expect((await get(node, '/health/live')).statusCode).toBe(200);
    const ready = await get(node, '/health/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({
      type: 'urn:chancery:problem:not-ready',
      title: 'The node is not ready yet; retry later',
      status: 503,
      code: 'NOT_READY',
      detail: 'event store unreachable: connection refused; retrying',
      instance: '/health/ready',
    });
    // Empty read models are not an answer: every route but health says the node is not ready.
    for (const response of [await get(node, '/v1/status'), await get(node, '/v1/identities/AUTHORITY')]) {
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.json()).toMatchObject({
        code: 'NOT_READY',
        detail: 'event store unreachable: connection refused; retrying',
      });
    }

    await sleep(1200);
    expect(node.startupProblem()).not.toBeNull();
    severable.restore();
    await node.started;
    expect(node.startupProblem()).toBeNull();
    expect(node.authority()).toMatchObject({ id: 'AUTHORITY', founded: true });
    expect((await get(node, '/health/ready')).statusCode).toBe(200);
    expect((await get(node, '/v1/status')).json()).toMatchObject({ ready: true, authorityId: 'AUTHORITY' });
    expect(notices).toEqual([
      expect.stringMatching(
        /^event store reached; caught up at position 1; authority AUTHORITY \(key ed25519:[\w-]{22}\)$/,
      ),
    ]);
  });

  it('closes at once while it is still waiting for its store', async () => {
    const severable = new SeverableStore(
      await openEventStore({ kind: 'sqlite', path: join(tmp, 'never', 'events.db'), pollIntervalMs: 20 }),
    );
    severable.sever('connection refused');
    const node = await startNode(
      resolveNodeConfig({ dataDir: join(tmp, 'never', 'node'), port: 0, sealIntervalMs: 3_600_000 }, {}),
      { logging: false, listen: false, eventStore: severable },
    );
    // Retries come after 1 s, then 2 s, then 4 s: at 3.3 s the next one is ~3.7 s away. A close that
    // waited for it would take that long; one that cancels it takes milliseconds, even on a loaded machine.
    await sleep(3300);
    const closing = Date.now();
    await node.close();
    expect(Date.now() - closing).toBeLessThan(3000);
    // The store never answered: `started` says the node closed first rather than hanging or resolving.
    await expect(node.started).rejects.toThrow('the node closed before it reached its event store');
  });

  it('says in one line that EventStoreDB is unreachable, stays up and not ready, and stops cleanly', async () => {
    const port = await closedPort();
    const url = `esdb://127.0.0.1:${port}?tls=false`;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'start', '--data', join(tmp, 'esdb'), '--port', '0'],
      {
        cwd: REPO_ROOT,
        env: {
          ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CHANCERY_'))),
          CHANCERY_STORE: 'eventstoredb',
          CHANCERY_ESDB_URL: url,
          CHANCERY_LOG_LEVEL: 'warn',
        },
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.stdout.resume();
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await until(
        () => /retrying in the background\n/.test(stderr) || child.exitCode !== null,
        'the banner',
        30_000,
      );
      const nodeUrl = /listening on (http:\/\/\S+)/.exec(stderr)?.[1];
      expect(nodeUrl, stderr).toBeDefined();
      const unreachable = stderr.split('\n').filter((line) => line.includes('unreachable'));
      expect(unreachable).toHaveLength(1);
      expect(unreachable[0]).toMatch(
        new RegExp(
          `^event store unreachable: eventstoredb esdb://127\\.0\\.0\\.1:${port}\\?tls=false: read \\$all failed: .*ECONNREFUSED.*; not ready, retrying in the background$`,
        ),
      );
      expect(stderr).toMatch(/^ {2}authority +not known yet: the event store has not answered$/m);
      expect(stderr.split('\n')).toContainEqual(expect.stringMatching(/^ {2}store +eventstoredb /));
      expect(stderr).toContain(` eventstoredb ${url}\n`);
      expect(stderr).not.toMatch(/^\s+at /m);

      const ready = await fetch(`${nodeUrl}/health/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({
        code: 'NOT_READY',
        detail: expect.stringMatching(/^event store unreachable: .*; retrying$/),
      });
      expect((await fetch(`${nodeUrl}/health/live`)).status).toBe(200);
      const write = await fetch(`${nodeUrl}/v1/certifications`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(write.status).toBe(503);
      expect(write.headers.get('retry-after')).toBe('5');

      // Retrying is quiet: the process stays up and says nothing more.
      const said = stderr;
      await sleep(2500);
      expect(child.exitCode).toBeNull();
      expect(stderr).toBe(said);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr.slice(said.length)).toBe('SIGTERM: closing the node\nstopped\n');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

/** A port nothing listens on: bound, read, released. */
function closedPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}
