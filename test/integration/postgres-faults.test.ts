/**
 * A node on PostgreSQL when PostgreSQL fails, for real, under load. The
 * server is a private throwaway cluster (test/support/private-postgres.ts),
 * so stopping it disturbs no other suite. Three faults, one after another on
 * the same node, each while four writers certify as fast as they can:
 *
 *   - a statement timeout under lock contention: a DBA holds an ACCESS
 *     EXCLUSIVE lock on the events table;
 *   - a dropped connection: every connection of the node is terminated
 *     (pg_terminate_backend);
 *   - the server stopped with `-m immediate` (what a crash or
 *     `pg_ctlcluster … stop -m immediate` does), then started again;
 *   - a synchronous standby that is gone: COMMIT waits for it, which no
 *     statement timeout cuts short; the node's commit timeout turns the wait
 *     into 503s.
 *
 * Each time: writes answer 503 STORE_UNAVAILABLE with Retry-After and never
 * anything else; reads and proofs already sealed are still served from the
 * node's own state; /health/ready says why the node is not ready; writes
 * resume on their own once the fault is gone; and every write that got a 201
 * is in the store, in the log, once.
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/domain/shared/json.js';
import type { RecordedEvent } from '../../src/infrastructure/eventstore/port.js';
import { PostgresEventStore } from '../../src/infrastructure/eventstore/postgres/postgres-event-store.js';
import { type RunningNode, startNode } from '../../src/node/chancery-node.js';
import { resolveNodeConfig } from '../../src/node/node-config.js';
import { generateKeyPair, readKeyFile } from '../../src/protocol/key-pair.js';
import { type Signer, signCommand } from '../../src/protocol/sign-command.js';
import { type PrivatePostgres, startPrivatePostgres } from '../support/private-postgres.js';
import { FIXED_NOW, ISSUED_AT } from '../support/test-node.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(25);
  }
}

const STORE_PROBLEM = {
  type: 'urn:chancery:problem:store-unavailable',
  title: 'The event store is unavailable; retry later',
  status: 503,
  code: 'STORE_UNAVAILABLE',
  instance: '/v1/certifications',
};

/** Loads still running when a test fails are stopped before the node closes. */
const loads = new Set<Load>();

interface Acknowledged {
  readonly certificationId: string;
  readonly position: string;
}

/** Writers certifying in a loop: every answer is a 201 (kept) or a 503 STORE_UNAVAILABLE (counted); anything else fails the test. */
class Load {
  readonly acknowledged: Acknowledged[] = [];
  refused = 0;
  readonly unexpected: string[] = [];
  #running = true;
  readonly #done: Promise<void>;

  constructor(
    private readonly node: RunningNode,
    private readonly issuer: Signer,
    writers: number,
  ) {
    loads.add(this);
    this.#done = Promise.all(Array.from({ length: writers }, () => this.#write())).then(() => undefined);
  }

  /** Resolves once `count` more writes were acknowledged. */
  async acknowledgedMore(count: number, what: string): Promise<void> {
    const target = this.acknowledged.length + count;
    await until(() => this.acknowledged.length >= target, what);
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#done;
    loads.delete(this);
    expect(this.unexpected).toEqual([]);
  }

  async #write(): Promise<void> {
    while (this.#running) {
      const response = await certify(this.node, this.issuer);
      const body = response.json() as Record<string, JsonValue>;
      if (response.statusCode === 201) {
        this.acknowledged.push({
          certificationId: body['certificationId'] as string,
          position: body['position'] as string,
        });
      } else if (
        response.statusCode === 503 &&
        body['code'] === 'STORE_UNAVAILABLE' &&
        response.headers['retry-after'] === '5'
      ) {
        this.refused += 1;
        await sleep(20);
      } else {
        this.unexpected.push(`${response.statusCode} ${response.body}`);
      }
    }
  }
}

function certify(node: RunningNode, issuer: Signer, query = '') {
  return node.app.inject({
    method: 'POST',
    url: `/v1/certifications${query}`,
    payload: signCommand(
      issuer,
      'CertifyRecord',
      {
        recordDigest: randomBytes(32).toString('hex'),
        recordType: 'permit',
        validFrom: '2026-01-01T00:00:00Z',
      },
      { issuedAt: ISSUED_AT },
    ) as object,
  });
}

const get = (node: RunningNode, url: string) => node.app.inject({ method: 'GET', url });

