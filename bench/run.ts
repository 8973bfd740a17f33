/**
 * Benchmark runner: `npm run bench` runs every bench/*.bench.ts in order;
 * `npm run bench -- certify ed25519` runs the named ones (and what they
 * require as baselines); `npm run bench -- --list` lists them.
 *
 * Prints the machine, then one table of every row, then headline lines, and
 * writes everything as JSON to .bench/results.json. Figures are measured,
 * never asserted: the exit status reports only whether each benchmark ran.
 *
 * Environment: BENCH_SCALE (default 1; 0.1 for a quick run) scales counts and
 * durations. Benchmarks document their own variables.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import {
  BUSY_THRESHOLD_CORES,
  type CpuLoad,
  cpuMeter,
  describeLoad,
  measureBackground,
} from './lib/cpu-load.js';
import { describeMachine, machineInfo } from './lib/machine.js';
import { describeNodeThreadpool, killAllNow } from './lib/node-child.js';
import { renderTable } from './lib/table.js';
import type { BenchContext, Benchmark, BenchRow } from './lib/types.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(benchDir, '..');

interface Outcome {
  readonly name: string;
  readonly description: string;
  readonly rows: BenchRow[];
  readonly headlines: string[];
  readonly durationMs: number;
  readonly error: string | null;
  /** Foreign CPU load over the whole benchmark (children it has reaped count as ours). */
  readonly background: CpuLoad | null;
}

async function loadBenchmarks(): Promise<Benchmark[]> {
  const files = readdirSync(benchDir)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort();
  const benchmarks: Benchmark[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(join(benchDir, file)).href)) as { benchmark?: Benchmark };
    if (module.benchmark === undefined) throw new Error(`${file} does not export \`benchmark\``);
    benchmarks.push(module.benchmark);
  }
  const names = new Set<string>();
  for (const b of benchmarks) {
    if (names.has(b.name)) throw new Error(`two benchmarks are named ${b.name}`);
    names.add(b.name);
  }
  const sorted = benchmarks.sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
  // Baselines must be measured first: a benchmark may only require ones that run before it.
  sorted.forEach((b, index) => {
    for (const r of b.requires ?? []) {
      const at = sorted.findIndex((x) => x.name === r);
      if (at < 0) throw new Error(`${b.name} requires ${r}, which does not exist`);
      if (at > index)
        throw new Error(`${b.name} requires ${r}, whose order (${sorted[at]!.order}) is not lower`);
    }
  });
  return sorted;
}

/** The named benchmarks plus everything they require, in run order. */
function select(all: readonly Benchmark[], names: readonly string[]): Benchmark[] {
  if (names.length === 0) return [...all];
  const byName = new Map(all.map((b) => [b.name, b]));
  const wanted = new Set<string>();
  const add = (name: string, from?: string) => {
    const b = byName.get(name);
    if (b === undefined) {
      throw new Error(
        `unknown benchmark "${name}"${from ? ` (required by ${from})` : ''}; known: ${all.map((x) => x.name).join(', ')}`,
      );
    }
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const r of b.requires ?? []) add(r, name);
  };
  for (const n of names) add(n);
  return all.filter((b) => wanted.has(b.name));
}

function parseScale(): number {
  const raw = process.env['BENCH_SCALE'] ?? '1';
  const scale = Number(raw);
  if (!(scale > 0) || !Number.isFinite(scale))
    throw new Error(`BENCH_SCALE must be a positive number, got "${raw}"`);
  return scale;
}

/** Time spent in waitForIdle, left out of the reported total. */
let waitedMs = 0;

/**
 * Samples foreign CPU load for a second; with BENCH_WAIT_IDLE=<seconds>, keeps
 * sampling until the machine is idle or that time has passed. Called before
 * every benchmark: on a shared host, other work comes and goes.
 */
