import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { threadpoolLine } from '../../src/cli/commands/start.js';
import { sleep } from './stats.js';

/**
 * Starts bench/fixtures/node-process.ts in a child process and keeps track of
 * it so that it is killed whatever happens: stop() on the normal path, a
 * process 'exit' hook on any other, and the child's own stdin watch if this
 * process dies without running either.
 */

export interface NodeChild {
  readonly url: string;
  readonly pid: number;
  readonly authorityId: string;
  readonly authorityKeyFile: string;
  /** Peak resident set (VmHWM) so far, in bytes; null once the process is gone. */
  peakRssBytes(): number | null;
  /** CPU time (user + system) the child has used so far, in seconds; null once it is gone. */
  cpuSeconds(): number | null;
  /**
   * CPU time of the child's main thread alone (its event loop), in seconds; null once it is gone.
   * The difference to cpuSeconds() is what ran on other threads: libuv's threadpool, V8's GC helpers.
   */
  mainThreadCpuSeconds(): number | null;
  /** Last lines the child wrote to stderr (for error messages). */
  stderrTail(): string;
  /** Starts the node's CPU profiler; profileStop() writes what ran in between. */
  profileStart(): Promise<void>;
  /** Stops the profiler and writes a .cpuprofile (open in Chrome DevTools, or bench/tools/cpuprofile-summary.ts). */
  profileStop(file: string): Promise<void>;
  /** Runs a full garbage collection in the node (through the inspector): tells garbage from what is still held. */
  collectGarbage(): Promise<void>;
  /** Asks the node to close (SIGTERM, then SIGKILL after a grace period). Idempotent. */
  stop(): Promise<void>;
}

export interface StartNodeChildOptions {
  readonly repoRoot: string;
  readonly dataDir: string;
  readonly startTimeoutMs?: number;
  /** Extra environment for the node (CHANCERY_* settings, e.g. its event store). */
  readonly env?: Readonly<Record<string, string>>;
  /** false: run the checkout's dist/ as it is (another checkout's, built there), without the staleness check. */
  readonly build?: boolean;
}

/** The launcher's choice of threadpool size (bin/chancery.cjs), so the node under test runs as `chancery start` does. */
const launcher = createRequire(import.meta.url)('../../bin/chancery.cjs') as {
  chosenThreadpoolSize(args: readonly string[], env: NodeJS.ProcessEnv, cores: number): string | undefined;
};

const live = new Set<ChildProcess>();
let hooked = false;
let built = false;

/**
 * The node child runs dist/ (bench/fixtures/node-process.ts), as `npm start` does: rebuilt here, once
 * per run, when a source is newer than the last build (scripts/build-if-stale.mjs, which `npm start`
 * runs too), so the figures are never those of stale code.
 */
function buildIfStale(repoRoot: string, env: Readonly<Record<string, string>> | undefined): void {
  if (built || (env?.['BENCH_NODE_CODE'] ?? process.env['BENCH_NODE_CODE']) === 'src') return;
  execFileSync(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: repoRoot, stdio: 'inherit' });
  built = true;
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  // Synchronous on purpose: 'exit' handlers cannot wait.
  process.on('exit', killAllNow);
}

/** Kills every node child still running, at once (SIGKILL). For exit paths only. */
export function killAllNow(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
  live.clear();
}

const CLOCK_TICKS_PER_SECOND = 100;

interface ReadyMessage {
  readonly ready: true;
  readonly url: string;
  readonly authorityId: string;
  readonly authorityKeyFile: string;
}

interface CommandReply {
  readonly command: string;
  readonly ok: boolean;
  readonly error?: string;
}

/** What a node child's libuv threadpool is, for the run's header. */
export function describeNodeThreadpool(): string {
  return threadpoolLine({ ...process.env, ...threadpoolEnv() });
}

function threadpoolEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const size = launcher.chosenThreadpoolSize(['start'], { ...process.env, ...extra }, availableParallelism());
  return size === undefined ? {} : { UV_THREADPOOL_SIZE: size };
}

export async function startNodeChild(options: StartNodeChildOptions): Promise<NodeChild> {
  hookExit();
  if (options.build !== false) buildIfStale(options.repoRoot, options.env);
  const args = ['--import', 'tsx', 'bench/fixtures/node-process.ts', options.dataDir];
  const child = spawn(process.execPath, args, {
    cwd: options.repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...threadpoolEnv(options.env), ...options.env, NODE_ENV: 'production' },
  });
  live.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      live.delete(child);
      resolve();
    });
  });
  // The stdin pipe is the child's lifeline; an EPIPE on it after the child died is not an error here.
  child.stdin?.on('error', () => {});

  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8000);
  });
  const stderrTail = () => stderr.trim().split('\n').slice(-20).join('\n');

  // Answers to stdin commands, in the order the commands were sent.
  const replies: { resolve(ok: boolean, error?: string): void }[] = [];
  let onReady: ((message: ReadyMessage) => void) | undefined;
  let buffered = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    buffered += chunk;
    for (;;) {
      const nl = buffered.indexOf('\n');
      if (nl < 0) break;
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      let message: ReadyMessage | CommandReply;
      try {
        message = JSON.parse(line) as ReadyMessage | CommandReply;
      } catch {
        continue; // Not our line; ignore anything else the node prints.
      }
      if ('ready' in message) onReady?.(message);
      else if ('command' in message) replies.shift()?.resolve(message.ok, message.error);
    }
  });
  child.once('exit', () => {
    for (const r of replies.splice(0)) r.resolve(false, 'node process exited');
  });
  const command = (line: string): Promise<void> =>
    new Promise((resolve, reject) => {
      replies.push({ resolve: (ok, error) => (ok ? resolve() : reject(new Error(`${line}: ${error}`))) });
      child.stdin?.write(`${line}\n`);
    });

  const pid = child.pid;
  let ready: ReadyMessage;
  try {
    if (pid === undefined) throw new Error('could not spawn the node process');
    ready = await new Promise((resolve, reject) => {
      const timeoutMs = options.startTimeoutMs ?? 60_000;
      const timer = setTimeout(
        () => reject(new Error(`node process not ready within ${timeoutMs} ms\n${stderrTail()}`)),
        timeoutMs,
      );
      onReady = (message) => {
        clearTimeout(timer);
        resolve(message);
      };
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(
            `node process exited before it was ready (code ${code}, signal ${signal})\n${stderrTail()}`,
          ),
        );
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killed = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
        if (!killed) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      child.stdin?.destroy();
    })();
    return stopped;
  };

  return {
    url: ready.url,
    pid: pid!,
    authorityId: ready.authorityId,
    authorityKeyFile: ready.authorityKeyFile,
    stderrTail,
    stop,
    profileStart: () => command('profile-start'),
    profileStop: (file) => command(`profile-stop ${file}`),
    collectGarbage: () => command('gc'),
    peakRssBytes: () => {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const kib = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
        return kib === undefined ? null : Number(kib) * 1024;
      } catch {
        return null;
      }
    },
    cpuSeconds: () => cpuSecondsOf(`/proc/${pid}/stat`),
    // The main thread's task id is the process id.
    mainThreadCpuSeconds: () => cpuSecondsOf(`/proc/${pid}/task/${pid}/stat`),
  };
}

/** User + system CPU seconds from a /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat file; null once it is gone. */
export function cpuSecondsOf(file: string): number | null {
  try {
    const stat = readFileSync(file, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}
