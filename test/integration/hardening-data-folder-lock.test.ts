import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type NodeProcess, startNodeProcess } from '../support/node-process.js';

/**
 * "Two writers on one data folder": a second node on a folder a live node
 * holds must fail at start with the holder's pid, and a node killed with -9
 * must not leave a lock that blocks its restart. Real processes, since the
 * lock is the kernel's and lives exactly as long as a process.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = join(ROOT, 'test/integration/fixtures/node-under-load.ts');
const dataDir = mkdtempSync(join(tmpdir(), 'chancery-lock-'));
const started: NodeProcess[] = [];

afterAll(async () => {
  for (const node of started) node.child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const start = async () => {
  const node = await startNodeProcess(FIXTURE, dataDir, {});
  started.push(node);
  return node;
};

/** Runs a second node on the folder to its end; returns its exit code and stderr. */
function secondStart(): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dataDir], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((done) => child.once('close', (code) => done({ code, stderr })));
}

describe('one node per data folder', () => {
  it('a second start on a held folder fails with "data folder … in use by pid N", and the first keeps serving', async () => {
    const first = await start();
    const pid = first.child.pid!;
    expect(readFileSync(join(dataDir, 'node.pid'), 'utf8')).toBe(`${pid}\n`);
    const second = await secondStart();
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(`data folder ${dataDir} in use by pid ${pid}; stop that node first`);
    expect((await fetch(`${first.url}/health/live`)).status).toBe(200);
  }, 90_000);

  it('after kill -9 the stale pid file does not block a restart, which takes the folder over', async () => {
    const holder = started[started.length - 1]!;
    const stalePid = holder.child.pid!;
    await new Promise<void>((done) => {
      holder.child.once('close', () => done());
      holder.child.kill('SIGKILL');
    });
    // The pid file still names the dead process: only the kernel's lock decides.
    expect(readFileSync(join(dataDir, 'node.pid'), 'utf8')).toBe(`${stalePid}\n`);
    const restarted = await start();
    expect(readFileSync(join(dataDir, 'node.pid'), 'utf8')).toBe(`${restarted.child.pid}\n`);
    expect((await fetch(`${restarted.url}/health/live`)).status).toBe(200);
    await restarted.stop();
  }, 90_000);
});

describe('within one process', () => {
  it('a second startNode on a folder this process holds is refused too, and close() frees it', async () => {
    const { startTestNode } = await import('../support/test-node.js');
    const { startNode } = await import('../../src/node/chancery-node.js');
    const { resolveNodeConfig } = await import('../../src/node/node-config.js');
    const t = await startTestNode();
    const again = () =>
      startNode(resolveNodeConfig({ dataDir: t.dataDir, port: 0 }, {}), { listen: false, logging: false });
    await expect(again()).rejects.toThrow(`data folder ${t.dataDir} in use by pid ${process.pid}`);
    await t.node.close();
    const reopened = await again();
    await reopened.close();
    rmSync(t.dataDir, { recursive: true, force: true });
  }, 60_000);
});
