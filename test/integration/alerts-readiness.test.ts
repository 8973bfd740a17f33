/**
 * Readiness and status tell the truth when the witness quorum is lost, on a
 * primary run as a real `chancery start` process with two mirror-witnesses
 * and a 2-of-2 quorum:
 *  - /health/ready reports store, event feed and log apart from finality,
 *    and stays ready with `finality: "degraded"` and a reason;
 *  - /v1/operations and `chancery status` (text and --json) show the role,
 *    the quorum, each witness, and the open alerts;
 *  - the operator's warnings are pino JSON lines with stable event names.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatVerifierKey, SIGNATURE_TYPE_ED25519 } from '../../src/domain/log/index.js';
import { generateKeyPair, writeKeyFiles } from '../../src/protocol/key-pair.js';
import type { OperationsStatus } from '../../src/protocol/operations-status.js';
import { jsonOf, runCli } from '../e2e/support/cli-process.js';
import { eventually, type LiveNode, startLiveNode } from '../support/federation-nodes.js';
import { certifySome } from '../support/metrics-network.js';

const ROOT = resolve(import.meta.dirname, '../..');
const ORIGIN = 'readiness.example/log';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

interface LogLine {
  readonly level: number;
  readonly event?: string;
  readonly subject?: string;
  readonly msg: string;
}

describe('a primary process that loses its witness quorum', () => {
  let child: ChildProcess;
  let stdout = '';
  let stderr = '';
  let url: string;
  let dataDir: string;
  const witnesses: LiveNode[] = [];

  const ready = async () => (await fetch(`${url}/health/ready`)).json() as Promise<Record<string, unknown>>;
  const logLines = (): LogLine[] =>
    stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);

  beforeAll(async () => {
    const logKey = generateKeyPair();
    const keyDir = mkdtempSync(join(tmpdir(), 'chancery-ready-key-'));
    writeKeyFiles(join(keyDir, 'log.key'), logKey);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const trust = formatVerifierKey(ORIGIN, SIGNATURE_TYPE_ED25519, logKey.publicKey);
    for (const name of ['witness-a', 'witness-b'])
      witnesses.push(
        await startLiveNode({ federation: { role: 'mirror', upstream: [url], trust, witnessName: name } }),
      );
    dataDir = mkdtempSync(join(tmpdir(), 'chancery-ready-'));
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CHANCERY_')));
    child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start', '--data', dataDir], {
      cwd: ROOT,
      env: {
        ...env,
        CHANCERY_PORT: String(port),
        CHANCERY_ORIGIN: ORIGIN,
        CHANCERY_LOG_KEY_FILE: join(keyDir, 'log.key'),
        CHANCERY_WITNESSES: witnesses
          .map((w) => `${w.url}=${w.node.federation.witness!.identity.vkey}`)
          .join(','),
        CHANCERY_WITNESS_QUORUM: '2',
        CHANCERY_WITNESS_TIMEOUT_MS: '1000',
        CHANCERY_MIRROR_PROBE_MS: '200',
      },
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    await eventually(
      'the primary to be ready',
      async () => ((await ready())['status'] === 'ready' ? true : undefined),
      45_000,
    );
    await certifySome({ url, dataDir } as LiveNode, 'TRANSPORT', 1);
    await eventually('finality ok', async () => ((await ready())['finality'] === 'ok' ? true : undefined));
  }, 90_000);

  afterAll(async () => {
    child?.kill('SIGTERM');
    for (const w of witnesses) await w.close();
  });

  it('is ready with every component ok and finality ok while both witnesses cosign', async () => {
    expect(await ready()).toEqual({
      status: 'ready',
      store: 'ok',
      eventFeed: 'ok',
      log: 'ok',
      finality: 'ok',
    });
  });

  it('stays ready but says finality is degraded, and why, once a witness is gone', async () => {
    await witnesses[1]!.close();
    await certifySome({ url, dataDir } as LiveNode, 'HEALTH', 1);
    const body = await eventually('finality degraded', async () => {
      const b = await ready();
      return b['finality'] === 'degraded' ? b : undefined;
    });
    expect(body).toEqual({
      status: 'ready',
      store: 'ok',
      eventFeed: 'ok',
      log: 'ok',
      finality: 'degraded',
      reason: expect.stringMatching(
        /^witness quorum lost .*not answering: witness-b \(.+\); checkpoints are signed but not final$/,
      ),
    });
    const operations = (await (await fetch(`${url}/v1/operations`)).json()) as OperationsStatus;
    expect(operations.alerts.map((a) => a.id).sort()).toEqual(['quorum-lost', 'witness-down:witness-b']);
    expect(operations.witnesses.map((w) => [w.name, w.up])).toEqual([
      ['witness-a', true],
      ['witness-b', false],
    ]);
  }, 30_000);

  it('says so in pino JSON lines with stable event names', async () => {
    // The node's own notice comes first; the operator watch's lines (with a subject) follow on its next tick.
    const lines = await eventually('the warnings', () => {
      const warnings = logLines().filter((l) => l.level === 40 && l.event !== undefined);
      const witnessB = warnings.some((l) => l.event === 'witness_unreachable' && l.subject === 'witness-b');
      return witnessB && warnings.some((l) => l.event === 'quorum_lost') ? warnings : undefined;
    });
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ event: 'witness_unreachable', subject: 'witness-b' }),
        expect.objectContaining({ event: 'quorum_lost' }),
      ]),
    );
    // The node's own notice of the failure is JSON too, and nothing about it is left as plain text on stderr.
    expect(logLines()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          event: 'witness_unreachable',
          msg: expect.stringMatching(/^witness witness-b: /),
        }),
      ]),
    );
    expect(stderr).not.toContain('witness witness-b:');
    // Every line on stdout is JSON: no plain-text warning slips through.
    for (const line of stdout.split('\n').filter((l) => l.trim() !== ''))
      expect(() => JSON.parse(line)).not.toThrow();
  });

  it('shows role, quorum, each witness and the open alerts in chancery status, text and --json', async () => {
    const json = jsonOf<{ role: string; operations: OperationsStatus }>(
      await runCli(['status', '--url', url, '--json']),
    );
    expect(json.role).toBe('primary');
    expect(json.operations.finality).toMatchObject({
      state: 'degraded',
      quorum: expect.stringContaining('witness-a'),
    });
    expect(json.operations.alerts.map((a) => a.kind).sort()).toEqual(['quorum-lost', 'witness-down']);
    const text = (await runCli(['status', '--url', url])).stdout;
    expect(text).toMatch(/: ready \(primary\)/);
    expect(text).toMatch(/finality\s+degraded: witness quorum lost/);
    expect(text).toMatch(/witness-a {2}up; last cosigned /);
    expect(text).toMatch(/witness-b {2}DOWN \(/);
    // Mirror lag as the primary sees it, from each mirror's own /v1/operations.
    expect(text).toMatch(
      /mirrors:\n {2}witness-a {2}verified \d+; lag \d+\n {2}witness-b {2}(verified \d+|no size yet); lag (\d+|unknown) \(NOT ANSWERING: /,
    );
    expect(json.operations.mirrors.map((m) => [m.name, m.up])).toEqual([
      ['witness-a', true],
      ['witness-b', false],
    ]);
    expect(text).toContain('CRITICAL quorum-lost');
    expect(text).toContain('WARNING witness-down witness-b');
  });
});
