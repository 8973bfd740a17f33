/**
 * The contract between bench/run.ts and the benchmark modules (bench/*.bench.ts).
 *
 * Performance is measured, never asserted: a benchmark returns rows, and every
 * figure that means something on its own is printed beside a baseline
 * measured in the same run, as a ratio. Absolute numbers from another machine
 * or another day are not baselines.
 */

/** A figure this row is compared with; the table prints value / baseline.value. */
export interface Baseline {
  /** Short label, e.g. "Ed25519 1-thread". */
  readonly label: string;
  readonly value: number;
}

export interface BenchRow {
  /** Stable id inside its benchmark, for other benchmarks and for the JSON (e.g. "single-thread"). */
  readonly id: string;
  /** What was measured, as printed. */
  readonly metric: string;
  readonly value: number;
  /** e.g. "verify/s", "append/s", "ms", "MiB". */
  readonly unit: string;
  readonly baselines?: readonly Baseline[];
  /** Free text printed in the notes column (latency, batch sizes, errors…). */
  readonly note?: string;
  /** Extra machine-readable figures, written to the JSON only. */
  readonly extra?: Readonly<Record<string, number | string | boolean | null>>;
}

export interface BenchContext {
  /** Multiplier for counts and durations (env BENCH_SCALE, default 1; 0.1 for a quick run). */
  readonly scale: number;
  /** Absolute path of the repository root. */
  readonly repoRoot: string;
  /** A fresh temporary folder for this benchmark; removed after it ends. */
  readonly tmpDir: string;
  /** A row produced earlier in this run; throws when it is missing (declare it in `requires`). */
  figure(benchmark: string, id: string): BenchRow;
  /** Progress output (stderr), so the table on stdout stays clean. */
  log(message: string): void;
  /** A line printed under the table (headline figures, targets). */
  headline(line: string): void;
  /** Runs when the benchmark ends, failed or not (kill children, close stores). Last registered runs first. */
  onCleanup(fn: () => void | Promise<void>): void;
}

export interface Benchmark {
  /** Name used on the command line: `npm run bench -- <name>`. */
  readonly name: string;
  /** Position in a full run (ascending); ties are broken by name. */
  readonly order: number;
  readonly description: string;
  /** Benchmarks whose rows this one uses as baselines; they run first, even when only this one is named. */
  readonly requires?: readonly string[];
  run(context: BenchContext): Promise<BenchRow[]>;
}

/** Scales a count, never below `min`. */
export function scaled(scale: number, base: number, min = 1): number {
  return Math.max(min, Math.round(base * scale));
}
