/**
 * deploy/prometheus/alerts.yml is valid Prometheus rules and behaves as its
 * unit tests say, under Debian's promtool (package `prometheus`). The last
 * case shows the check bites: a rule that never fires fails its unit test.
 */

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const PROMTOOL = '/usr/bin/promtool';
const DIR = resolve(import.meta.dirname, '../../../deploy/prometheus');

function promtool(...args: string[]) {
  const run = spawnSync(PROMTOOL, args, { encoding: 'utf8', cwd: DIR });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('Prometheus alert rules', () => {
  it('promtool is installed (Debian package prometheus)', () => {
    expect(existsSync(PROMTOOL)).toBe(true);
  });

  it('pass promtool check rules', () => {
    const run = promtool('check', 'rules', 'alerts.yml');
    expect(run.output).toContain('SUCCESS: 9 rules found');
    expect(run.status).toBe(0);
  });

  it('pass their unit tests under promtool test rules', () => {
    const run = promtool('test', 'rules', 'alerts.test.yml');
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  it('cover every alert the issue names', () => {
    const rules = readFileSync(join(DIR, 'alerts.yml'), 'utf8');
    for (const name of [
      'ChanceryWitnessQuorumLost',
      'ChanceryCheckpointStale',
      'ChanceryMirrorHalted',
      'ChancerySplitView',
      'ChanceryStoreUnavailable',
      'ChanceryErrorBudgetBurn',
    ])
      expect(rules).toContain(`alert: ${name}`);
  });

  it('fail their unit tests when a rule is broken (the check can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chancery-alerts-'));
    const broken = readFileSync(join(DIR, 'alerts.yml'), 'utf8').replace(
      'expr: chancery_witness_quorum_up == 0',
      'expr: chancery_witness_quorum_up == 2',
    );
    writeFileSync(join(dir, 'alerts.yml'), broken);
    copyFileSync(join(DIR, 'alerts.test.yml'), join(dir, 'alerts.test.yml'));
    const run = spawnSync(PROMTOOL, ['test', 'rules', 'alerts.test.yml'], { encoding: 'utf8', cwd: dir });
    expect(run.status).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toContain('ChanceryWitnessQuorumLost');
  });

  it('are loaded by the compose bench: promtool check config passes and every node is a scrape target', () => {
    const run = promtool('check', 'config', 'prometheus.yml');
    expect(run.output).toContain('SUCCESS: 1 rule files found');
    expect(run.status).toBe(0);
    const compose = readFileSync(join(DIR, '../../docker-compose.yml'), 'utf8');
    const nodes = [...compose.matchAll(/^ {2}((?:chancery(?:-pg)?|mirror)\d+):$/gm)].map((m) => m[1]!);
    expect(nodes.length).toBeGreaterThanOrEqual(5);
    const config = readFileSync(join(DIR, 'prometheus.yml'), 'utf8');
    // On the operations listener, apart from the public caps; the instance label stays the API's address.
    for (const node of nodes) expect(config, node).toContain(`"${node}:9100"`);
    expect(config.match(/replacement: "\$\{1\}:8080"/g)).toHaveLength(2);
    expect(compose).toContain('"./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro"');
    expect(compose).toContain('"./deploy/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro"');
    expect(compose).toContain(
      '"./deploy/grafana/chancery.json:/var/lib/grafana/dashboards/chancery.json:ro"',
    );
    const datasource = readFileSync(join(DIR, '../grafana/provisioning/datasources/prometheus.yml'), 'utf8');
    expect(datasource).toContain('url: http://prometheus:9090');
  });
});
