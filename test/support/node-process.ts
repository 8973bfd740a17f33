/**
 * A node as a real child process, started from one of the test fixtures
 * (test/integration/fixtures/cluster-node.ts: an API node of a cluster on a
 * shared store; federation-node.ts: a primary or a mirror-witness), with its
 * settings in the environment. Each prints one JSON line once it serves.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const CLUSTER_NODE = join(ROOT, 'test/integration/fixtures/cluster-node.ts');
export const FEDERATION_NODE = join(ROOT, 'test/integration/fixtures/federation-node.ts');

export interface NodeProcess<Line = Record<string, unknown>> {
  readonly child: ChildProcess;
  readonly url: string;
  readonly dataDir: string;
  /** The JSON line the node printed once it served. */
  readonly line: Line;
  stderr(): string;
  /** Stops it the way the test harness does: closing its stdin. */
  stop(): Promise<void>;
}

/** Starts `fixture` on `dataDir` with `env` (CHANCERY_* settings, CHANCERY_TEST_STORE for a cluster node). */
export function startNodeProcess<Line extends { url: string }>(
  fixture: string,
  dataDir: string,
  env: Record<string, string>,
): Promise<NodeProcess<Line>> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, dataDir], {
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
      if (newline < 0) return;
      clearTimeout(timer);
      const line = JSON.parse(stdout.slice(0, newline)) as Line;
      resolveStart({ child, url: line.url, dataDir, line, stderr: () => stderr, stop });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`node exited during start-up (code ${code}, signal ${signal}); stderr:\n${stderr}`));
    });
  });
}