async function waitForIdle(): Promise<CpuLoad | null> {
  const started = performance.now();
  const patienceMs = Number(process.env['BENCH_WAIT_IDLE'] ?? 0) * 1000;
  const until = started + (Number.isFinite(patienceMs) ? patienceMs : 0);
  try {
    for (;;) {
      const load = await measureBackground(1000);
      if (load === null || load.backgroundCores <= BUSY_THRESHOLD_CORES || performance.now() >= until)
        return load;
      log(`waiting for an idle machine: ${describeLoad(load)}`);
    }
  } finally {
    waitedMs += performance.now() - started;
  }
}

/**
 * Waits until the kernel has written what the benchmark left unwritten
 * (sync(1)), so that the next one starts on an idle disk. Writing back a
 * benchmark's files, or journalling the deletion of its 100,000 of them
 * (`bulk`), is no process's CPU, so the load check above does not see it, and
 * the next benchmark's fsyncs would wait behind it. (In one full run the
 * witness host of `federation`, which creates 75 databases, took more than a
 * minute to start after `bulk` with no other process busy; run again, it
 * started in seconds. The cause was not found; this rules one out.) The time
 * is left out of the benchmark's and the run's.
 */
function flushDisk(after: string): void {
  const started = performance.now();
  try {
    execFileSync('sync', { stdio: 'ignore' });
  } catch (error) {
    log(`  [${after}] sync failed: ${String(error)}`);
  }
  const ms = performance.now() - started;
  waitedMs += ms;
  if (ms >= 500) log(`  [${after}] the disk took ${(ms / 1000).toFixed(1)} s to write what was left pending`);
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function runOne(benchmark: Benchmark, outcomes: Map<string, Outcome>, scale: number): Promise<Outcome> {
  const tmpDir = mkdtempSync(join(os.tmpdir(), `chancery-bench-${benchmark.name}-`));
  liveTmpDirs.add(tmpDir);
  const cleanups: (() => void | Promise<void>)[] = [];
  const headlines: string[] = [];
  const missing = (benchmark.requires ?? []).filter((r) => outcomes.get(r)?.error !== null);
  const started = performance.now();
  const meter = cpuMeter();
  const context: BenchContext = {
    scale,
    repoRoot,
    tmpDir,
    figure(name, id) {
      const row = outcomes.get(name)?.rows.find((r) => r.id === id);
      if (row === undefined)
        throw new Error(`${benchmark.name} needs ${name}/${id}, which this run did not produce`);
      return row;
    },
    log: (message) => log(`  [${benchmark.name}] ${message}`),
    headline: (line) => headlines.push(line),
    onCleanup: (fn) => cleanups.push(fn),
  };
  let rows: BenchRow[] = [];
  let error: string | null = null;
  try {
    if (missing.length > 0) throw new Error(`skipped: required benchmark(s) failed: ${missing.join(', ')}`);
    log(`▶ ${benchmark.name}: ${benchmark.description}`);
    rows = await benchmark.run(context);
  } catch (caught) {
    error = caught instanceof Error ? (caught.stack ?? caught.message) : String(caught);
    log(`✗ ${benchmark.name} failed: ${error}`);
  } finally {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (cleanupError) {
        log(`  [${benchmark.name}] cleanup failed: ${String(cleanupError)}`);
      }
    }
    rmSync(tmpDir, { recursive: true, force: true });
    liveTmpDirs.delete(tmpDir);
  }
  const durationMs = performance.now() - started;
  const background = meter.stop();
  log(`  [${benchmark.name}] ${(durationMs / 1000).toFixed(1)} s, ${describeLoad(background)}`);
  flushDisk(benchmark.name);
  return {
    name: benchmark.name,
    description: benchmark.description,
    rows,
    headlines,
    durationMs,
    error,
    background,
  };
}