describe('a node on PostgreSQL when PostgreSQL fails', () => {
  let server: PrivatePostgres;
  let node: RunningNode;
  let issuer: Signer;
  let dataDir: string;
  const notices: string[] = [];
  let sealed: { certificationId: string; proofUrl: string; certification: unknown; proof: unknown };
  const everyAck: Acknowledged[] = [];

  beforeAll(async () => {
    server = await startPrivatePostgres();
    dataDir = mkdtempSync(join(tmpdir(), 'chancery-pg-faults-'));
    node = await startNode(resolveNodeConfig({ dataDir, port: 0, sealIntervalMs: 30 }, {}), {
      logging: false,
      listen: false,
      clock: () => FIXED_NOW,
      // Short timeouts, so that a lock held by someone else, or a COMMIT waiting for a standby that is gone,
      // turns into 503s quickly.
      store: {
        kind: 'postgres',
        url: server.url(),
        statementTimeoutMs: 1000,
        commitTimeoutMs: 1500,
        applicationName: 'chancery-node',
      },
      notice: (line) => notices.push(line),
    });
    const authority: Signer = { actor: 'AUTHORITY', keyPair: readKeyFile(join(dataDir, 'authority.key')) };
    issuer = { actor: 'PERMITS', keyPair: generateKeyPair() };
    for (const [type, url, fields] of [
      [
        'RegisterIdentity',
        '/v1/identities',
        {
          identityId: 'PERMITS',
          name: 'Permits office',
          roles: ['issuer'],
          publicKeys: [issuer.keyPair.publicKeyBase64],
        },
      ],
      [
        'AccreditIdentity',
        '/v1/identities/PERMITS/accredit',
        { identityId: 'PERMITS', recordTypes: ['permit'] },
      ],
    ] as [string, string, Record<string, JsonValue>][]) {
      const response = await node.app.inject({
        method: 'POST',
        url,
        payload: signCommand(authority, type, fields, {
          issuedAt: ISSUED_AT,
        }) as object,
      });
      expect(response.statusCode, response.body).toBeLessThan(300);
    }
    const receipt = (await certify(node, issuer, '?wait=sealed')).json() as {
      certificationId: string;
      leafIndex: number;
      checkpoint: { treeSize: number };
    };
    const proofUrl = `/v1/log/proofs/inclusion?index=${receipt.leafIndex}&size=${receipt.checkpoint.treeSize}`;
    sealed = {
      certificationId: receipt.certificationId,
      proofUrl,
      certification: (await get(node, `/v1/certifications/${receipt.certificationId}`)).json(),
      proof: (await get(node, proofUrl)).json(),
    };
  });

  afterAll(async () => {
    await Promise.allSettled([...loads].map((load) => load.stop()));
    await node?.close();
    await server?.destroy();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  });

  /** Reads and proofs already sealed come from the node's own state, whatever the store does. */
  async function expectSealedStillServed(): Promise<void> {
    const certification = await get(node, `/v1/certifications/${sealed.certificationId}`);
    expect(certification.statusCode).toBe(200);
    expect(certification.json()).toEqual(sealed.certification);
    const proof = await get(node, sealed.proofUrl);
    expect(proof.statusCode).toBe(200);
    expect(proof.json()).toEqual(sealed.proof);
    expect((await get(node, '/v1/log/checkpoint')).statusCode).toBe(200);
    expect((await get(node, '/health/live')).statusCode).toBe(200);
  }

  async function expectNotReady(detail: RegExp): Promise<void> {
    await until(async () => (await get(node, '/health/ready')).statusCode === 503, 'the node is not ready');
    const ready = await get(node, '/health/ready');
    expect(ready.json()).toMatchObject({ code: 'NOT_READY', status: 503 });
    expect((ready.json() as { detail: string }).detail).toMatch(detail);
  }

  async function expectRefused(detail: RegExp): Promise<void> {
    const refused = await certify(node, issuer);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    const body = refused.json() as { detail: string };
    expect(body).toEqual({ ...STORE_PROBLEM, detail: body.detail });
    expect(body.detail).toMatch(detail);
  }

  async function expectRecovered(load: Load): Promise<void> {
    await load.acknowledgedMore(20, 'writes resume on their own');
    await until(async () => (await get(node, '/health/ready')).statusCode === 200, 'the node is ready again');
    await load.stop();
    everyAck.push(...load.acknowledged);
    await expectNothingAcknowledgedLost();
  }

  /** Every 201 so far: in the store once, in the node's read models, and a leaf of the log exactly once. */
  async function expectNothingAcknowledgedLost(): Promise<void> {
    const reader = new PostgresEventStore({ url: server.url() });
    const events: RecordedEvent[] = [];
    try {
      for (;;) {
        const page = await reader.readAll({ after: events.at(-1)?.position });
        if (page.length === 0) break;
        events.push(...page);
      }
    } finally {
      await reader.close();
    }
    const positions = events.map((e) => e.position.toString());
    expect(new Set(positions).size).toBe(positions.length);
    const last = events.at(-1)!.position;
    await until(() => (node.projector.position ?? -1n) >= last, 'the node applied everything');
    const size = node.sequencer.sequencedSize();
    const leaves = node.sequencer.entries(0, size, size).map((e) => e.position.toString());
    expect(new Set(leaves).size).toBe(leaves.length);
    for (const ack of everyAck) {
      expect(
        positions.filter((p) => p === ack.position),
        `acknowledged ${ack.position}`,
      ).toHaveLength(1);
      expect(
        leaves.filter((p) => p === ack.position),
        `leaf for ${ack.position}`,
      ).toHaveLength(1);
      expect((await get(node, `/v1/certifications/${ack.certificationId}`)).statusCode).toBe(200);
    }
  }

  it('times statements out behind a lock held by someone else: 503s, reads served, not ready, then resumes', async () => {
    const load = new Load(node, issuer, 4);
    await load.acknowledgedMore(20, 'the load is under way');
    const dba = new pg.Client({ connectionString: server.url() });
    dba.on('error', () => undefined);
    await dba.connect();
    try {
      await dba.query('BEGIN');
      await dba.query('LOCK TABLE chancery.events IN ACCESS EXCLUSIVE MODE');
      await expectRefused(
        /^postgres postgres:\/\/postgres@127\.0\.0\.1:\d+\/chancery: .* failed: canceling statement due to statement timeout \(SQLSTATE 57014\)$/,
      );
      await expectSealedStillServed();
      await expectNotReady(/statement timeout \(SQLSTATE 57014\)/);
      await sleep(500);
      await dba.query('ROLLBACK');
    } finally {
      await dba.end().catch(() => undefined);
    }
    await expectRecovered(load);
  });

  it('survives its connections being terminated: the feed reconnects and writes go on', async () => {
    notices.length = 0;
    const load = new Load(node, issuer, 4);
    await load.acknowledgedMore(20, 'the load is under way');
    const dba = new pg.Client({ connectionString: server.url() });
    dba.on('error', () => undefined);
    await dba.connect();
    try {
      const { rows } = await dba.query<{ terminated: boolean }>(
        "SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE application_name = 'chancery-node'",
      );
      // The writer, the readers in use and the LISTEN connection.
      expect(rows.length).toBeGreaterThanOrEqual(2);
    } finally {
      await dba.end().catch(() => undefined);
    }
    await until(() => notices.includes('event feed reconnected'), 'the feed is back');
    // Whichever connection the feed was using when it was cut: the LISTEN one, or a read under way.
    expect(notices[0]).toMatch(
      /^event feed lost: postgres postgres:\/\/postgres@127\.0\.0\.1:\d+\/chancery: .* failed: (terminating connection due to administrator command \(SQLSTATE 57P01\)|Connection terminated unexpectedly); reconnecting$/,
    );
    await expectRecovered(load);
  });

  it('answers 503 while the server is stopped with -m immediate, serves what is sealed, says why, and resumes when it is back', async () => {
    notices.length = 0;
    const load = new Load(node, issuer, 4);
    await load.acknowledgedMore(20, 'the load is under way');
    await server.stopImmediately();
    await until(() => node.projector.disconnected !== null, 'the node notices');
    const refusedBefore = load.refused;
    await expectRefused(
      /^postgres postgres:\/\/postgres@127\.0\.0\.1:\d+\/chancery: .* failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/,
    );
    await expectSealedStillServed();
    await expectNotReady(/^event feed lost: postgres .*; reconnecting$/);
    // Down for a while under load: every write in that time is refused, none acknowledged.
    const acknowledgedWhileDown = load.acknowledged.length;
    // A writer caught mid-COMMIT when the server died answers only when its commit times out: wait for
    // the load's own refusals rather than a fixed time, which a loaded machine can outlast.
    await until(() => load.refused > refusedBefore, "the load's writes to be refused");
    await sleep(1500);
    expect(load.acknowledged.length).toBe(acknowledgedWhileDown);
    expect(load.refused).toBeGreaterThan(refusedBefore);

    await server.start();
    await expectRecovered(load);
    expect(notices.at(-1)).toBe('event feed reconnected');
    expect((await certify(node, issuer, '?wait=sealed')).statusCode).toBe(201);
  });
  it('answers 503 while COMMIT waits for a synchronous standby that is gone, and resumes when it is released', async () => {
    const load = new Load(node, issuer, 4);
    await load.acknowledgedMore(20, 'the load is under way');
    const dba = new pg.Client({ connectionString: server.url() });
    dba.on('error', () => undefined);
    await dba.connect();
    try {
      // A standby that does not exist: every commit from now on waits for it.
      await dba.query("ALTER SYSTEM SET synchronous_standby_names = 'gone_replica'");
      await dba.query('SELECT pg_reload_conf()');
      await until(async () => {
        const response = await certify(node, issuer);
        return response.statusCode === 503;
      }, 'writes are refused');
      await expectRefused(
        /^postgres .*: append \(\d+ in one transaction\) failed: (COMMIT did not answer within 1500 ms \(is a synchronous standby down\?\); these appends may still commit: retry them with the same command ids|canceling statement due to statement timeout \(SQLSTATE 57014\))$/,
      );
      await expectSealedStillServed();
      const acknowledgedWhileWaiting = load.acknowledged.length;
      await sleep(1500);
      expect(load.acknowledged.length).toBe(acknowledgedWhileWaiting);
      await dba.query('ALTER SYSTEM RESET synchronous_standby_names');
      await dba.query('SELECT pg_reload_conf()');
    } finally {
      await dba.end().catch(() => undefined);
    }
    await expectRecovered(load);
  });
});
