/**
 * The adversary: any client on the network, no credential, holding the public listener's connection
 * cap full. The load balancer's probes and Prometheus' scrapes used to be refused with everyone
 * else's connections: the orchestrator restarted a healthy node, and the metrics that showed the
 * attack were lost. With CHANCERY_OPS_LISTEN, `chancery start` serves /health/live, /health/ready
 * and /metrics on a listener of its own, outside the public caps, with a small cap of its own so it
 * cannot take the node's file descriptors either. A real node process over TCP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedProblem } from '../support/expected-problem.js';
import { type NodeProcess, runCli, startNodeProcess } from './support/cli-process.js';
import { answeredOnce, HeldConnections, metricValue, requestOnce } from './support/held-connections.js';

const MAX_CONNECTIONS = 8;
/** The operations listener's fixed cap (api/ops-app.ts OPS_CONNECTION_LIMITS), written out: a test of it must not read it. */
const OPS_MAX_CONNECTIONS = 64;

let dataDir: string;
let node: NodeProcess;
let opsUrl: string;
const publicHeld = new HeldConnections();
const opsHeld = new HeldConnections();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'chancery-ops-'));
  node = await startNodeProcess(dataDir, 30_000, {
    CHANCERY_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
    CHANCERY_OPS_LISTEN: '127.0.0.1:0',
  });
  const match = /\n {2}operations {3}(http:\/\/127\.0\.0\.1:\d+) /.exec(node.stderr());
  if (match === null) throw new Error(`no operations line in the banner:\n${node.stderr()}`);
  opsUrl = match[1]!;
}, 60_000);