function sqliteVersion(): string | null {
  try {
    const db = new Database(':memory:');
    const row = db.prepare('SELECT sqlite_version() AS v').get() as { v: string };
    db.close();
    return row.v;
  } catch {
    return null;
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const all = await loadBenchmarks();
  if (args.includes('--list') || args.includes('-l')) {
    for (const b of all) {
      const requires = b.requires?.length ? ` (requires ${b.requires.join(', ')})` : '';
      process.stdout.write(`${b.name.padEnd(16)} ${b.description}${requires}\n`);
    }
    return 0;
  }
  const selected = select(
    all,
    args.filter((a) => !a.startsWith('-')),
  );
  const scale = parseScale();
  const machine = machineInfo(os.tmpdir(), sqliteVersion());
  const startedAt = new Date();
  const run0 = performance.now();

  process.stdout.write(
    [
      'Chancery benchmarks',
      ...describeMachine(machine),
      `Scale   BENCH_SCALE=${scale}`,
      `Nodes   started as \`chancery start\` starts them: ${describeNodeThreadpool()}`,
    ].join('\n') + '\n',
  );
  const idle = await waitForIdle();
  process.stdout.write(`Load    before starting: ${describeLoad(idle)}\n\n`);

  const outcomes = new Map<string, Outcome>();
  for (const [index, benchmark] of selected.entries()) {
    if (index > 0 && Number(process.env['BENCH_WAIT_IDLE'] ?? 0) > 0) await waitForIdle();
    outcomes.set(benchmark.name, await runOne(benchmark, outcomes, scale));
  }
  const list = [...outcomes.values()];

  process.stdout.write('\n' + renderTable(list) + '\n');
  const headlines = list.flatMap((o) => o.headlines.map((h) => `${o.name}: ${h}`));
  if (headlines.length > 0) process.stdout.write('\n' + headlines.join('\n') + '\n');
  const busy = list.filter((o) => (o.background?.backgroundCores ?? 0) > BUSY_THRESHOLD_CORES);
  if (busy.length > 0) {
    process.stdout.write(
      `\n⚠ The machine was not idle: other processes used ${busy.map((o) => `${o.background!.backgroundCores.toFixed(2)} cores during ${o.name}`).join(', ')}. ` +
        'Ratios against same-run baselines are affected less than absolute figures, but neither is clean.\n',
    );
  }
  const failed = list.filter((o) => o.error !== null);
  for (const o of failed) process.stdout.write(`\n${o.name} FAILED: ${o.error!.split('\n')[0]}\n`);
  const totalMs = performance.now() - run0 - waitedMs;
  process.stdout.write(
    `\nTotal ${(totalMs / 1000).toFixed(1)} s` +
      (waitedMs >= 1500
        ? ` (plus ${(waitedMs / 1000).toFixed(0)} s waiting for an idle machine and disk)`
        : '') +
      '\n',
  );

  const outDir = join(repoRoot, '.bench');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'results.json');
  const json = {
    startedAt: startedAt.toISOString(),
    totalMs,
    waitedForIdleMs: waitedMs,
    scale,
    selection: args.filter((a) => !a.startsWith('-')),
    machine,
    backgroundBeforeStart: idle,
    benchmarks: list.map((o) => ({
      name: o.name,
      description: o.description,
      durationMs: o.durationMs,
      error: o.error,
      backgroundCores: o.background?.backgroundCores ?? null,
      headlines: o.headlines,
      rows: o.rows.map((r) => ({
        ...r,
        ratios: (r.baselines ?? []).map((b) => ({
          label: b.label,
          baseline: b.value,
          ratio: r.value / b.value,
        })),
      })),
    })),
  };
  writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
  process.stdout.write(`Results written to ${file}\n`);
  return failed.length > 0 ? 1 : 0;
}

/** Temporary folders of benchmarks still running, removed on any exit. */
const liveTmpDirs = new Set<string>();

function removeTmpDirs(): void {
  for (const dir of liveTmpDirs) rmSync(dir, { recursive: true, force: true });
  liveTmpDirs.clear();
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllNow();
    removeTmpDirs();
    process.exit(130);
  });
}
process.on('exit', () => {
  killAllNow();
  removeTmpDirs();
});

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    killAllNow();
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  },
);
