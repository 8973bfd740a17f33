import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runCli } from '../../src/cli/run-cli.js';
import { ChanceryClient } from '../../src/client/chancery-client.js';
import { RootAccumulator } from '../../src/domain/log/batch-tree.js';
import { NODE_TREE_HASHER } from '../../src/infrastructure/crypto/node-hashes.js';
import type { Signer } from '../../src/protocol/sign-command.js';
import { mirrorRows } from './bulk-mirror.js';
import { livenessRow, probeLiveness } from './liveness-probe.js';
import { startNodeChild } from './node-child.js';
import { formatNumber, formatRatio, mib, nowMs } from './stats.js';
import type { Baseline, BenchContext, BenchRow } from './types.js';

/**
 * Bulk certification from a digest manifest (what a registry exports from its
 * database), on a node of its own so its peak RSS is this path's alone:
 *
 *  - baseline: SHA-256 of every record plus the RFC 6962 root over the
 *    digests through node:crypto, in memory, in this process: raw hashing and
 *    tree building, the least any implementation does;
 *  - node: the streamed upload (POST /v1/certifications/batches/stream) of
 *    the precomputed digests, from the request to the 201 (root check,
 *    durable append, every record projected);
 *  - end to end: `chancery certify-bulk --digests export.csv` → receipts.
 */

export interface ManifestRun {
  readonly count: number;
  readonly recordBytes: (i: number) => Buffer;
  readonly setUpIssuer: (
    node: { url: string; authorityId: string; authorityKeyFile: string },
    keyFile: string,
  ) => Promise<Signer>;
  readonly recordType: string;
  /** Also replicate the log, batch included, to a mirror-witness (bulk-mirror.ts) before the end-to-end run. */
  readonly mirror?: boolean;
}

/** SHA-256 of every record and the RFC 6962 root over them; the packed digests and the time it took. */
function hashAndRoot(run: ManifestRun): { packed: Buffer; root: string; ms: number } {
  const started = nowMs();
  const packed = Buffer.allocUnsafe(run.count * 32);
  const tree = new RootAccumulator(NODE_TREE_HASHER);
  for (let i = 0; i < run.count; i++) {
    const digest = createHash('sha256').update(run.recordBytes(i)).digest();
    digest.copy(packed, i * 32);
    tree.add(NODE_TREE_HASHER.leafHash(digest));
  }
  const root = Buffer.from(tree.root()).toString('hex');
  return { packed, root, ms: nowMs() - started };
}

async function writeCsvManifest(file: string, packed: Buffer, count: number): Promise<void> {
  const out = createWriteStream(file);
  let chunk = 'id,digest\n';
  for (let i = 0; i < count; i++) {
    chunk += `R-${i},${packed.toString('hex', i * 32, i * 32 + 32)}\n`;
    if (chunk.length < 1 << 20) continue;
    const flushed = out.write(chunk);
    chunk = '';
    if (!flushed) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end(chunk, () => resolve()).once('error', reject));
}

/** This process's CPU profiler (the CLI runs here): stop() writes what ran in between to `file`. */
async function profileThisProcess(): Promise<{ stop(file: string): Promise<void> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      writeFileSync(file, JSON.stringify(profile));
    },
  };
}

const silent = () => new Writable({ write: (_c, _e, callback) => callback() });

