/**
 * The operations listener answers its three routes exactly as the public listener does, from the
 * same route code, in every state of the node: while the store is unreachable at start (503
 * NOT_READY for readiness, live 200, and the metrics saying chancery_store_up 0) and once it serves. Anything else is a 404 there,
 * even what the node's gate would refuse on the public listener: the gate passes only the three
 * routes, so the operations port never answers for the API. An IPv6 address in brackets binds
 * (the URL keeps its brackets), and closing the node closes the listener.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningNode, startNode } from '../../src/node/chancery-node.js';
import { resolveNodeConfig } from '../../src/node/node-config.js';
import { openEventStore } from '../../src/node/open-event-store.js';
import { answeredOnce, requestOnce } from '../e2e/support/held-connections.js';
import { expectedProblem } from '../support/expected-problem.js';
import { SeverableStore } from '../support/severable-store.js';

const tmp = mkdtempSync(join(tmpdir(), 'chancery-ops-listener-'));
const nodes: RunningNode[] = [];
afterAll(async () => {
  await Promise.allSettled(nodes.map((n) => n.close()));
  rmSync(tmp, { recursive: true, force: true });
});

const get = (app: FastifyInstance, url: string, method: 'GET' | 'HEAD' | 'POST' = 'GET') =>
  app.inject({ method, url });

/** What a client can compare between two answers: all but the request id, which is each request's own. */
function answer(response: LightMyRequestResponse) {
  const { 'x-request-id': _id, date: _date, ...headers } = response.headers;
  return { status: response.statusCode, headers, body: response.body };
}

describe('the operations listener beside the public one (one node, in process)', () => {
  it('answers /health/*, /metrics as the public listener does, while not ready (metrics too: store down) and once ready; anything else 404', async () => {
    const severable = new SeverableStore(
      await openEventStore({ kind: 'sqlite', path: join(tmp, 'events.db'), pollIntervalMs: 20 }),
    );
    severable.sever('connection refused');
    const node = await startNode(
      resolveNodeConfig(
        { dataDir: join(tmp, 'node'), port: 0, sealIntervalMs: 3_600_000 },
        { CHANCERY_OPS_LISTEN: '127.0.0.1:0' },
      ),
      { logging: false, listen: false, eventStore: severable },
    );
    nodes.push(node);
    const ops = node.ops!;
    expect(ops).not.toBeNull();

    for (const path of ['/health/live', '/health/ready']) {
      expect(answer(await get(ops, path))).toEqual(answer(await get(node.app, path)));
    }
    expect((await get(ops, '/health/ready')).json()).toEqual(
      expectedProblem(
        'NOT_READY',
        503,
        'The node is not ready yet; retry later',
        'event store unreachable: connection refused; retrying',
        '/health/ready',
      ),
    );
    // While the store is out, the metrics answer on both listeners and say so: that is when the operator needs them.
    for (const app of [ops, node.app]) {
      const metrics = await get(app, '/metrics');
      expect(metrics.statusCode).toBe(200);
      expect(metrics.body).toContain('\nchancery_store_up 0\n');
    }
    // The public listener's gate says "not ready" for its API; the operations port has no API to speak of.
    expect((await get(node.app, '/v1/status')).statusCode).toBe(503);
    const status = await get(ops, '/v1/status');
    expect(status.statusCode).toBe(404);
    expect(status.json()).toEqual(
      expectedProblem('ROUTE_NOT_FOUND', 404, 'No such route', 'no route GET /v1/status', '/v1/status'),
    );

    severable.restore();
    await node.started;
    for (const path of ['/health/live', '/health/ready']) {
      expect(answer(await get(ops, path))).toEqual(answer(await get(node.app, path)));
      expect(answer(await get(ops, path, 'HEAD'))).toEqual(answer(await get(node.app, path, 'HEAD')));
    }
    expect((await get(ops, '/health/ready')).json()).toMatchObject({ status: 'ready', store: 'ok' });
    const [opsMetrics, publicMetrics] = [await get(ops, '/metrics'), await get(node.app, '/metrics')];
    expect(opsMetrics.statusCode).toBe(200);
    expect(opsMetrics.headers['content-type']).toBe(publicMetrics.headers['content-type']);
    // One registry: the same families on both (the values move between two scrapes).
    const families = (text: string) => text.split('\n').filter((l) => l.startsWith('# TYPE '));
    expect(families(opsMetrics.body)).toEqual(families(publicMetrics.body));
    expect(opsMetrics.body).toContain('\nchancery_log_sequenced_size 1\n');
    // Its own families pass the same lint as the rest (test/integration/metrics.test.ts).
    const opsFamilies = opsMetrics.body
      .split('\n')
      .filter((line) => /^(# (HELP|TYPE) )?chancery_ops_/.test(line));
    expect(opsFamilies).toHaveLength(6);
    expect(
      execFileSync('/usr/bin/promtool', ['check', 'metrics'], {
        input: `${opsFamilies.join('\n')}\n`,
        encoding: 'utf8',
      }),
    ).toBe('');
    expect((await get(ops, '/health/live', 'POST')).statusCode).toBe(404);
  });

  it('listens on an IPv6 address given in brackets, and closes with the node', async () => {
    const node = await startNode(
      resolveNodeConfig({ dataDir: join(tmp, 'v6'), port: 0 }, { CHANCERY_OPS_LISTEN: '[::1]:0' }),
      { logging: false },
    );
    nodes.push(node);
    expect(node.opsUrl).toMatch(/^http:\/\/\[::1\]:\d+$/);
    expect(await answeredOnce(node.opsUrl!, '/health/live')).toMatchObject({
      status: 200,
      body: '{"status":"ok"}',
    });
    await node.close();
    await expect(requestOnce(node.opsUrl!, '/health/live')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('is not built when CHANCERY_OPS_LISTEN is not set', async () => {
    const node = await startNode(resolveNodeConfig({ dataDir: join(tmp, 'off'), port: 0 }, {}), {
      logging: false,
      listen: false,
    });
    nodes.push(node);
    expect(node.ops).toBeNull();
    expect(node.opsUrl).toBeNull();
    expect((await get(node.app, '/health/live')).statusCode).toBe(200);
  });
});
