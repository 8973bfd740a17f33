/**
 * One API node of a cluster as a real child process
 * (test/integration/fixtures/cluster-node.ts): several of them share one
 * store and one log key. Each prints one JSON line once it serves.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = join(ROOT, 'test/integration/fixtures/cluster-node.ts');

export interface ClusterProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly dataDir: string;
  readonly authority: { id: string; keyId: string; founded: boolean };
  stderr(): string;
  /** Stops it the way the test harness does: closing its stdin. */
  stop(): Promise<void>;
}

/** Starts a cluster node in `dataDir` with `env` (CHANCERY_TEST_STORE, CHANCERY_LOG_KEY_FILE, …). */
export function startClusterProcess(dataDir: string, env: Record<string, string>): Promise<ClusterProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dataDir], {
    cwd: ROOT,
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CHANCERY_'))),
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('close', () => done());
      child.stdin!.end();
    });
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node did not start in time; stderr:\n${stderr}`));
    }, 45_000);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline < 0 || timer === null) return;
      clearTimeout(timer);
      const line = JSON.parse(stdout.slice(0, newline)) as {
        url: string;
        authority: ClusterProcess['authority'];
      };
      resolveStart({ child, url: line.url, dataDir, authority: line.authority, stderr: () => stderr, stop });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`node exited during start-up (code ${code}, signal ${signal}); stderr:\n${stderr}`));
    });
  });
}
