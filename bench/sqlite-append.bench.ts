import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SqliteEventStore } from '../src/infrastructure/eventstore/sqlite/sqlite-event-store.js';
import { type CpuLoad, cpuMeter, describeLoad } from './lib/cpu-load.js';
import { nowMs, percentile } from './lib/stats.js';
import type { Benchmark, BenchRow } from './lib/types.js';

/**
 * Ceiling B: how many durable appends per second the embedded event store
 * acknowledges (WAL, synchronous=FULL, group commit), with no HTTP, no
 * signature and no read model in the way. Each append writes one ~1 KB event
 * to a new stream, as a certification does.
 *
 * Measured twice: with many appends in flight (group commit shares each fsync)
 * and with one at a time (one fsync per append), which is what group commit buys.
 */

const EVENT_BYTES = 1024;

function makeEvent(): { type: string; data: { recordDigest: string; padding: string } } {
  const recordDigest = randomBytes(32).toString('hex');
  // {"recordDigest":"…64…","padding":"…"} is 37 bytes + 64 + padding.
  return { type: 'BenchAppended', data: { recordDigest, padding: 'x'.repeat(EVENT_BYTES - 37 - 64) } };
}

interface Phase {
  appends: number;
  commits: number;
  elapsedMs: number;
  p50Ms: number;
  p99Ms: number;
  load: CpuLoad | null;
}

async function phase(
  store: SqliteEventStore,
  inFlight: number,
  durationMs: number,
  prefix: string,
): Promise<Phase> {
  const event = makeEvent();
  const latencies: number[] = [];
  let sequence = 0;
  const before = store.stats();
  const meter = cpuMeter();
  const start = nowMs();
  const deadline = start + durationMs;
  const appender = async () => {
    while (nowMs() < deadline) {
      const t0 = nowMs();
      await store.append(`${prefix}-${sequence++}`, [event], 'no_stream');
      latencies.push(nowMs() - t0);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, appender));
  const elapsedMs = nowMs() - start;
  const load = meter.stop();
  const after = store.stats();
  return {
    appends: after.appends - before.appends,
    commits: after.commits - before.commits,
    elapsedMs,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    load,
  };
}

function describe(p: Phase): string {
  const commitsPerSecond = p.commits / (p.elapsedMs / 1000);
  return (
    `${Math.round(commitsPerSecond).toLocaleString('en-US')} commits/s, ${(p.appends / p.commits).toFixed(1)} appends/commit, ` +
    `p50 ${p.p50Ms.toFixed(2)} ms, p99 ${p.p99Ms.toFixed(2)} ms; ${describeLoad(p.load)}`
  );
}

function extra(p: Phase): Record<string, number | null> {
  return {
    appends: p.appends,
    commits: p.commits,
    elapsedMs: p.elapsedMs,
    appendsPerCommit: p.appends / p.commits,
    p50Ms: p.p50Ms,
    p99Ms: p.p99Ms,
    backgroundCores: p.load?.backgroundCores ?? null,
  };
}

export const benchmark: Benchmark = {
  name: 'sqlite-append',
  order: 20,
  description: 'Ceiling B: durable appends/s of the sqlite event store (WAL, synchronous=FULL, group commit)',
  async run(ctx) {
    const inFlight = Number(process.env['BENCH_APPENDERS'] ?? 64);
    const store = new SqliteEventStore({ path: join(ctx.tmpDir, 'events.db') });
    ctx.onCleanup(() => store.close());
    const pragmas = store.pragmas();
    if (pragmas.journalMode !== 'wal' || pragmas.synchronous !== 'FULL') {
      throw new Error(`expected WAL + synchronous=FULL, got ${pragmas.journalMode} + ${pragmas.synchronous}`);
    }

    const groupMs = Math.max(1000, 4000 * ctx.scale);
    const serialMs = Math.max(1000, 2500 * ctx.scale);
    await phase(store, inFlight, Math.max(200, 500 * ctx.scale), 'warmup');
    ctx.log(`${inFlight} appenders in flight, ${(groupMs / 1000).toFixed(1)} s`);
    const group = await phase(store, inFlight, groupMs, 'group');
    ctx.log(`1 appender, ${(serialMs / 1000).toFixed(1)} s`);
    const serial = await phase(store, 1, serialMs, 'serial');

    const groupRate = group.appends / (group.elapsedMs / 1000);
    const serialRate = serial.appends / (serial.elapsedMs / 1000);
    const rows: BenchRow[] = [
      {
        id: 'group-commit',
        metric: `sqlite durable append/s, ${inFlight} in flight`,
        value: groupRate,
        unit: 'append/s',
        baselines: [{ label: '1 in flight', value: serialRate }],
        note: `${EVENT_BYTES} B events; ${describe(group)}`,
        extra: { inFlight, eventBytes: EVENT_BYTES, ...extra(group) },
      },
      {
        id: 'one-at-a-time',
        metric: 'sqlite durable append/s, 1 in flight',
        value: serialRate,
        unit: 'append/s',
        note: `one fsync per append; ${describe(serial)}`,
        extra: { inFlight: 1, eventBytes: EVENT_BYTES, ...extra(serial) },
      },
    ];
    return rows;
  },
};
