/** bench/fixtures/certify-floor-server.ts in a child process, for bench/certify.bench.ts. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from './types.js';

export interface CertifyFloorServer {
  readonly url: string;
  readonly pid: number;
  /** CPU time (user + system, every thread) the server has used so far, in seconds. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

const CLOCK_TICKS_PER_SECOND = 100;

function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** Starts the server trusting `publicKeyBase64` (raw Ed25519), appending to `dbFile`. */
export function startCertifyFloorServer(
  ctx: BenchContext,
  publicKeyBase64: string,
  dbFile: string,
): Promise<CertifyFloorServer> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ctx.repoRoot, 'bench/fixtures/certify-floor-server.ts'),
      publicKeyBase64,
      dbFile,
    ],
    {
      cwd: ctx.repoRoot,
      // As `chancery start` runs a node: one threadpool thread for the Ed25519 verifications.
      env: { ...process.env, NODE_ENV: 'production', UV_THREADPOOL_SIZE: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<void>((done) => child.once('close', () => done()));
  const stop = async () => {
    child.kill('SIGKILL');
    await exited;
  };
  ctx.onCleanup(stop);
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`certify floor server did not start:\n${stderr}`)),
      60_000,
    );
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`certify floor server exited (${code}):\n${stderr}`));
    });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const line = /^listening (\S+)\n/.exec(stdout);
      if (line === null) return;
      clearTimeout(timer);
      const pid = child.pid!;
      resolve({ url: line[1]!, pid, cpuSeconds: () => cpuSecondsOf(pid), stop });
    });
  });
}
