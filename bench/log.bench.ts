import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { decodeBase64, parseCheckpoint, parseNote, verifyInclusion } from '../src/domain/log/index.js';
import { type NodeDatabase, openNodeDatabase } from '../src/infrastructure/projections/node-database.js';
import { MerkleHashStore } from '../src/infrastructure/sequencer/merkle-hash-store.js';
import { startNode } from '../src/node/chancery-node.js';
import { resolveNodeConfig } from '../src/node/node-config.js';
import { generateKeyPair } from '../src/protocol/key-pair.js';
import { signCommand } from '../src/protocol/sign-command.js';
import { startFixtureChild } from './lib/fixture-child.js';
import { formatNumber, formatRatio, mib, nowMs, percentile } from './lib/stats.js';
import { type BenchContext, type Benchmark, type BenchRow, scaled } from './lib/types.js';

/**
 * The Merkle log's costs:
 *  - an append (leaf row + stored hashes, in 1000-leaf transactions as the
 *    projector commits them) and an inclusion / consistency proof, at 100k and
 *    at 1M leaves: with the tlog stored-hash layout both must stay flat;
 *  - inclusion proof fetches per second over HTTP from a 1M-leaf log (the
 *    /v1/log routes in a child process, so the load generator does not share
 *    its event loop), with the server's RSS: nothing holds the tree in memory;
 *  - seal latency: from an acknowledged write to the signed checkpoint that
 *    covers it, on a real node with the default 300 ms seal interval.
 *
 * The 1M-leaf tree is built straight through the sequencer's hash store
 * (MerkleHashStore.append, what the sequencer calls per event), not by signing
 * a million commands over HTTP. Leaves are 64 bytes; real leaves (~1 KB) cost
 * one longer SHA-256 and a bigger row, not more hash-store work.
 *
 * Environment: BENCH_LOG_LEAVES (default 1,000,000 × BENCH_SCALE).
 */

const LEAF_BYTES = 64;
const BATCH = 1000;
const HTTP_CONCURRENCY = 16;

/** Small deterministic PRNG, so two runs ask for the same proofs. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

class TreeBuilder {
  private readonly leaf = new Uint8Array(LEAF_BYTES);
  private readonly view = new DataView(this.leaf.buffer);

  constructor(
    private readonly db: NodeDatabase,
    readonly store: MerkleHashStore,
  ) {
    this.leaf.set(randomBytes(LEAF_BYTES));
  }

  /** Appends leaves until the tree has `size`; returns per-append times in µs when asked. */
  growTo(size: number, timed = false): number[] {
    const times: number[] = [];
    while (this.store.size < size) {
      const begin = this.store.size;
      const end = Math.min(size, begin + BATCH);
      const t0 = nowMs();
      this.db.exec('BEGIN');
      for (let n = this.store.size; n < end; n++) {
        this.view.setFloat64(0, n);
        this.store.append(BigInt(n + 1), this.leaf);
      }
      this.db.exec('COMMIT');
      // Per append, commit included: what the projector pays for each event's leaf.
      if (timed) times.push(((nowMs() - t0) * 1000) / (end - begin));
    }
    return times;
  }
}

interface ProofCost {
  readonly size: number;
  readonly appendUs: number;
  readonly appendP99Us: number;
  readonly inclusionUs: number;
  readonly inclusionP99Us: number;
  readonly inclusionReads: number;
  readonly consistencyUs: number;
  readonly consistencyReads: number;
}

function measureAt(builder: TreeBuilder, size: number, appends: number, proofs: number): ProofCost {
  const { store } = builder;
  builder.growTo(size);
  const batchUs = builder.growTo(size + appends, true);
  const treeSize = store.size;
  const next = random(treeSize);
  const inclusion: number[] = [];
  let reads = store.hashReads;
  for (let i = 0; i < proofs; i++) {
    const index = Math.floor(next() * treeSize);
    const t0 = nowMs();
    store.inclusionProof(index, treeSize);
    inclusion.push((nowMs() - t0) * 1000);
  }
  const inclusionReads = (store.hashReads - reads) / proofs;
  reads = store.hashReads;
  const t0 = nowMs();
  for (let i = 0; i < proofs; i++) store.consistencyProof(1 + Math.floor(next() * (treeSize - 1)), treeSize);
  const consistencyUs = ((nowMs() - t0) * 1000) / proofs;
  const consistencyReads = (store.hashReads - reads) / proofs;
  return {
    size: treeSize,
    appendUs: batchUs.reduce((a, b) => a + b, 0) / batchUs.length,
    appendP99Us: percentile(batchUs, 99),
    inclusionUs: inclusion.reduce((a, b) => a + b, 0) / inclusion.length,
    inclusionP99Us: percentile(inclusion, 99),
    inclusionReads,
    consistencyUs,
    consistencyReads,
  };
}

