/**
 * Gives memory back once the node goes quiet after a burst.
 *
 * A burst of large requests (an attack of 15 MB bodies refused chunk by
 * chunk, a run of bulk uploads) leaves tens of MiB of socket chunks and
 * parsed bodies behind as garbage. V8 collects them only when it next needs
 * the space, and an idle node does not allocate, so the garbage (and the RSS
 * it holds) stays for as long as the node stays idle: the attack benchmark
 * measured 173 → 205 MiB that did not come down in 10 s of idling, and a
 * forced full collection brought it to 162 MiB (issue 11: "RSS returns to its
 * baseline afterwards"). So the node watches its own heap and external
 * memory, and when they have grown well past what they were after its last
 * collection while its event loop is nearly idle, it asks V8 for a full
 * collection. Only then: a full collection of a busy node's heap would stall
 * requests, and at idle its ~10–40 ms go unnoticed.
 *
 * The collection is requested through the in-process inspector protocol
 * (HeapProfiler.collectGarbage), a documented API that needs neither
 * --expose-gc nor an open inspector port. A Node built without the inspector
 * simply never relieves.
 */

import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';

export interface MemoryReliefOptions {
  /** How often the node looks at its memory and its event loop (default 2 s). */
  readonly intervalMs?: number;
  /** The event loop counts as idle below this utilisation over the last interval (default 0.05). */
  readonly idleUtilization?: number;
  /** Growth of heap + external memory over the floor that calls for a collection (default 16 MiB). */
  readonly growthBytes?: number;
  /** Least time between two collections (default 30 s). */
  readonly minSpacingMs?: number;
}

const DEFAULTS = {
  intervalMs: 2000,
  idleUtilization: 0.05,
  growthBytes: 16 * 2 ** 20,
  minSpacingMs: 30_000,
} as const;

/**
 * When to collect: the floor is the memory just after the last collection
 * (or the lowest seen since), so memory the node really uses, which a
 * collection cannot free, raises the floor instead of calling for a
 * collection at every idle moment.
 */
export class MemoryReliefPolicy {
  private floor: number | null = null;
  private lastReliefMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly growthBytes: number,
    private readonly idleUtilization: number,
    private readonly minSpacingMs: number,
  ) {}

  /** True when a collection should run now. */
  shouldRelieve(nowMs: number, utilization: number, bytes: number): boolean {
    if (this.floor === null || bytes < this.floor) {
      this.floor = bytes;
      return false;
    }
    return (
      bytes - this.floor > this.growthBytes &&
      utilization < this.idleUtilization &&
      nowMs - this.lastReliefMs >= this.minSpacingMs
    );
  }

  /** What a collection left is the new floor. */
  relieved(nowMs: number, bytesAfter: number): void {
    this.floor = bytesAfter;
    this.lastReliefMs = nowMs;
  }
}

export interface MemoryRelief {
  /** Collections run so far. */
  readonly collections: () => number;
  stop(): void;
}

function heapAndExternal(): number {
  const m = process.memoryUsage();
  return m.heapTotal + m.external;
}

export function startIdleMemoryRelief(options: MemoryReliefOptions = {}): MemoryRelief {
  const o = { ...DEFAULTS, ...options };
  const policy = new MemoryReliefPolicy(o.growthBytes, o.idleUtilization, o.minSpacingMs);
  let last = performance.eventLoopUtilization();
  let collections = 0;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    const now = performance.eventLoopUtilization();
    const utilization = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    if (!policy.shouldRelieve(performance.now(), utilization, heapAndExternal())) return;
    running = true;
    collect()
      .then((done) => {
        if (done) collections++;
        policy.relieved(performance.now(), heapAndExternal());
      })
      .finally(() => {
        running = false;
        last = performance.eventLoopUtilization();
      });
  }, o.intervalMs);
  timer.unref();
  return { collections: () => collections, stop: () => clearInterval(timer) };
}

/** One full collection; false where the inspector is unavailable. */
async function collect(): Promise<boolean> {
  const session = new Session();
  try {
    session.connect();
    await session.post('HeapProfiler.collectGarbage');
    return true;
  } catch {
    return false;
  } finally {
    try {
      session.disconnect();
    } catch {
      // Never connected: nothing to close.
    }
  }
}
