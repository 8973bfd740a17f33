/**
 * The log at ten million entries, read as C2SP tlog-tiles:
 *  - append cost at 1M and at the largest size built (10M by default): the
 *    stored-hash layout should keep it flat (goal: ratio ≤ 1.3);
 *  - full-tile GETs per second (random level-0 tiles, so the tile cache
 *    mostly misses) against a plain Fastify static-file GET of an 8 KiB file
 *    from disk (@fastify/static), in the same server process and run (goal ≥ 0.5×);
 *  - inclusion proof p99 over HTTP at the largest size (goal ≤ 5 ms), beside
 *    the static-file GET's p99;
 *  - the server's RSS at 1M and at the largest size (goal ≤ 250 MB, flat);
 *  - disk bytes per entry (leaf rows, stored hashes, indexes) beside the leaf's own bytes.
 *
 * The tree is built straight through the sequencer's hash store, as in
 * bench/log.bench.ts, with 64-byte leaves; real leaves (~1 KB of JSON) add
 * their bytes to the disk figure, not hash-store work. The build stops at
 * BENCH_TILES_BUILD_SECONDS (default 300) even short of the target, and the
 * rows then say which size was reached.
 *
 * Environment: BENCH_TILES_LEAVES (default 10,000,000 × BENCH_SCALE, at least
 * 200,000), BENCH_TILES_BUILD_SECONDS.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatTileIndex } from '../src/domain/log/tiles-path.js';
import { type NodeDatabase, openNodeDatabase } from '../src/infrastructure/projections/node-database.js';
import { MerkleHashStore } from '../src/infrastructure/sequencer/merkle-hash-store.js';
import { formatNumber, mib, nowMs } from './lib/stats.js';
import { type BenchContext, type Benchmark, type BenchRow, scaled } from './lib/types.js';
import { type GetLoad, loadGets, startTilesServer, type TilesServer } from './tiles-server-child.js';

const LEAF_BYTES = 64;
const BATCH = 1000;
const CONCURRENCY = 16;
const APPEND_WINDOW = 20_000;
/**
 * Append cost is the median of this many windows, measured back to back. The
 * first windows after a long build run high while the WAL checkpointer
 * catches up (fifteen in a row at 10M: 8.0 and 8.3 µs, then 7.1–7.8; at 1M
 * 6.8–8.0), and the one window this took before once gave 1.41×.
 */
const APPEND_WINDOWS = 5;

interface AppendCost {
  /** µs per append: the median window, and the fastest and slowest. */
  readonly median: number;
  readonly low: number;
  readonly high: number;
}

/** Small deterministic PRNG, so two runs ask for the same tiles and proofs. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function envNumber(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

class Builder {
  private readonly leaf = randomBytes(LEAF_BYTES);

  constructor(
    private readonly db: NodeDatabase,
    readonly store: MerkleHashStore,
  ) {}

  /** Appends in 1000-leaf transactions until `size` or the deadline; returns µs per append. */
  growTo(size: number, deadline = Number.POSITIVE_INFINITY): number {
    const start = this.store.size;
    const t0 = nowMs();
    while (this.store.size < size && nowMs() < deadline) {
      const end = Math.min(size, this.store.size + BATCH);
      this.db.exec('BEGIN');
      for (let n = this.store.size; n < end; n++) {
        this.leaf.writeDoubleBE(n, 0);
        this.store.append(BigInt(n + 1), this.leaf);
      }
      this.db.exec('COMMIT');
    }
    return ((nowMs() - t0) * 1000) / Math.max(1, this.store.size - start);
  }

  /** APPEND_WINDOWS windows of APPEND_WINDOW appends each. */
  measureAppends(): AppendCost {
    const windows: number[] = [];
    for (let i = 0; i < APPEND_WINDOWS; i++) windows.push(this.growTo(this.store.size + APPEND_WINDOW));
    windows.sort((a, b) => a - b);
    return { median: windows[windows.length >> 1]!, low: windows[0]!, high: windows.at(-1)! };
  }
}

const APPENDS_MEASURED = APPEND_WINDOWS * APPEND_WINDOW;
const appendRange = (cost: AppendCost) => `windows ${cost.low.toFixed(2)}–${cost.high.toFixed(2)} µs`;

interface Served {
  readonly size: number;
  readonly staticGets: GetLoad;
  readonly tileGets: GetLoad;
  readonly proofs: GetLoad;
  /** One client at a time: the latency of a request the server is not queueing behind others. */
  readonly staticAlone: GetLoad;
  readonly proofsAlone: GetLoad;
  readonly idleRss: number;
  readonly rss: { current: number; peak: number };
}

