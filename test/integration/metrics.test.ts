/**
 * /metrics is prom-client's exposition, scraped from real nodes over HTTP: it
 * passes `promtool check metrics`, parses, keeps each node's series apart
 * (three nodes in one process), and the series move after real writes,
 * refusals, seals and cosignatures.
 */

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeHistoryView } from '../../src/protocol/node-history.js';
import type { OperationsStatus } from '../../src/protocol/operations-status.js';
import { eventually } from '../support/federation-nodes.js';
import { certifySome, type OpsNetwork, startOpsNetwork } from '../support/metrics-network.js';
import { parseExposition, sampleValue } from '../support/metrics-parse.js';

const PROMTOOL = '/usr/bin/promtool';

describe('/metrics on a primary with two mirror-witnesses', () => {
  let network: OpsNetwork;
  let before: string;

  beforeAll(async () => {
    network = await startOpsNetwork();
    before = await network.primary.text('/metrics');
    await certifySome(network.primary, 'TRANSPORT', 3);
    // A refusal by problem code: an unsigned body.
    await fetch(`${network.primary.url}/v1/certifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    await network.primary.node.sealer.sealNow();
    await eventually('the quorum to cosign', async () => {
      const text = await network.primary.text('/metrics');
      return sampleValue(parseExposition(text), 'chancery_checkpoint_final') === 1 ? true : undefined;
    });
  }, 60_000);

  afterAll(async () => {
    await network?.close();
  });

  it('is served by prom-client with its content type and passes promtool check metrics', async () => {
    const response = await network.primary.get('/metrics');
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    expect(existsSync(PROMTOOL), `${PROMTOOL} (Debian package prometheus)`).toBe(true);
    // Every line parses; then promtool lints our own families (a counter without _total, a bad unit...).
    // prom-client's process defaults are left out of the lint: three of its gauges end in _total
    // (nodejs_active_handles_total...), names Grafana dashboards rely on, not ours to rename.
    expect(parseExposition(text).size).toBeGreaterThan(20);
    const ours = text
      .split('\n')
      .filter((line) => /^(# (HELP|TYPE) )?chancery_/.test(line))
      .join('\n');
    const out = execFileSync(PROMTOOL, ['check', 'metrics'], { input: `${ours}\n`, encoding: 'utf8' });
    expect(out).toBe('');
  });

  it('counts requests by route pattern, never by raw URL', async () => {
    await network.primary.get('/v1/certifications/does-not-exist-1');
    await network.primary.get('/v1/certifications/does-not-exist-2');
    await network.primary.get('/no/such/route/at/all');
    const families = parseExposition(await network.primary.text('/metrics'));
    const requests = families.get('chancery_http_requests_total')!;
    const routes = new Set(requests.samples.map((s) => s.labels['route']));
    expect(routes).toContain('/v1/certifications/:certificationId');
    expect(routes).toContain('unmatched');
    expect([...routes].some((r) => r?.includes('does-not-exist'))).toBe(false);
    expect(
      sampleValue(families, 'chancery_http_requests_total', {
        route: '/v1/certifications',
        method: 'POST',
        status: '201',
      }),
    ).toBeGreaterThanOrEqual(3);
    expect(families.get('chancery_http_request_duration_seconds')?.type).toBe('histogram');
  });

  it('moves the write, certification, refusal, seal and store series after real writes', async () => {
    const old = parseExposition(before);
    const now = parseExposition(await network.primary.text('/metrics'));
    expect(sampleValue(now, 'chancery_writes_total', { type: 'CertifyRecord' })).toBe(3);
    expect(sampleValue(now, 'chancery_writes_total', { type: 'RegisterIdentity' })).toBe(1);
    expect(sampleValue(now, 'chancery_certifications_total')).toBe(3);
    expect(sampleValue(old, 'chancery_certifications_total')).toBe(0);
    expect(sampleValue(now, 'chancery_refusals_total', { code: 'BODY_INVALID' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(now, 'chancery_seal_latency_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(
      sampleValue(now, 'chancery_store_append_duration_seconds_count', { outcome: 'ok' }),
    ).toBeGreaterThan(
      sampleValue(old, 'chancery_store_append_duration_seconds_count', { outcome: 'ok' }) ?? 0,
    );
    expect(sampleValue(now, 'chancery_store_group_commit_size_count')).toBeGreaterThan(0);
    expect(sampleValue(now, 'chancery_log_sequenced_size')).toBeGreaterThan(
      sampleValue(old, 'chancery_log_sequenced_size')!,
    );
    expect(sampleValue(now, 'chancery_store_up')).toBe(1);
    expect(sampleValue(now, 'chancery_event_feed_up')).toBe(1);
    expect(sampleValue(now, 'chancery_checkpoint_age_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('reports each witness up, its last success and cosign latency, and the quorum', async () => {
    const now = parseExposition(await network.primary.text('/metrics'));
    for (const name of ['witness-a', 'witness-b']) {
      expect(sampleValue(now, 'chancery_witness_up', { witness: name })).toBe(1);
      const last = sampleValue(now, 'chancery_witness_last_success_timestamp_seconds', { witness: name })!;
      expect(Math.abs(last - Date.now() / 1000)).toBeLessThan(120);
      expect(
        sampleValue(now, 'chancery_witness_cosign_latency_seconds_count', { witness: name }),
      ).toBeGreaterThan(0);
    }
    expect(sampleValue(now, 'chancery_witness_quorum_up')).toBe(1);
  });

  it('reports mirror lag on a mirror, and process and event-loop metrics on every node', async () => {
    const primarySize = network.primary.node.sequencer.sequencedSize();
    const mirror = network.witnesses[0]!;
    const families = await eventually('the mirror to catch up', async () => {
      const f = parseExposition(await mirror.text('/metrics'));
      return sampleValue(f, 'chancery_mirror_replicated_size') === primarySize ? f : undefined;
    });
    expect(sampleValue(families, 'chancery_mirror_lag_entries')).toBe(0);
    expect(sampleValue(families, 'chancery_mirror_halted')).toBe(0);
    expect(families.has('nodejs_eventloop_lag_seconds')).toBe(true);
    expect(families.has('process_cpu_seconds_total')).toBe(true);
    // One registry per node: the mirror served no certification request of its own.
    expect(sampleValue(families, 'chancery_writes_total', { type: 'CertifyRecord' })).toBeUndefined();
  });

  it('reports the replication lag of each mirror-witness on the primary, labelled by mirror', async () => {
    const primarySize = network.primary.node.sequencer.sequencedSize();
    const families = await eventually('the primary to see both mirrors caught up', async () => {
      const f = parseExposition(await network.primary.text('/metrics'));
      const lags = ['witness-a', 'witness-b'].map((m) =>
        sampleValue(f, 'chancery_mirror_lag_entries', { mirror: m }),
      );
      return lags.every((l) => l === 0) ? f : undefined;
    });
    // The primary is no mirror: no unlabelled lag of its own.
    const own = families
      .get('chancery_mirror_lag_entries')!
      .samples.filter((s) => s.labels['mirror'] === undefined);
    expect(own).toEqual([]);
    const operations = await network.primary.json<OperationsStatus>('/v1/operations');
    expect(operations.mirrors).toEqual(
      ['witness-a', 'witness-b'].map((name, i) => ({
        name,
        url: network.witnesses[i]!.url,
        up: true,
        replicatedSize: expect.any(Number),
        lagEntries: expect.any(Number),
        checkedAt: expect.any(String),
        error: null,
      })),
    );
    expect(operations.mirrors.every((m) => m.replicatedSize! >= primarySize - m.lagEntries!)).toBe(true);
  });

  it('keeps a server-side history of every node it knows at GET /v1/operations/history', async () => {
    const history = await eventually('a few samples with both mirrors caught up', async () => {
      const h = await network.primary.json<NodeHistoryView>('/v1/operations/history');
      const a = h.nodes.find((n) => n.name === 'witness-a');
      return a !== undefined && a.samples.t.length >= 3 && a.samples.lag.at(-1) === 0 ? h : undefined;
    });
    expect(history).toMatchObject({ intervalSeconds: 0.5, capacity: 1440 });
    expect(history.nodes.map((n) => [n.name, n.role])).toEqual([
      ['ops.example/log', 'self'],
      ['witness-a', 'mirror-witness'],
      ['witness-b', 'mirror-witness'],
    ]);
    for (const node of history.nodes) {
      const { t, ...columns } = node.samples;
      for (const column of Object.values(columns)) expect(column).toHaveLength(t.length);
      expect([...t].sort((x, y) => x - y)).toEqual(t);
    }
    const a = history.nodes[1]!.samples;
    expect(a.up.at(-1)).toBe(1);
    expect(a.lastCosignatureAt.at(-1)).toBeGreaterThan(Date.now() / 1000 - 120);
    expect(a.cosignLatencyMs.at(-1)).toBeGreaterThan(0);
    expect(history.nodes[0]!.samples.logSize.at(-1)).toBeGreaterThan(0);
    // Documented in the OpenAPI the node serves, with the columns' schema.
    const spec = await network.primary.json<{ paths: Record<string, { get?: { responses: object } }> }>(
      '/docs/json',
    );
    expect(JSON.stringify(spec.paths['/v1/operations/history']?.get?.responses)).toContain('cosignLatencyMs');
  });

  it('drops a witness from up and the quorum when it stops answering', async () => {
    await network.witnesses[1]!.close();
    await certifySome(network.primary, 'HEALTH', 1);
    await network.primary.node.sealer.sealNow();
    const families = await eventually('witness-b to be down', async () => {
      const f = parseExposition(await network.primary.text('/metrics'));
      return sampleValue(f, 'chancery_witness_up', { witness: 'witness-b' }) === 0 ? f : undefined;
    });
    expect(sampleValue(families, 'chancery_witness_up', { witness: 'witness-a' })).toBe(1);
    expect(sampleValue(families, 'chancery_witness_quorum_up')).toBe(0);
    // A mirror that stops answering keeps its last known lag, and /v1/operations says it is not answering.
    const mirrorB = await eventually('the primary to see witness-b not answering', async () => {
      const ops = await network.primary.json<OperationsStatus>('/v1/operations');
      const b = ops.mirrors.find((m) => m.name === 'witness-b')!;
      return b.up ? undefined : b;
    });
    // Refused once it is gone; reset when the poll that finds it going had a kept-alive connection to it.
    expect(mirrorB.error).toMatch(/ECONNREFUSED|ECONNRESET|UND_ERR|fetch failed/);
    expect(mirrorB.lagEntries).toBeGreaterThanOrEqual(1);
    // And the history shows witness-b going down.
    await eventually('witness-b down in the history', async () => {
      const h = await network.primary.json<NodeHistoryView>('/v1/operations/history');
      const up = h.nodes.find((n) => n.name === 'witness-b')!.samples.up;
      return up.includes(1) && up.at(-1) === 0 ? true : undefined;
    });
  }, 30_000);
});