afterAll(async () => {
  await publicHeld.closeAll();
  await opsHeld.closeAll();
  await node?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The public listener's connections as the node counts them, read where the public cap cannot refuse it. */
async function publicConnectionsOpen(): Promise<number> {
  const metrics = await answeredOnce(opsUrl, '/metrics');
  return metricValue(metrics.body, 'chancery_http_connections_open');
}

describe('the operations listener of chancery start (a real node process over TCP)', () => {
  it('is in the banner, with what it serves and its own cap', () => {
    expect(node.stderr()).toContain(
      `\n  operations   ${opsUrl} (/health/live, /health/ready, /metrics; ${OPS_MAX_CONNECTIONS} open at most, apart from CHANCERY_MAX_CONNECTIONS)\n`,
    );
  });

  it('answers probes and scrapes while an attacker holds the public cap full, and its metrics show the refusals', async () => {
    const publicReady = await answeredOnce(node.url, '/health/ready');
    // The start-up readiness probe's keep-alive connection may still hold a slot (undici keeps it 71 s).
    const alreadyOpen = await publicConnectionsOpen();
    expect(alreadyOpen).toBeLessThan(MAX_CONNECTIONS);
    for (let i = alreadyOpen; i < MAX_CONNECTIONS; i++)
      expect(await publicHeld.hold(node.url, `127.0.0.${10 + i}`)).toBe('served');
    // The public listener is full: a probe there is closed at accept, whoever sends it.
    expect(await publicHeld.hold(node.url, '127.0.0.30')).toBe('closed');
    expect(await requestOnce(node.url, '/health/live')).toBe('refused');

    const live = await answeredOnce(opsUrl, '/health/live');
    expect(live).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    expect(live.headers['content-type']).toBe('application/json; charset=utf-8');
    const ready = await answeredOnce(opsUrl, '/health/ready');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({
      status: 'ready',
      store: 'ok',
      eventFeed: 'ok',
      log: 'ok',
      finality: 'none',
    });
    // The same handler as the public listener's: the same answer.
    expect(ready.body).toBe(publicReady.body);
    const head = await answeredOnce(opsUrl, '/health/live', { method: 'HEAD' });
    expect(head).toMatchObject({ status: 200, body: '' });

    const metrics = await answeredOnce(opsUrl, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(
      metricValue(metrics.body, 'chancery_http_connections_refused_total{reason="node_limit"}'),
    ).toBeGreaterThanOrEqual(2);
    // The public count holds the attacker's connections only: the operations listener's are counted apart.
    expect(metricValue(metrics.body, 'chancery_http_connections_open')).toBe(MAX_CONNECTIONS);
    expect(metricValue(metrics.body, 'chancery_ops_connections_open')).toBe(1);
    expect(metricValue(metrics.body, 'chancery_ops_connections_refused_total')).toBe(0);
    // Its requests are not in the public request series (docs/operations.md): no public scrape was made.
    expect(metrics.body).not.toContain('chancery_http_requests_total{route="/metrics"');
    expect(metrics.body).not.toMatch(/chancery_http_requests_total\{route="\/health\/live",method="HEAD"/);

    // Still full after all that: the answers above took no public slot.
    expect(await publicHeld.hold(node.url, '127.0.0.31')).toBe('closed');
    await publicHeld.closeAll();
    expect(await answeredOnce(node.url, '/health/live')).toMatchObject({
      status: 200,
      body: '{"status":"ok"}',
    });
  });

  it('answers any other path or method with 404 ROUTE_NOT_FOUND, the public listener’s problem', async () => {
    for (const [method, path] of [
      ['GET', '/v1/status'],
      ['GET', '/docs'],
      ['POST', '/health/live'],
      ['GET', '/metrics/'],
    ] as const) {
      const answer = await answeredOnce(opsUrl, path, { method });
      expect(answer.status).toBe(404);
      expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(JSON.parse(answer.body)).toEqual(
        expectedProblem('ROUTE_NOT_FOUND', 404, 'No such route', `no route ${method} ${path}`, path),
      );
    }
  });

  it('has a cap of its own: past it a connection is closed at accept, counted, and the public listener is not affected', async () => {
    const before = await answeredOnce(node.url, '/metrics');
    for (let i = 0; i < OPS_MAX_CONNECTIONS; i++) expect(await opsHeld.hold(opsUrl)).toBe('served');
    expect(await opsHeld.hold(opsUrl)).toBe('closed');
    expect(await requestOnce(opsUrl, '/health/live')).toBe('refused');

    expect(await answeredOnce(node.url, '/health/live')).toMatchObject({
      status: 200,
      body: '{"status":"ok"}',
    });
    const after = await answeredOnce(node.url, '/metrics');
    expect(metricValue(after.body, 'chancery_ops_connections_open')).toBe(OPS_MAX_CONNECTIONS);
    expect(metricValue(after.body, 'chancery_ops_connections_refused_total')).toBe(2);
    // Refusals there are not the public cap's.
    expect(metricValue(after.body, 'chancery_http_connections_refused_total{reason="node_limit"}')).toBe(
      metricValue(before.body, 'chancery_http_connections_refused_total{reason="node_limit"}'),
    );

    // Told to the operator once, apart from the public refusals of the test before, naming where to bind it.
    const warnings = node
      .stdout()
      .split('\n')
      .filter((l) => l.includes('"connections_refused"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((w) => w['reason'] === 'ops_limit');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ level: 40, address: '127.0.0.1', refused: 1 });
    expect(warnings[0]!['msg']).toBe(
      "1 connection(s) closed at accept since the last such warning; the latest from 127.0.0.1 by the operations listener's own cap (bind CHANCERY_OPS_LISTEN where only probes and scrapes reach it)",
    );

    opsHeld.dropOne();
    await new Promise((r) => setTimeout(r, 200));
    expect(await answeredOnce(opsUrl, '/health/live')).toMatchObject({ status: 200 });
    await opsHeld.closeAll();
  });

  it('refuses to start, naming the setting, on a bad value, the public port, or a port in use', async () => {
    const [flag, env, busy] = await Promise.all([
      runCli(['start', '--data', join(dataDir, 'x'), '--port', '18123', '--ops-listen', '127.0.0.1:18123']),
      runCli(['start', '--data', join(dataDir, 'y'), '--port', '0'], { CHANCERY_OPS_LISTEN: '::1:9090' }),
      runCli(['start', '--data', join(dataDir, 'z'), '--port', '0'], {
        CHANCERY_OPS_LISTEN: new URL(opsUrl).host,
      }),
    ]);
    expect(flag).toMatchObject({ code: 2, stdout: '' });
    expect(flag.stderr).toMatch(
      /^error: invalid --ops-listen: 127\.0\.0\.1:18123 \(the public listener's port is 18123; expected another port\)\nusage: chancery start/,
    );
    expect(env).toMatchObject({ code: 2, stdout: '' });
    expect(env.stderr).toMatch(
      /^error: invalid CHANCERY_OPS_LISTEN: ::1:9090 \(an IPv6 address goes in brackets; expected HOST:PORT, e.g\. 127\.0\.0\.1:9090 or \[::1\]:9090, port 0\.\.65535\)\n/,
    );
    expect(busy.code).toBe(1);
    expect(busy.stderr).toBe(
      `error: cannot listen on ${new URL(opsUrl).host} for the operations listener: the port is in use (choose another port with --ops-listen or CHANCERY_OPS_LISTEN)\n`,
    );
  }, 40_000);

  it('closes with the node', async () => {
    expect(await node.stop('SIGTERM')).toBe(0);
    await expect(requestOnce(opsUrl, '/health/live')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