function randomTilePath(treeSize: number, next: () => number): string {
  const fullTiles = Math.floor(treeSize / 256);
  return `/tile/0/${formatTileIndex(Math.floor(next() * fullTiles))}`;
}

async function measureServed(ctx: BenchContext, server: TilesServer, seconds: number): Promise<Served> {
  const idleRss = server.rss().current;
  const ms = seconds * 1000;
  const next = random(server.treeSize);
  await loadGets(server.url, () => '/static/tile.bin', CONCURRENCY, 500);
  const staticGets = await loadGets(server.url, () => '/static/tile.bin', CONCURRENCY, ms);
  ctx.log(`static 8 KiB GET: ${formatNumber(staticGets.perSecond)}/s`);
  const tileGets = await loadGets(server.url, () => randomTilePath(server.treeSize, next), CONCURRENCY, ms);
  ctx.log(`full tile GET: ${formatNumber(tileGets.perSecond)}/s`);
  const proofPath = () => `/v1/log/proofs/inclusion?index=${Math.floor(next() * server.treeSize)}`;
  const proofs = await loadGets(server.url, proofPath, CONCURRENCY, ms);
  ctx.log(`inclusion proof: ${formatNumber(proofs.perSecond)}/s, p99 ${proofs.p99Ms.toFixed(2)} ms`);
  // With sixteen clients on the same two cores, every p99 is mostly queueing (a static GET's too); one
  // client at a time shows what a citizen's single request waits for.
  const staticAlone = await loadGets(server.url, () => '/static/tile.bin', 1, ms / 2);
  const proofsAlone = await loadGets(server.url, proofPath, 1, ms / 2);
  ctx.log(
    `one client: static p99 ${staticAlone.p99Ms.toFixed(2)} ms, proof p99 ${proofsAlone.p99Ms.toFixed(2)} ms`,
  );
  for (const load of [staticGets, tileGets, proofs, staticAlone, proofsAlone]) {
    if (load.ok === 0 || load.failed > 0)
      throw new Error(`a load had ${load.failed} failures, ${load.ok} ok`);
  }
  return {
    size: server.treeSize,
    staticGets,
    tileGets,
    proofs,
    staticAlone,
    proofsAlone,
    idleRss,
    rss: server.rss(),
  };
}

async function serveAndMeasure(ctx: BenchContext, dbFile: string, staticDir: string, seconds: number) {
  const server = await startTilesServer(ctx, dbFile, staticDir);
  try {
    return await measureServed(ctx, server, seconds);
  } finally {
    await server.stop();
  }
}

const sizeLabel = (n: number) =>
  n >= 1_000_000 ? `${(n / 1_000_000).toFixed(n % 1_000_000 ? 1 : 0)}M` : `${Math.round(n / 1000)}k`;

