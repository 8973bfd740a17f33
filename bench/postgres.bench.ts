import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import type { RecordedEvent } from '../src/infrastructure/eventstore/port.js';
import { PostgresEventStore } from '../src/infrastructure/eventstore/postgres/postgres-event-store.js';
import { presign, setUpIssuer } from './lib/certify-setup.js';
import { type CpuLoad, cpuMeter, describeLoad } from './lib/cpu-load.js';
import { runLoad } from './lib/http-load.js';
import { startNodeChild } from './lib/node-child.js';
import { PGBENCH_TABLE, postgresCpuSeconds, runPgbench } from './lib/pgbench.js';
import { formatNumber, formatRatio, mib, nowMs, percentile, sleep } from './lib/stats.js';
import type { BenchContext, Benchmark, BenchRow } from './lib/types.js';
import { scaled } from './lib/types.js';

/**
 * The PostgreSQL event store, on the machine's server, in one run:
 *
 *   1. pgbench's simple-insert rate (one ~1 KB row per transaction, 8 and 32
 *      clients, best kept): the baseline;
 *   2. durable appends/s through the adapter (one ~1 KB event to a new stream
 *      each, 64 in flight, group-committed), from one instance and from three
 *      (three API nodes), each with and without the sequencing lock: the
 *      lock's cost. Without it a watcher reading "after the last position I
 *      saw" during the run counts the events it stepped over;
 *   3. certifications/s over HTTP with the node on PostgreSQL, beside the
 *      same node on sqlite.
 *
 * Environment: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres; a role that may
 * CREATE DATABASE: the benchmark works in a database of its own and drops it), BENCH_APPENDERS
 * (appends in flight per instance, default 64), BENCH_PG_CERTIFY_CONCURRENCY (default 64).
 */

const EVENT_BYTES = 1024;
const PGBENCH_CLIENTS = [8, 32];
const TARGET_SHARE_OF_PGBENCH = 0.5;

function payload(): { recordDigest: string; padding: string } {
  // {"recordDigest":"…64…","padding":"…"} is 37 bytes + 64 + padding.
  return { recordDigest: randomBytes(32).toString('hex'), padding: 'x'.repeat(EVENT_BYTES - 37 - 64) };
}

interface AppendPhase {
  readonly instances: number;
  readonly lock: boolean;
  readonly appends: number;
  readonly commits: number;
  readonly elapsedMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Events the watcher stepped over: read "after the last position seen", they were never seen. */
  readonly missedByWatcher: number;
  readonly load: CpuLoad | null;
}

/** `instances` stores on one schema appending for `durationMs`, a watcher reading behind them. */
async function appendPhase(
  url: string,
  schema: string,
  options: { instances: number; lock: boolean; inFlight: number; durationMs: number },
): Promise<AppendPhase> {
  const stores = Array.from(
    { length: options.instances + 1 },
    () => new PostgresEventStore({ url, schema, sequencingLock: options.lock }),
  );
  const watcherStore = stores.pop()!;
  const watched: RecordedEvent[] = [];
  let writing = true;
  let watcher: Promise<void> = Promise.resolve();
  try {
    const start = (await watcherStore.lastPosition()) ?? undefined;
    const event = { type: 'BenchAppended', data: payload() };
    const run = randomBytes(4).toString('hex');
    const latencies: number[] = [];
    let sequence = 0;
    const pgBefore = postgresCpuSeconds();
    const meter = cpuMeter();
    const began = nowMs();
    const deadline = began + options.durationMs;
    watcher = (async () => {
      let after = start;
      while (writing) {
        const page = await watcherStore.readAll({ after });
        watched.push(...page);
        after = page.at(-1)?.position ?? after;
        // A subscriber's pace (a read every millisecond or so), not a busy loop taking CPU from the writers.
        await sleep(1);
      }
    })();
    await Promise.all(
      stores.flatMap((store, s) =>
        Array.from({ length: options.inFlight }, async () => {
          while (nowMs() < deadline) {
            const t0 = nowMs();
            await store.append(`${run}-${s}-${sequence++}`, [event], 'no_stream');
            latencies.push(nowMs() - t0);
          }
        }),
      ),
    );
    const elapsedMs = nowMs() - began;
    writing = false;
    await watcher;
    const load = meter.stop(postgresCpuSeconds() - pgBefore);
    const all = await readAllAfter(watcherStore, start);
    const seen = new Set(watched.map((e) => e.position));
    const lastSeen = watched.at(-1)?.position ?? -1n;
    return {
      instances: options.instances,
      lock: options.lock,
      appends: stores.reduce((sum, store) => sum + store.stats().appends, 0),
      commits: stores.reduce((sum, store) => sum + store.stats().commits, 0),
      elapsedMs,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      missedByWatcher: all.filter((e) => e.position <= lastSeen && !seen.has(e.position)).length,
      load,
    };
  } finally {
    writing = false;
    await watcher.catch(() => undefined);
    await Promise.allSettled([...stores, watcherStore].map((store) => store.close()));
  }
}