export async function manifestRows(ctx: BenchContext, run: ManifestRun): Promise<BenchRow[]> {
  const { count } = run;
  const label = count.toLocaleString('en-US');
  ctx.log(`manifest baseline: SHA-256 + RFC 6962 root (node:crypto) over ${label} records`);
  hashAndRoot({ ...run, count: Math.min(count, 5000) });
  const raw = hashAndRoot(run);
  const rawRate = count / (raw.ms / 1000);
  const baselines: Baseline[] = [{ label: 'SHA-256 + RFC 6962 tree', value: rawRate }];

  ctx.log('starting a second node for the streamed uploads');
  const node = await startNodeChild({ repoRoot: ctx.repoRoot, dataDir: join(ctx.tmpDir, 'node-stream') });
  ctx.onCleanup(() => node.stop());
  const keyFile = join(ctx.tmpDir, 'registry.key');
  const issuer = await run.setUpIssuer(node, keyFile);
  const idlePeak = node.peakRssBytes();

  ctx.log(`node only: streamed upload of ${label} precomputed digests`);
  const client = new ChanceryClient(node.url, issuer, 900_000);
  const validFrom = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  // BENCH_CPU_PROF=1: the node's CPU profile of the streamed upload alone (bench/tools/cpuprofile-summary.ts).
  const profile = process.env['BENCH_CPU_PROF'] === '1';
  if (profile) await node.profileStart();
  const cpuBefore = node.cpuSeconds();
  const liveness = probeLiveness(node.url);
  const nodeStarted = nowMs();
  const accepted = await client.certifyBatchStream({
    recordType: run.recordType,
    validFrom,
    batchRoot: raw.root,
    packedDigests: raw.packed,
  });
  const nodeMs = nowMs() - nodeStarted;
  const live = await liveness.stop();
  const cpuAfter = node.cpuSeconds();
  const nodeCpu = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
  const profileDir = join(ctx.repoRoot, '.bench', 'profiles');
  if (profile) {
    mkdirSync(profileDir, { recursive: true });
    const file = join(profileDir, 'bulk-node-stream.cpuprofile');
    await node.profileStop(file);
    ctx.log(`node profile: ${file}`);
  }
  if (accepted.count !== count) throw new Error(`the node accepted ${accepted.count}, not ${count}`);
  const nodePeak = node.peakRssBytes();
  const nodeRate = count / (nodeMs / 1000);

  const mirrored =
    run.mirror === true ? await mirrorRows(ctx, { primary: node, count, primaryRate: nodeRate }) : [];

  const manifest = join(ctx.tmpDir, 'export.csv');
  await writeCsvManifest(manifest, raw.packed, count);
  ctx.log(`end to end: chancery certify-bulk --digests export.csv (${label} lines)`);
  // The CLI runs in this process and the node in its own: their CPU times tell the two sides apart.
  // BENCH_CPU_PROF=1: the node's and the CLI's profiles of the end-to-end run too.
  if (profile) await node.profileStart();
  const cliProfile = profile ? await profileThisProcess() : null;
  const cliCpuBefore = process.cpuUsage();
  const e2eNodeCpuBefore = node.cpuSeconds();
  const e2eStarted = nowMs();
  const code = await runCli(
    [
      'certify-bulk',
      '--digests',
      manifest,
      '--as',
      keyFile,
      '--type',
      run.recordType,
      '--receipts',
      join(ctx.tmpDir, 'receipts-manifest.csv'),
      '--json',
    ],
    { stdout: silent(), stderr: silent(), env: { CHANCERY_URL: node.url } },
  );
  const e2eMs = nowMs() - e2eStarted;
  const cliCpuUsed = process.cpuUsage(cliCpuBefore);
  const cliCpu = (cliCpuUsed.user + cliCpuUsed.system) / 1e6;
  const e2eNodeCpuAfter = node.cpuSeconds();
  const e2eNodeCpu =
    e2eNodeCpuBefore === null || e2eNodeCpuAfter === null ? null : e2eNodeCpuAfter - e2eNodeCpuBefore;
  if (profile) {
    await cliProfile!.stop(join(profileDir, 'bulk-cli-e2e.cpuprofile'));
    await node.profileStop(join(profileDir, 'bulk-node-e2e.cpuprofile'));
    ctx.log(`end-to-end profiles: ${profileDir}/bulk-{cli,node}-e2e.cpuprofile`);
  }
  if (code !== 0) throw new Error(`certify-bulk --digests exited ${code}`);
  const e2eRate = count / (e2eMs / 1000);
  const peakNote = (bytes: number | null) => (bytes === null ? '?' : `${mib(bytes).toFixed(0)} MiB`);

  ctx.headline(
    `from a digest manifest of ${label}: the node takes ${formatNumber(nodeRate)} records/s (${formatRatio(nodeRate / rawRate)} of ` +
      `raw SHA-256 + RFC 6962 tree at ${formatNumber(rawRate)}/s), end to end ${formatNumber(e2eRate)}/s; node peak RSS ${peakNote(nodePeak)}`,
  );
  return [
    {
      id: 'hash-and-root',
      metric: `SHA-256 + RFC 6962 root (node:crypto), ${label} × 1 KiB in memory`,
      value: rawRate,
      unit: 'records/s',
      note: `${(raw.ms / 1000).toFixed(2)} s`,
    },
    {
      id: 'node-stream',
      metric: `node: streamed upload of ${label} digests → durable, every record projected`,
      value: nodeRate,
      unit: 'records/s',
      baselines,
      note:
        `${(nodeMs / 1000).toFixed(2)} s, node CPU ${nodeCpu === null ? '?' : `${nodeCpu.toFixed(2)} s`}; ` +
        `node peak RSS ${peakNote(nodePeak)} (idle ${peakNote(idlePeak)})`,
      extra: {
        seconds: nodeMs / 1000,
        nodeCpuSeconds: nodeCpu,
        nodePeakRssMiB: nodePeak === null ? null : mib(nodePeak),
      },
    },
    livenessRow('node-stream-liveness', 'during that upload', live),
    ...mirrored,
    {
      id: 'end-to-end-manifest',
      metric: `certify-bulk --digests, ${label}-line CSV → receipts`,
      value: e2eRate,
      unit: 'records/s',
      baselines,
      note:
        `${(e2eMs / 1000).toFixed(2)} s; CLI CPU ${cliCpu.toFixed(2)} s, ` +
        `node CPU ${e2eNodeCpu === null ? '?' : `${e2eNodeCpu.toFixed(2)} s`}`,
      extra: { seconds: e2eMs / 1000, cliCpuSeconds: cliCpu, nodeCpuSeconds: e2eNodeCpu },
    },
  ];
}