function rows(
  mid: { size: number; append: AppendCost; served: Served },
  big: {
    size: number;
    append: AppendCost;
    served: Served;
    target: number;
    buildSeconds: number;
    dbBytes: number;
  },
): BenchRow[] {
  const M = sizeLabel(mid.size);
  const B = sizeLabel(big.size);
  const reached =
    big.size >= big.target ? '' : ` (target ${sizeLabel(big.target)} not reached within the build budget)`;
  const s = big.served;
  return [
    {
      id: 'build',
      metric: `build ${B} leaves through the hash store${reached}`,
      value: big.size / big.buildSeconds,
      unit: 'leaf/s',
      note: `${big.buildSeconds.toFixed(0)} s`,
    },
    {
      id: 'append-mid',
      metric: `append at ${M}`,
      value: mid.append.median,
      unit: 'µs',
      note: `median of ${APPEND_WINDOWS} windows of ${formatNumber(APPEND_WINDOW)} appends in ${BATCH}-leaf transactions, commit included (${appendRange(mid.append)})`,
    },
    {
      id: 'append-big',
      metric: `append at ${B}`,
      value: big.append.median,
      unit: 'µs',
      baselines: [{ label: `append at ${M}`, value: mid.append.median }],
      note: `goal: ratio ≤ 1.3; ${appendRange(big.append)}`,
    },
    {
      id: 'tile-gets',
      metric: `full tile GET/s at ${B} (random level-0 tiles)`,
      value: s.tileGets.perSecond,
      unit: 'GET/s',
      baselines: [{ label: 'Fastify static 8 KiB file GET', value: s.staticGets.perSecond }],
      note: `goal ≥ 0.5×; C=${CONCURRENCY}; tile p99 ${s.tileGets.p99Ms.toFixed(2)} ms, static p99 ${s.staticGets.p99Ms.toFixed(2)} ms`,
    },
    {
      id: 'proof-p99',
      metric: `inclusion proof p99 over HTTP at ${B}`,
      value: s.proofs.p99Ms,
      unit: 'ms',
      baselines: [{ label: 'static GET p99', value: s.staticGets.p99Ms }],
      note: `goal ≤ 5 ms; ${formatNumber(s.proofs.perSecond)} proofs/s, p50 ${s.proofs.p50Ms.toFixed(2)} ms, C=${CONCURRENCY}`,
    },
    {
      id: 'proof-p99-alone',
      metric: `inclusion proof p99 over HTTP at ${B}, one client at a time`,
      value: s.proofsAlone.p99Ms,
      unit: 'ms',
      baselines: [{ label: 'static GET p99, one client', value: s.staticAlone.p99Ms }],
      note: `goal ≤ 5 ms; p50 ${s.proofsAlone.p50Ms.toFixed(2)} ms over ${formatNumber(s.proofsAlone.ok)} proofs (static p50 ${s.staticAlone.p50Ms.toFixed(2)} ms)`,
    },
    {
      id: 'rss-big',
      metric: `server RSS after the loads at ${B}`,
      value: mib(s.rss.current),
      unit: 'MiB',
      baselines: [{ label: `same at ${M}`, value: mib(mid.served.rss.current) }],
      note: `goal ≤ 250 MB, flat; peak ${mib(s.rss.peak).toFixed(0)} MiB; idle at start ${mib(s.idleRss).toFixed(0)} MiB`,
    },
    {
      id: 'disk-per-entry',
      metric: `disk bytes per entry at ${B} (node.db, WAL checkpointed)`,
      value: big.dbBytes / big.size,
      unit: 'B',
      baselines: [{ label: 'leaf bytes', value: LEAF_BYTES }],
      note: `node.db ${mib(big.dbBytes).toFixed(0)} MiB; leaf row + ~2 stored hashes + indexes`,
    },
  ];
}

export const benchmark: Benchmark = {
  name: 'tiles',
  order: 45,
  description:
    'tlog-tiles at 10M entries: append 1M vs 10M, tile GETs vs static GETs, proof p99, RSS, disk per entry',
  async run(ctx) {
    const target = envNumber('BENCH_TILES_LEAVES', scaled(ctx.scale, 10_000_000, 200_000), 200_000);
    const budget = envNumber('BENCH_TILES_BUILD_SECONDS', 300, 10);
    const midSize = Math.min(1_000_000, Math.floor(target / 10));
    const seconds = Math.max(2, 6 * ctx.scale);
    const staticDir = join(ctx.tmpDir, 'static');
    mkdirSync(staticDir);
    writeFileSync(join(staticDir, 'tile.bin'), randomBytes(8192));
    const dbFile = join(ctx.tmpDir, 'node.db');
    const db = openNodeDatabase(dbFile);
    const store = new MerkleHashStore(db);
    store.migrate();
    const builder = new Builder(db, store);
    const buildStart = nowMs();
    ctx.log(`building ${formatNumber(midSize)} leaves`);
    builder.growTo(midSize - APPENDS_MEASURED);
    const midAppend = builder.measureAppends();
    ctx.log(`at ${formatNumber(store.size)}: append ${midAppend.median.toFixed(1)} µs; serving`);
    const midServed = await serveAndMeasure(ctx, dbFile, staticDir, Math.max(1, seconds / 3));
    const deadline = buildStart + budget * 1000;
    ctx.log(`building up to ${formatNumber(target)} leaves (budget ${budget} s)`);
    builder.growTo(target - APPENDS_MEASURED, deadline);
    const bigAppend = builder.measureAppends();
    const buildSeconds = (nowMs() - buildStart) / 1000;
    ctx.log(`at ${formatNumber(store.size)}: append ${bigAppend.median.toFixed(1)} µs; serving`);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const size = store.size;
    db.close();
    const dbBytes = statSync(dbFile).size;
    const bigServed = await serveAndMeasure(ctx, dbFile, staticDir, seconds);
    const mid = { size: midServed.size, append: midAppend, served: midServed };
    const out = rows(mid, { size, append: bigAppend, served: bigServed, target, buildSeconds, dbBytes });
    const tile = out.find((r) => r.id === 'tile-gets')!;
    ctx.headline(
      `full tile GET ${(tile.value / tile.baselines![0]!.value).toFixed(2)}× a static-file GET at ${sizeLabel(size)}; proof p99 ${bigServed.proofs.p99Ms.toFixed(2)} ms; RSS ${mib(bigServed.rss.current).toFixed(0)} MiB`,
    );
    return out;
  },
};