async function readAllAfter(store: PostgresEventStore, start: bigint | undefined): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readAll({ after: all.at(-1)?.position ?? start });
    if (page.length === 0) return all;
    all.push(...page);
  }
}

const rate = (p: AppendPhase) => p.appends / (p.elapsedMs / 1000);

function appendRow(p: AppendPhase, baselines: BenchRow['baselines']): BenchRow {
  return {
    id: `append-${p.instances}${p.lock ? '' : '-unlocked'}`,
    metric: `postgres durable append/s, ${p.instances} instance${p.instances > 1 ? 's' : ''}${p.lock ? '' : ', NO sequencing lock'}`,
    value: rate(p),
    unit: 'append/s',
    baselines,
    note:
      `${EVENT_BYTES} B events; ${(p.appends / p.commits).toFixed(1)} appends/commit, p50 ${p.p50Ms.toFixed(1)} ms, ` +
      `p99 ${p.p99Ms.toFixed(1)} ms; watcher missed ${p.missedByWatcher}; ${describeLoad(p.load)} (postgres counted as ours)`,
    extra: {
      instances: p.instances,
      lock: p.lock,
      appends: p.appends,
      commits: p.commits,
      elapsedMs: p.elapsedMs,
      p50Ms: p.p50Ms,
      p99Ms: p.p99Ms,
      missedByWatcher: p.missedByWatcher,
      backgroundCores: p.load?.backgroundCores ?? null,
    },
  };
}

/** Makes the schema, then (for the unlocked variant) drops the trigger that takes the lock on insert. */
async function prepareSchema(url: string, schema: string, lock: boolean): Promise<void> {
  const store = new PostgresEventStore({ url, schema });
  try {
    await store.lastPosition();
    const durability = await store.durability();
    if (durability.fsync !== 'on' || durability.synchronousCommit === 'off') {
      throw new Error(
        `not durable: fsync=${durability.fsync}, synchronous_commit=${durability.synchronousCommit}`,
      );
    }
  } finally {
    await store.close();
  }
  if (!lock) await sql(url, `DROP TRIGGER events_take_sequencing_lock ON ${schema}.events`);
}