interface ProofServer {
  readonly url: string;
  readonly pid: number;
  readonly treeSize: number;
  /** Current and peak resident set of the server, bytes (Linux /proc; null elsewhere). */
  rss(): { current: number; peak: number } | null;
  stop(): Promise<void>;
}

async function startProofServer(ctx: BenchContext, dbFile: string): Promise<ProofServer> {
  const child = await startFixtureChild(ctx, 'bench/fixtures/log-proof-server.ts', [dbFile], {
    name: 'proof server',
    startTimeoutMs: 60_000,
  });
  const ready = JSON.parse(child.readyLine) as { url: string; pid: number; treeSize: number };
  return {
    ...ready,
    rss() {
      try {
        const status = readFileSync(`/proc/${ready.pid}/status`, 'utf8');
        const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1]);
        return { current: kib('VmRSS') * 1024, peak: kib('VmHWM') * 1024 };
      } catch {
        return null;
      }
    },
    stop: child.stop,
  };
}

interface FetchLoad {
  readonly ok: number;
  readonly failed: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly sample: { index: number; body: string } | null;
}

/** Closed loop: `concurrency` clients GET random inclusion proofs over keep-alive until the time is up. */
async function fetchProofs(server: ProofServer, concurrency: number, durationMs: number): Promise<FetchLoad> {
  const url = new URL(server.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const next = random(42);
  const latencies: number[] = [];
  let failed = 0;
  let sample: FetchLoad['sample'] = null;
  const get = (index: number) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.get(
        { host: url.hostname, port: url.port, path: `/v1/log/proofs/inclusion?index=${index}`, agent },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (c: Buffer) => chunks.push(c));
          response.once('end', () =>
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
          response.once('error', reject);
        },
      );
      request.once('error', reject);
    });
  const start = nowMs();
  const deadline = start + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (nowMs() < deadline) {
        const index = Math.floor(next() * server.treeSize);
        const t0 = nowMs();
        try {
          const { status, body } = await get(index);
          if (status !== 200) failed++;
          else {
            latencies.push(nowMs() - t0);
            sample ??= { index, body };
          }
        } catch {
          failed++;
        }
      }
    }),
  );
  const elapsed = nowMs() - start;
  agent.destroy();
  return {
    ok: latencies.length,
    failed,
    perSecond: latencies.length / (elapsed / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    sample,
  };
}

interface SealLatency {
  readonly writes: number;
  readonly seals: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly sealIntervalMs: number;
}

/** A real node (default seal interval), writes through app.inject; latency = acknowledged → covered by a published checkpoint. */
async function measureSealLatency(ctx: BenchContext, durationMs: number): Promise<SealLatency> {
  const dataDir = join(ctx.tmpDir, 'seal-node');
  const config = resolveNodeConfig({ dataDir, port: 0, logLevel: 'silent' }, {});
  const node = await startNode(config, { logging: false, listen: false });
  ctx.onCleanup(() => node.close());
  const post = async (url: string, envelope: unknown) => {
    const res = await node.app.inject({ method: 'POST', url, payload: envelope as object });
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return JSON.parse(res.body) as { position: string };
  };
  // A fresh data folder founds its own log, so the authority's key is in it.
  const authority = { actor: node.init.identity.authorityId, keyPair: node.init.authorityKey! };
  const issuerKey = generateKeyPair();
  await post(
    '/v1/identities',
    signCommand(authority, 'RegisterIdentity', {
      identityId: 'SEAL-BENCH',
      name: 'Seal latency',
      roles: ['issuer'],
      publicKeys: [issuerKey.publicKeyBase64],
    }),
  );
  await post(
    '/v1/identities/SEAL-BENCH/accredit',
    signCommand(authority, 'AccreditIdentity', { identityId: 'SEAL-BENCH', recordTypes: ['diploma'] }),
  );
  const issuer = { actor: 'SEAL-BENCH', keyPair: issuerKey };
  const latencies: number[] = [];
  const sealed: Promise<void>[] = [];
  const sealsBefore = node.sealer.stats().sealed;
  const deadline = nowMs() + durationMs;
  let writes = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (nowMs() < deadline) {
        const envelope = signCommand(issuer, 'CertifyRecord', {
          recordDigest: randomBytes(32).toString('hex'),
          recordType: 'diploma',
          validFrom: '2026-01-01T00:00:00Z',
        });
        const { position } = await post('/v1/certifications', envelope);
        const acknowledged = nowMs();
        writes++;
        const leafIndex = node.log.leafIndexForPosition(BigInt(position));
        if (leafIndex === null) throw new Error(`acknowledged write at ${position} has no leaf`);
        sealed.push(
          node.log.waitForSeal(leafIndex, 30_000).then(() => void latencies.push(nowMs() - acknowledged)),
        );
      }
    }),
  );
  await Promise.all(sealed);
  const seals = node.sealer.stats().sealed - sealsBefore;
  await node.close();
  return {
    writes,
    seals,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: percentile(latencies, 100),
    sealIntervalMs: config.sealIntervalMs,
  };
}

