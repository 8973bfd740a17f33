/**
 * deploy/grafana/chancery.json and deploy/prometheus/alerts.yml query only
 * what nodes serve: every metric they name is on the /metrics of a real
 * primary or mirror-witness, and every dashboard query is PromQL that
 * promtool parses.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certifySome, type OpsNetwork, startOpsNetwork } from '../support/metrics-network.js';
import { type ParsedFamily, parseExposition } from '../support/metrics-parse.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DASHBOARD = join(ROOT, 'deploy/grafana/chancery.json');
const ALERTS = join(ROOT, 'deploy/prometheus/alerts.yml');
/** Grafana's own variable syntax, not a template literal: the dashboard asks which data source to use. */
const GRAFANA_DATASOURCE_VARIABLE = ['$', '{datasource}'].join('');
/** Series Prometheus makes itself, not the node. */
const PROMETHEUS_OWN = new Set(['up', 'ALERTS']);

interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly datasource?: { uid: string };
  readonly targets?: readonly { expr: string; datasource?: { uid: string } }[];
}

function dashboardQueries(): string[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    panels: Panel[];
    templating: { list: { query: unknown }[] };
    annotations: { list: { expr?: string }[] };
  };
  const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  for (const v of dashboard.templating.list) {
    const q = v.query as { query?: string } | string;
    if (typeof q === 'object' && q.query !== undefined) queries.push(q.query);
  }
  for (const a of dashboard.annotations.list) if (a.expr !== undefined) queries.push(a.expr);
  return queries;
}

/** Metric names in a PromQL expression: identifiers followed by a selector, a range or nothing. */
function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const names = withoutStrings.match(/\b(chancery|nodejs|process)_[a-zA-Z0-9_]+\b/g) ?? [];
  const others = [...withoutStrings.matchAll(/\b(up|ALERTS)\s*\{/g)].map((m) => m[1]!);
  return [...names, ...others];
}

function served(families: Map<string, ParsedFamily>, name: string): boolean {
  if (families.has(name)) return true;
  for (const f of families.values()) if (f.samples.some((s) => s.name === name)) return true;
  return false;
}

describe('the Grafana dashboard and the alert rules against real nodes', () => {
  let network: OpsNetwork;
  let families: Map<string, ParsedFamily>;

  beforeAll(async () => {
    network = await startOpsNetwork();
    await certifySome(network.primary, 'TRANSPORT', 2);
    await network.primary.node.sealer.sealNow();
    // The cosignatures arrive after the seal, once each witness's mirror has applied the checkpoint:
    // the witness metrics exist only from the first of them.
    const sealed = network.primary.node.sequencer.latestCheckpoint()!.treeSize;
    const deadline = Date.now() + 15_000;
    while (network.primary.node.federation.log.finalTreeSize() < sealed) {
      if (Date.now() > deadline) throw new Error(`no quorum cosigned tree size ${sealed} within 15 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    families = new Map([
      ...parseExposition(await network.witnesses[0]!.text('/metrics')),
      ...parseExposition(await network.primary.text('/metrics')),
    ]);
  }, 60_000);

  afterAll(async () => {
    await network?.close();
  });

  it('is a Grafana dashboard: panels with unique ids, each query on the chosen data source', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { uid: string; panels: Panel[] };
    expect(dashboard.uid).toBe('chancery-overview');
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      expect(panel.datasource?.uid, panel.title).toBe(GRAFANA_DATASOURCE_VARIABLE);
    }
  });

  it('queries only metrics a real node serves', () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(25);
    expect(new Set(queries.flatMap(metricNames)).size).toBeGreaterThan(20);
    const missing = queries
      .flatMap(metricNames)
      .filter((name) => !PROMETHEUS_OWN.has(name) && !served(families, name));
    expect(missing).toEqual([]);
  });

  it('alerts only on metrics a real node serves', () => {
    const exprs = [...readFileSync(ALERTS, 'utf8').matchAll(/expr: (\|\n(?:\s{10,}.*\n)+|.*)/g)].map(
      (m) => m[1]!,
    );
    expect(exprs.length).toBe(9);
    expect(exprs.flatMap(metricNames)).toContain('chancery_witness_quorum_up');
    const missing = exprs
      .flatMap(metricNames)
      .filter((name) => !PROMETHEUS_OWN.has(name) && !served(families, name));
    expect(missing).toEqual([]);
  });

  it('writes every dashboard query in PromQL that promtool parses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chancery-dashboard-'));
    // promtool parses expressions in rule files; Grafana's $instance becomes a plain regex here.
    const rules = dashboardQueries()
      .filter((q) => !q.startsWith('label_values('))
      .map(
        (q, i) =>
          `      - record: dashboard:query_${i}\n        expr: ${JSON.stringify(q.replaceAll('$instance', '.*'))}`,
      );
    writeFileSync(
      join(dir, 'queries.yml'),
      `groups:\n  - name: dashboard\n    rules:\n${rules.join('\n')}\n`,
    );
    const run = spawnSync('/usr/bin/promtool', ['check', 'rules', 'queries.yml'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(`${run.stdout}${run.stderr}`).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });
});
