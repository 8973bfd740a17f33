import { readFileSync } from 'node:fs';

/**
 * How busy the rest of the machine was while we measured. Benchmarks on a
 * shared host (other engineers' test runs, CI neighbours) come out low for
 * reasons that have nothing to do with the code; the runner prints this next
 * to every figure instead of pretending the machine was idle.
 *
 * Linux only (/proc); elsewhere every reading is null.
 */

const TICKS_PER_SECOND = 100;

interface Sample {
  /** Busy ticks of the whole machine (user, nice, system, steal). */
  readonly busy: number;
  /** Ticks of this process (all threads) and its exited, reaped children. */
  readonly own: number;
  readonly atMs: number;
}

function sample(): Sample | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8')
      .split('\n', 1)[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    // irq and softirq left out: loopback HTTP and disk completions of our own load land there.
    const [user = 0, nice = 0, system = 0, , , , , steal = 0] = cpu;
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    const own = (fields[11] ?? 0) + (fields[12] ?? 0) + (fields[13] ?? 0) + (fields[14] ?? 0);
    return { busy: user + nice + system + steal, own, atMs: performance.now() };
  } catch {
    return null;
  }
}

export interface CpuLoad {
  /** Average cores used by processes other than this one (and the CPU time passed as ours). */
  readonly backgroundCores: number;
  readonly seconds: number;
}

export interface CpuMeter {
  /**
   * Ends the measurement. `alsoOursSeconds`: CPU time of our own processes
   * that /proc/self cannot see yet (a child still running), so it is not
   * counted as background.
   */
  stop(alsoOursSeconds?: number): CpuLoad | null;
}

export function cpuMeter(): CpuMeter {
  const start = sample();
  return {
    stop(alsoOursSeconds = 0) {
      const end = sample();
      if (start === null || end === null) return null;
      const seconds = (end.atMs - start.atMs) / 1000;
      if (seconds <= 0) return null;
      const otherTicks = end.busy - start.busy - (end.own - start.own) - alsoOursSeconds * TICKS_PER_SECOND;
      return { backgroundCores: Math.max(0, otherTicks / TICKS_PER_SECOND / seconds), seconds };
    },
  };
}

/** Samples the machine for `ms` with nothing of ours running. */
export async function measureBackground(ms: number): Promise<CpuLoad | null> {
  const meter = cpuMeter();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return meter.stop();
}

/** Above this many cores of foreign load, figures are flagged as disturbed. */
export const BUSY_THRESHOLD_CORES = 0.15;

export function describeLoad(load: CpuLoad | null): string {
  if (load === null) return 'other processes: n/a';
  const flag = load.backgroundCores > BUSY_THRESHOLD_CORES ? ' ⚠ machine not idle' : '';
  return `other processes ${load.backgroundCores.toFixed(2)} cores${flag}`;
}
