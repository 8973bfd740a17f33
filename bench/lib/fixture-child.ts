/**
 * A bench fixture server (bench/fixtures/*.ts) in a child process under tsx:
 * killed on the benchmark's cleanup whatever happens, and ready once it has
 * written its first line to stdout, which each fixture uses to say where it
 * listens. Shared by the log, tiles, certify and federation benchmarks.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { BenchContext } from './types.js';

export interface FixtureChild {
  readonly pid: number;
  /** The first line the fixture wrote to stdout, without its newline. */
  readonly readyLine: string;
  stop(): Promise<void>;
}

export interface FixtureChildOptions {
  /** What to call the fixture in errors, e.g. "tiles server". */
  readonly name: string;
  readonly startTimeoutMs: number;
  /** Added to this process's environment (NODE_ENV is production). */
  readonly env?: Readonly<Record<string, string>>;
}

/** What starting a fixture needs of a benchmark's context (a test can give just these). */
export type FixtureContext = Pick<BenchContext, 'repoRoot' | 'onCleanup'>;

export function startFixtureChild(
  ctx: FixtureContext,
  script: string,
  args: readonly string[],
  options: FixtureChildOptions,
): Promise<FixtureChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ctx.repoRoot, script), ...args], {
    cwd: ctx.repoRoot,
    env: { ...process.env, NODE_ENV: 'production', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
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
      () => reject(new Error(`${options.name} did not start:\n${stderr}`)),
      options.startTimeoutMs,
    );
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited (${code}):\n${stderr}`));
    });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      resolve({ pid: child.pid!, readyLine: stdout.slice(0, newline), stop });
    });
  });
}