function perRead(us: number, reads: number): string {
  return (us / reads).toFixed(2);
}

function leafTarget(scale: number): number {
  const raw = process.env['BENCH_LOG_LEAVES'];
  if (raw === undefined) return scaled(scale, 1_000_000, 20_000);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 20_000)
    throw new Error(`BENCH_LOG_LEAVES must be an integer ≥ 20000, got "${raw}"`);
  return n;
}

export const benchmark: Benchmark = {
  name: 'log',
  order: 40,
  description: 'Merkle log: append and proof cost at 100k vs 1M leaves, proof fetches/s at 1M, seal latency',
  async run(ctx) {
    const big = leafTarget(ctx.scale);
    const small = Math.round(big / 10);
    const appends = scaled(ctx.scale, 20_000, 2000);
    const proofs = scaled(ctx.scale, 20_000, 2000);
    const dbFile = join(ctx.tmpDir, 'node.db');
    const db = openNodeDatabase(dbFile);
    const store = new MerkleHashStore(db);
    store.migrate();
    const builder = new TreeBuilder(db, store);

    ctx.log(`building ${small.toLocaleString('en-US')} leaves`);
    const buildStart = nowMs();
    const atSmall = measureAt(builder, small, appends, proofs);
    ctx.log(
      `at ${formatNumber(atSmall.size)}: append ${atSmall.appendUs.toFixed(1)} µs, inclusion ${atSmall.inclusionUs.toFixed(1)} µs`,
    );
    ctx.log(`building ${big.toLocaleString('en-US')} leaves`);
    const atBig = measureAt(builder, big, appends, proofs);
    const buildSeconds = (nowMs() - buildStart) / 1000;
    ctx.log(
      `at ${formatNumber(atBig.size)}: append ${atBig.appendUs.toFixed(1)} µs, inclusion ${atBig.inclusionUs.toFixed(1)} µs`,
    );
    const builderRss = process.memoryUsage().rss;
    const hashRows = store.storedHashRows();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const dbBytes = statSync(dbFile).size;

    ctx.log('serving proofs over HTTP from the 1M-leaf file');
    const server = await startProofServer(ctx, dbFile);
    const warm = await fetchProofs(server, HTTP_CONCURRENCY, 500);
    if (warm.ok === 0) throw new Error('no proof fetch succeeded');
    const load = await fetchProofs(server, HTTP_CONCURRENCY, Math.max(2000, 8000 * ctx.scale));
    const rss = server.rss();
    await server.stop();
    // The figure is only worth something if the proofs are right.
    if (load.sample === null) throw new Error('no proof fetch succeeded');
    const sample = JSON.parse(load.sample.body) as {
      leafHash: string;
      proof: string[];
      treeSize: number;
      checkpoint: string;
    };
    verifyInclusion(
      load.sample.index,
      sample.treeSize,
      decodeBase64(sample.leafHash)!,
      sample.proof.map((h) => decodeBase64(h)!),
      parseCheckpoint(parseNote(sample.checkpoint).text).rootHash,
    );

    ctx.log('seal latency on a real node (default interval)');
    const seal = await measureSealLatency(ctx, Math.max(3000, 8000 * ctx.scale));

    const flat = (label: string, value: number) => [{ label, value }];
    const sizeLabel = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${Math.round(n / 1000)}k`);
    const S = sizeLabel(small);
    const B = sizeLabel(big);
    const rows: BenchRow[] = [
      {
        id: 'build',
        metric: `build ${B} leaves through the hash store`,
        value: atBig.size / buildSeconds,
        unit: 'leaf/s',
        note: `${buildSeconds.toFixed(1)} s (incl. measurements); ${formatNumber(hashRows)} hash rows; node.db ${mib(dbBytes).toFixed(0)} MiB; builder RSS ${mib(builderRss).toFixed(0)} MiB`,
        extra: { leaves: atBig.size, hashRows, dbBytes, builderRssBytes: builderRss },
      },
      {
        id: 'append-small',
        metric: `append at ${S}`,
        value: atSmall.appendUs,
        unit: 'µs',
        note: `p99 of ${BATCH}-leaf batches ${atSmall.appendP99Us.toFixed(1)} µs/leaf, commit included`,
      },
      {
        id: 'append-big',
        metric: `append at ${B}`,
        value: atBig.appendUs,
        unit: 'µs',
        baselines: flat(`append at ${S}`, atSmall.appendUs),
        note: `p99 of ${BATCH}-leaf batches ${atBig.appendP99Us.toFixed(1)} µs/leaf; flat means O(1) amortised`,
      },
      {
        id: 'inclusion-small',
        metric: `inclusion proof at ${S} (in process)`,
        value: atSmall.inclusionUs,
        unit: 'µs',
        note: `p99 ${atSmall.inclusionP99Us.toFixed(1)} µs; ${atSmall.inclusionReads.toFixed(1)} hash reads/proof, ${perRead(atSmall.inclusionUs, atSmall.inclusionReads)} µs per read`,
      },
      {
        id: 'inclusion-big',
        metric: `inclusion proof at ${B} (in process)`,
        value: atBig.inclusionUs,
        unit: 'µs',
        baselines: flat(`proof at ${S}`, atSmall.inclusionUs),
        note: `p99 ${atBig.inclusionP99Us.toFixed(1)} µs; ${atBig.inclusionReads.toFixed(1)} hash reads/proof, ${perRead(atBig.inclusionUs, atBig.inclusionReads)} µs per read (a proof is O(log n) reads: log2 n grows ${(Math.log2(big) / Math.log2(small)).toFixed(2)}×)`,
      },
      {
        id: 'consistency-small',
        metric: `consistency proof at ${S} (in process)`,
        value: atSmall.consistencyUs,
        unit: 'µs',
        note: `${atSmall.consistencyReads.toFixed(1)} hash reads/proof, ${perRead(atSmall.consistencyUs, atSmall.consistencyReads)} µs per read`,
      },
      {
        id: 'consistency-big',
        metric: `consistency proof at ${B} (in process)`,
        value: atBig.consistencyUs,
        unit: 'µs',
        baselines: flat(`proof at ${S}`, atSmall.consistencyUs),
        note: `${atBig.consistencyReads.toFixed(1)} hash reads/proof, ${perRead(atBig.consistencyUs, atBig.consistencyReads)} µs per read`,
      },
      {
        id: 'http-proofs',
        metric: `inclusion proof fetches over HTTP at ${B}, C=${HTTP_CONCURRENCY}`,
        value: load.perSecond,
        unit: 'proof/s',
        baselines: flat('in-process proofs/s', 1e6 / atBig.inclusionUs),
        note:
          `p50 ${load.p50Ms.toFixed(2)} ms, p99 ${load.p99Ms.toFixed(2)} ms; ${load.ok.toLocaleString('en-US')} ok, ${load.failed} failed; ` +
          (rss === null
            ? 'server RSS n/a'
            : `server RSS ${mib(rss.current).toFixed(0)} MiB (peak ${mib(rss.peak).toFixed(0)})`),
        extra: {
          p50Ms: load.p50Ms,
          p99Ms: load.p99Ms,
          ok: load.ok,
          failed: load.failed,
          serverRssBytes: rss?.current ?? null,
          serverPeakRssBytes: rss?.peak ?? null,
        },
      },
      {
        id: 'seal-p50',
        metric: 'seal latency p50 (ack → signed checkpoint)',
        value: seal.p50Ms,
        unit: 'ms',
        baselines: flat('seal interval', seal.sealIntervalMs),
        note: `${seal.writes.toLocaleString('en-US')} writes, ${seal.seals} checkpoints, 8 writers in process`,
      },
      {
        id: 'seal-p99',
        metric: 'seal latency p99 (ack → signed checkpoint)',
        value: seal.p99Ms,
        unit: 'ms',
        baselines: flat('seal interval', seal.sealIntervalMs),
        note: `max ${seal.maxMs.toFixed(0)} ms`,
      },
    ];
    ctx.headline(
      `proof fetches at ${B}: ${formatNumber(load.perSecond)}/s, p99 ${load.p99Ms.toFixed(2)} ms, server RSS ` +
        (rss === null ? 'n/a' : `${mib(rss.current).toFixed(0)} MiB`),
    );
    ctx.headline(
      `${B} vs ${S}: append ${formatRatio(atBig.appendUs / atSmall.appendUs)}, inclusion proof ${formatRatio(atBig.inclusionUs / atSmall.inclusionUs)}, ` +
        `consistency proof ${formatRatio(atBig.consistencyUs / atSmall.consistencyUs)}; ` +
        `per hash read: inclusion ${formatRatio(atBig.inclusionUs / atBig.inclusionReads / (atSmall.inclusionUs / atSmall.inclusionReads))}, ` +
        `consistency ${formatRatio(atBig.consistencyUs / atBig.consistencyReads / (atSmall.consistencyUs / atSmall.consistencyReads))} (flat = 1.00×)`,
    );
    ctx.headline(
      `seal latency p50 ${seal.p50Ms.toFixed(0)} ms, p99 ${seal.p99Ms.toFixed(0)} ms (seal interval ${seal.sealIntervalMs} ms)`,
    );
    return rows;
  },
};