async function sql(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function certifyOn(
  ctx: BenchContext,
  store: 'sqlite' | 'postgres',
  env: Record<string, string>,
  concurrency: number,
): Promise<BenchRow> {
  const node = await startNodeChild({
    repoRoot: ctx.repoRoot,
    dataDir: join(ctx.tmpDir, `certify-${store}`),
    env,
  });
  ctx.onCleanup(() => node.stop());
  try {
    const issuer = await setUpIssuer(node);
    const count = scaled(ctx.scale, 15_000, 500);
    const warmup = presign(issuer, scaled(ctx.scale, 1500, 200));
    const bodies = presign(issuer, count);
    const common = { url: `${node.url}/v1/certifications`, expectStatus: 201, client: 'http' } as const;
    await runLoad({
      ...common,
      bodies: warmup,
      concurrency: Math.min(concurrency, 32),
      maxDurationMs: 30_000,
    });
    const pgBefore = postgresCpuSeconds();
    const cpuBefore = node.cpuSeconds();
    const meter = cpuMeter();
    const load = await runLoad({
      ...common,
      bodies,
      concurrency,
      maxDurationMs: Math.max(2000, 12_000 * ctx.scale),
    });
    const nodeCpu = (node.cpuSeconds() ?? 0) - (cpuBefore ?? 0);
    const background = meter.stop(nodeCpu + postgresCpuSeconds() - pgBefore);
    if (load.ok === 0)
      throw new Error(`certify on ${store}: nothing succeeded: ${load.failures.join(' | ')}`);
    const rss = node.peakRssBytes();
    return {
      id: `certify-${store}`,
      metric: `certify/s on ${store}, C=${concurrency}`,
      value: load.perSecond,
      unit: 'cert/s',
      note:
        `p50 ${load.p50Ms.toFixed(1)} ms, p99 ${load.p99Ms.toFixed(1)} ms; node peak RSS ${rss === null ? 'n/a' : `${mib(rss).toFixed(0)} MiB`}; ` +
        `node CPU ${(nodeCpu / (load.elapsedMs / 1000)).toFixed(2)} cores; ${load.ok.toLocaleString('en-US')} ok` +
        `${load.failed > 0 ? `, ${load.failed} FAILED: ${load.failures[0]}` : ''}; ${describeLoad(background)}`,
      extra: {
        concurrency,
        ok: load.ok,
        failed: load.failed,
        p50Ms: load.p50Ms,
        p99Ms: load.p99Ms,
        nodePeakRssBytes: rss,
        backgroundCores: background?.backgroundCores ?? null,
      },
    };
  } finally {
    await node.stop();
  }
}

export const benchmark: Benchmark = {
  name: 'postgres',
  order: 35,
  description:
    "PostgreSQL event store: durable appends/s vs pgbench simple-insert on the same server, the sequencing lock's cost, certify/s vs sqlite",
  async run(ctx) {
    const adminUrl = process.env['BENCH_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const database = `chancery_bench_${randomBytes(4).toString('hex')}`;
    await sql(adminUrl, `CREATE DATABASE ${database}`);
    ctx.onCleanup(() => sql(adminUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    const dbUrl = url.toString();
    const rows: BenchRow[] = [];

    const pgbench = await pgbenchBaseline(ctx, dbUrl);
    rows.push(...pgbench.rows);
    const appends = await appendPhases(ctx, dbUrl, pgbench.best);
    rows.push(...appends.rows);

    const concurrency = Number(process.env['BENCH_PG_CERTIFY_CONCURRENCY'] ?? 64);
    ctx.log(`certify on sqlite, C=${concurrency}`);
    const sqlite = await certifyOn(ctx, 'sqlite', { CHANCERY_STORE: 'sqlite' }, concurrency);
    ctx.log(`certify on postgres, C=${concurrency}`);
    const onPg = await certifyOn(
      ctx,
      'postgres',
      { CHANCERY_STORE: 'postgres', CHANCERY_PG_URL: dbUrl, CHANCERY_PG_SCHEMA: 'certify' },
      concurrency,
    );
    rows.push(sqlite, { ...onPg, baselines: [{ label: 'certify on sqlite', value: sqlite.value }] });

    const one = appends.one;
    const met = rate(one) >= TARGET_SHARE_OF_PGBENCH * pgbench.best;
    ctx.headline(
      `postgres durable append/s = ${formatNumber(rate(one))} → ${formatRatio(rate(one) / pgbench.best)} pgbench simple-insert ` +
        `(${formatNumber(pgbench.best)}/s); target ≥ ${TARGET_SHARE_OF_PGBENCH}× → ${met ? 'MET' : 'NOT MET'}`,
    );
    ctx.headline(
      `sequencing lock: 1 instance ${formatRatio(rate(one) / rate(appends.oneUnlocked))}, 3 instances ` +
        `${formatRatio(rate(appends.three) / rate(appends.threeUnlocked))} of the unlocked rate; ` +
        `without it the watcher missed ${appends.threeUnlocked.missedByWatcher + appends.oneUnlocked.missedByWatcher} events, with it ` +
        `${appends.three.missedByWatcher + one.missedByWatcher}`,
    );
    ctx.headline(
      `certify/s: postgres ${formatNumber(onPg.value)} vs sqlite ${formatNumber(sqlite.value)} → ${formatRatio(onPg.value / sqlite.value)}`,
    );
    return rows;
  },
};

async function pgbenchBaseline(
  ctx: BenchContext,
  dbUrl: string,
): Promise<{ best: number; rows: BenchRow[] }> {
  await sql(dbUrl, PGBENCH_TABLE);
  // At least 3 s: connecting 32 clients alone can take most of a second on a busy machine.
  const seconds = Math.max(3, Math.round(5 * ctx.scale));
  const results = [];
  for (const clients of PGBENCH_CLIENTS) {
    ctx.log(`pgbench simple insert, ${clients} clients, ${seconds} s`);
    const pgBefore = postgresCpuSeconds();
    const meter = cpuMeter();
    const result = await runPgbench({
      url: dbUrl,
      clients,
      seconds,
      payload: JSON.stringify(payload()),
      dir: ctx.tmpDir,
    });
    results.push({ result, load: meter.stop(postgresCpuSeconds() - pgBefore) });
  }
  const best = results.reduce((a, b) => (b.result.tps > a.result.tps ? b : a));
  const rows = results.map(
    ({ result, load }): BenchRow => ({
      id: `pgbench-c${result.clients}`,
      metric: `pgbench simple insert tps, ${result.clients} clients`,
      value: result.tps,
      unit: 'tx/s',
      note: `one ~${EVENT_BYTES} B row per transaction; latency ${result.latencyMs?.toFixed(1) ?? 'n/a'} ms; ${describeLoad(load)} (pgbench and postgres counted as ours only in part)`,
      extra: {
        clients: result.clients,
        transactions: result.transactions,
        backgroundCores: load?.backgroundCores ?? null,
      },
    }),
  );
  rows.push({
    ...rows[results.indexOf(best)]!,
    id: 'pgbench-best',
    metric: 'pgbench simple insert tps, best',
  });
  return { best: best.result.tps, rows };
}

async function appendPhases(ctx: BenchContext, dbUrl: string, pgbench: number) {
  const inFlight = Number(process.env['BENCH_APPENDERS'] ?? 64);
  const durationMs = Math.max(1000, 4000 * ctx.scale);
  await prepareSchema(dbUrl, 'locked', true);
  await prepareSchema(dbUrl, 'unlocked', false);
  const phase = async (instances: number, lock: boolean) => {
    ctx.log(
      `${instances} instance(s) × ${inFlight} in flight, ${lock ? 'with' : 'WITHOUT'} the sequencing lock`,
    );
    return appendPhase(dbUrl, lock ? 'locked' : 'unlocked', { instances, lock, inFlight, durationMs });
  };
  await phase(1, true); // warm-up: connections, plans, the table's first pages
  const one = await phase(1, true);
  const oneUnlocked = await phase(1, false);
  const three = await phase(3, true);
  const threeUnlocked = await phase(3, false);
  const baseline = { label: 'pgbench simple insert', value: pgbench };
  return {
    one,
    oneUnlocked,
    three,
    threeUnlocked,
    rows: [
      appendRow(one, [baseline, { label: '1 instance, no lock', value: rate(oneUnlocked) }]),
      appendRow(three, [baseline, { label: '3 instances, no lock', value: rate(threeUnlocked) }]),
      appendRow(oneUnlocked, [baseline]),
      appendRow(threeUnlocked, [baseline]),
    ],
  };
}
