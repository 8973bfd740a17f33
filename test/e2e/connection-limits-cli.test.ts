/**
 * The adversary: any client on the network, no credential. Connections used to be bounded only by
 * the open-file limit: one client opening idle connections faster than the headers timeout closed
 * them could take every file descriptor, and the node could then open no file of its own. Now
 * `chancery start` caps them overall (CHANCERY_MAX_CONNECTIONS) and per client address
 * (CHANCERY_MAX_CONNECTIONS_PER_ADDRESS); a refused connection is closed before any of it is read,
 * counted on /metrics and told to the operator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NodeProcess, startNodeProcess } from './support/cli-process.js';
import { answeredOnce, HeldConnections, metricValue } from './support/held-connections.js';

const MAX_CONNECTIONS = 8;
const PER_ADDRESS = 3;

let dataDir: string;
let node: NodeProcess;
const held = new HeldConnections();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'chancery-connections-'));
  node = await startNodeProcess(dataDir, 30_000, {
    CHANCERY_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
    CHANCERY_MAX_CONNECTIONS_PER_ADDRESS: String(PER_ADDRESS),
  });
}, 60_000);

afterAll(async () => {
  await held.closeAll();
  await node?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('connection caps of chancery start (a real node process over TCP)', () => {
  it('shows the caps in the banner', () => {
    expect(node.stderr()).toContain(
      `connections  ${MAX_CONNECTIONS} open at most (CHANCERY_MAX_CONNECTIONS), ${PER_ADDRESS} per client address`,
    );
  });

  it('one address cannot hold more than its share; another address is still served; a closed one frees its slot', async () => {
    const attacker = '127.0.0.2';
    for (let i = 0; i < PER_ADDRESS; i++) expect(await held.hold(node.url, attacker)).toBe('served');
    expect(await held.hold(node.url, attacker)).toBe('closed');
    expect(await held.hold(node.url, attacker)).toBe('closed');
    expect(await held.hold(node.url, '127.0.0.3')).toBe('served');

    held.dropOne();
    await new Promise((r) => setTimeout(r, 200));
    expect(await held.hold(node.url, attacker)).toBe('served');
    await held.closeAll();
  });

  it('many addresses together cannot hold more than the node cap; the node serves again once they close', async () => {
    const outcomes: string[] = [];
    for (let a = 10; a < 14; a++) {
      for (let i = 0; i < PER_ADDRESS; i++) outcomes.push(await held.hold(node.url, `127.0.0.${a}`));
    }
    const served = outcomes.filter((o) => o === 'served').length;
    // Other connections (the test's readiness probe, kept alive) may hold a slot or two.
    expect(served).toBeLessThanOrEqual(MAX_CONNECTIONS);
    expect(served).toBeGreaterThanOrEqual(MAX_CONNECTIONS - 2);
    expect(outcomes.at(-1)).toBe('closed');
    await held.closeAll();
    expect((await answeredOnce(node.url, '/health/live', { localAddress: '127.0.0.20' })).status).toBe(200);
  });

  it('counts refusals on /metrics by cap, and tells the operator once with the setting to change', async () => {
    const metrics = await answeredOnce(node.url, '/metrics', { localAddress: '127.0.0.21' });
    expect(metrics.status).toBe(200);
    expect(metricValue(metrics.body, 'chancery_http_connections_refused_total{reason="address_limit"}')).toBe(
      2,
    );
    expect(
      metricValue(metrics.body, 'chancery_http_connections_refused_total{reason="node_limit"}'),
    ).toBeGreaterThanOrEqual(4 * PER_ADDRESS - MAX_CONNECTIONS);
    // This request's own connection is the one open.
    expect(metricValue(metrics.body, 'chancery_http_connections_open')).toBeGreaterThanOrEqual(1);

    const warnings = node
      .stdout()
      .split('\n')
      .filter((l) => l.includes('"connections_refused"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    // The first refusal is told at once; those within the next minute only counted.
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      level: 40,
      event: 'connections_refused',
      reason: 'address_limit',
      address: '127.0.0.2',
      refused: 1,
    });
    expect(String(warnings[0]!['msg'])).toContain('CHANCERY_MAX_CONNECTIONS_PER_ADDRESS');
  });
});
