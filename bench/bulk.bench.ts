import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildBatchTree, DIGEST_SIZE } from '../src/cli/commands/certify-bulk/batch-tree.js';
import { runCli } from '../src/cli/run-cli.js';
import { ChanceryClient } from '../src/client/chancery-client.js';
import { MAX_BATCH_RECORDS } from '../src/domain/certification/events.js';
import { generateKeyPair, readKeyFile, writeKeyFiles } from '../src/protocol/key-pair.js';
import type { Signer } from '../src/protocol/sign-command.js';
import { benchParts } from './lib/bench-parts.js';
import { manifestRows } from './lib/bulk-manifest.js';
import { measureDiskReadCeiling } from './lib/disk-read-ceiling.js';
import { type NodeChild, startNodeChild } from './lib/node-child.js';
import { formatNumber, formatRatio, mib, nowMs } from './lib/stats.js';
import { type Baseline, type BenchContext, type Benchmark, type BenchRow, scaled } from './lib/types.js';

/**
 * Bulk certification, records per second:
 *
 *  - baseline: SHA-256 of every record plus the merkletreejs batch tree over
 *    the digests (src/cli/commands/certify-bulk/batch-tree.ts), in memory,
 *    in this process: the least a client must do before it can sign a batch;
 *  - end to end: `chancery certify-bulk FOLDER` (run in this process, as the
 *    CLI runs it) against a node in a child process: list and hash the files
 *    from disk, build the tree, sign, upload the digests, the node's root
 *    check, the durable append and its projection of every record, then the
 *    receipts file;
 *  - end to end against the disk-read ceiling: the same files listed and read
 *    with certify-bulk's own calls, hashing nothing (bench/lib/disk-read-ceiling.ts),
 *    in the same run: how close certify-bulk gets to reading its input;
 *  - node: the upload alone (digests precomputed), from the request to the
 *    201, which comes after the append is durable and every record is
 *    readable: the node's share of the end-to-end time.
 *
 * Records are small files (RECORD_BYTES) written before the timed phase, so
 * the end-to-end figure is about per-record overhead rather than disk speed.
 *
 * Then, on a node of its own, the same from a digest manifest over the
 * streamed upload (bench/lib/bulk-manifest.ts): node-side and end-to-end
 * records/s beside raw SHA-256 + RFC 6962 tree building in the same run;
 * and a mirror-witness replicating that node's log, the batch included, beside
 * the node taking it (bench/lib/bulk-mirror.ts).
 *
 * Environment: BENCH_BULK_RECORDS (files, default 100,000 × BENCH_SCALE),
 * BENCH_BULK_MANIFEST_RECORDS (manifest lines, default 1,000,000 × BENCH_SCALE); at most 1,000,000.
 * BENCH_BULK_PARTS (default all): a comma list of files, manifest, mirror to run only those (mirror runs
 * manifest's node too).
 */

const RECORD_BYTES = 1024;
const ISSUER_ID = 'BENCH-UNIVERSITY';
const RECORD_TYPE = 'diploma';

function manifestCount(scale: number): number {
  const raw = process.env['BENCH_BULK_MANIFEST_RECORDS'];
  const count = raw === undefined ? scaled(scale, 1_000_000, 1000) : Number(raw);
  if (!Number.isInteger(count) || count < 1 || count > MAX_BATCH_RECORDS) {
    throw new Error(
      `BENCH_BULK_MANIFEST_RECORDS must be an integer in 1..${MAX_BATCH_RECORDS}, got "${raw}"`,
    );
  }
  return count;
}

function recordCount(scale: number): number {
  const raw = process.env['BENCH_BULK_RECORDS'];
  const count = raw === undefined ? scaled(scale, 100_000, 1000) : Number(raw);
  // certify-bulk streams its batch, as does the node-only row: up to a batch's 1,000,000 records.
  if (!Number.isInteger(count) || count < 1 || count > MAX_BATCH_RECORDS) {
    throw new Error(`BENCH_BULK_RECORDS must be an integer in 1..${MAX_BATCH_RECORDS}, got "${raw}"`);
  }
  return count;
}

/** Record i's bytes: distinct, deterministic, RECORD_BYTES long. */
function recordBytes(i: number): Buffer {
  const head = Buffer.from(`diploma ${i} of the bulk benchmark\n`);
  const out = Buffer.alloc(RECORD_BYTES, 0x2e);
  head.copy(out);
  return out;
}

/** SHA-256 of each record and the merkletreejs tree over them; returns the hex root and the time taken. */
function hashAndBuild(count: number): { root: string; ms: number; digests: string[] } {
  const started = nowMs();
  const packed = new Uint8Array(count * DIGEST_SIZE);
  for (let i = 0; i < count; i++) {
    packed.set(createHash('sha256').update(recordBytes(i)).digest(), i * DIGEST_SIZE);
  }
  const root = buildBatchTree(packed, count).getRoot().toString('hex');
  const ms = nowMs() - started;
  const digests: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    digests[i] = Buffer.from(packed.subarray(i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE)).toString('hex');
  }
  return { root, ms, digests };
}

async function setUpIssuer(
  node: Pick<NodeChild, 'url' | 'authorityId' | 'authorityKeyFile'>,
  keyFile: string,
): Promise<Signer> {
  const authority: Signer = { actor: node.authorityId, keyPair: readKeyFile(node.authorityKeyFile) };
  const client = new ChanceryClient(node.url, authority, 300_000);
  const keyPair = generateKeyPair();
  writeKeyFiles(keyFile, keyPair);
  await client.registerIdentity({
    identityId: ISSUER_ID,
    name: 'Benchmark university',
    roles: ['issuer'],
    publicKeys: [keyPair.publicKeyBase64],
  });
  await client.accredit(ISSUER_ID, [RECORD_TYPE]);
  return { actor: ISSUER_ID, keyPair };
}

function sink(): Writable & { text(): string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      text += String(chunk);
      callback();
    },
  });
  return Object.assign(stream, { text: () => text });
}

const PARTS = ['files', 'manifest', 'mirror'] as const;

/** The folder part: certify-bulk over files, the disk-read ceiling and the node-only upload. */
async function folderRows(ctx: BenchContext): Promise<BenchRow[]> {
  const count = recordCount(ctx.scale);
  const folder = join(ctx.tmpDir, 'records');
  ctx.log(`writing ${count.toLocaleString('en-US')} records of ${RECORD_BYTES} bytes`);
  for (let i = 0; i < count; i++) {
    const dir = join(folder, String(Math.floor(i / 1000)).padStart(3, '0'));
    if (i % 1000 === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `record-${String(i).padStart(6, '0')}.bin`), recordBytes(i));
  }

  ctx.log('baseline: SHA-256 + merkletreejs in memory (warm-up, then timed)');
  hashAndBuild(Math.min(count, 5000));
  const baseline = hashAndBuild(count);
  const baselineRate = count / (baseline.ms / 1000);
  const baselines: Baseline[] = [{ label: 'SHA-256 + merkletreejs', value: baselineRate }];

  ctx.log('disk-read ceiling: list and read every file as certify-bulk does, hashing nothing');
  const ceiling = await measureDiskReadCeiling(folder);
  if (ceiling.files !== count) throw new Error(`the ceiling read ${ceiling.files} files, not ${count}`);

  ctx.log('starting the node');
  const node = await startNodeChild({ repoRoot: ctx.repoRoot, dataDir: join(ctx.tmpDir, 'node') });
  ctx.onCleanup(() => node.stop());
  const keyFile = join(ctx.tmpDir, 'university.key');
  const issuer = await setUpIssuer(node, keyFile);

  ctx.log(`end to end: chancery certify-bulk over ${count.toLocaleString('en-US')} files`);
  const receipts = join(ctx.tmpDir, 'receipts.csv');
  const out = sink();
  const err = sink();
  const rssBefore = process.memoryUsage().rss;
  let cliPeakRss = rssBefore;
  const sampler = setInterval(() => {
    cliPeakRss = Math.max(cliPeakRss, process.memoryUsage().rss);
  }, 20);
  const e2eStarted = nowMs();
  let code: number | undefined;
  try {
    code = await runCli(
      ['certify-bulk', folder, '--as', keyFile, '--type', RECORD_TYPE, '--receipts', receipts, '--json'],
      { stdout: out, stderr: err, env: { CHANCERY_URL: node.url } },
    );
  } finally {
    clearInterval(sampler);
  }
  const e2eMs = nowMs() - e2eStarted;
  if (code !== 0) throw new Error(`certify-bulk exited ${code}: ${err.text().slice(0, 500)}`);
  const result = JSON.parse(out.text()) as { batchRoot: string; count: number };
  if (result.count !== count) throw new Error(`certify-bulk certified ${result.count}, not ${count}`);
  const receiptLines = readFileSync(receipts, 'utf8').split('\r\n').length - 2;
  if (receiptLines !== count) throw new Error(`receipts hold ${receiptLines} lines, not ${count}`);
  const e2eRate = count / (e2eMs / 1000);

  ctx.log('node only: the same upload with precomputed digests, under a new command id');
  const client = new ChanceryClient(node.url, issuer, 300_000);
  const nodeStarted = nowMs();
  const accepted = await client.certifyBatchStream({
    recordType: RECORD_TYPE,
    validFrom: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    batchRoot: baseline.root,
    packedDigests: Buffer.from(baseline.digests.join(''), 'hex'),
  });
  const nodeMs = nowMs() - nodeStarted;
  if (accepted.count !== count) throw new Error(`the node accepted ${accepted.count}, not ${count}`);
  const nodeRate = count / (nodeMs / 1000);
  const nodePeak = node.peakRssBytes();

  const rows: BenchRow[] = [
    {
      id: 'hash-and-tree',
      metric: `SHA-256 + merkletreejs tree, ${count.toLocaleString('en-US')} × ${RECORD_BYTES} B in memory`,
      value: baselineRate,
      unit: 'records/s',
      note: `${(baseline.ms / 1000).toFixed(2)} s`,
    },
    {
      id: 'end-to-end',
      metric: `certify-bulk end to end, ${count.toLocaleString('en-US')} files → receipts`,
      value: e2eRate,
      unit: 'records/s',
      baselines,
      note: `${(e2eMs / 1000).toFixed(2)} s; CLI process RSS +${mib(cliPeakRss - rssBefore).toFixed(0)} MiB`,
      extra: { seconds: e2eMs / 1000, cliRssGrowthMiB: mib(cliPeakRss - rssBefore) },
    },
    {
      id: 'end-to-end-vs-disk',
      metric: `certify-bulk end to end from files, against reading them (the disk-read ceiling)`,
      value: e2eRate,
      unit: 'records/s',
      baselines: [{ label: 'list + read every file, no hashing', value: ceiling.filesPerSecond }],
      note:
        `ceiling ${formatNumber(ceiling.filesPerSecond)} files/s (${(ceiling.bytes / 2 ** 20).toFixed(0)} MiB in ` +
        `${ceiling.seconds.toFixed(2)} s, from the page cache: the files were just written)`,
      extra: { ceilingFilesPerSecond: ceiling.filesPerSecond, ceilingSeconds: ceiling.seconds },
    },
    {
      id: 'node',
      metric: 'node: streamed upload → root check, durable append, every record projected',
      value: nodeRate,
      unit: 'records/s',
      baselines,
      note: `${(nodeMs / 1000).toFixed(2)} s; node peak RSS ${nodePeak === null ? '?' : `${mib(nodePeak).toFixed(0)} MiB`}`,
      extra: { seconds: nodeMs / 1000, nodePeakRssMiB: nodePeak === null ? null : mib(nodePeak) },
    },
  ];
  await node.stop();
  ctx.headline(
    `${formatNumber(e2eRate)} records/s certified end to end (${formatRatio(e2eRate / baselineRate)} of ` +
      `SHA-256 + merkletreejs at ${formatNumber(baselineRate)}/s); the node alone takes ${formatNumber(nodeRate)}/s`,
  );
  return rows;
}

export const benchmark: Benchmark = {
  name: 'bulk',
  order: 70,
  description:
    'Bulk certification: records/s end to end (certify-bulk) and node-side, vs SHA-256 + merkletreejs',
  async run(ctx) {
    // BENCH_BULK_PARTS: the parts to run (default all), e.g. `manifest` for the digest manifest alone.
    const parts = benchParts('BENCH_BULK_PARTS', PARTS);
    const rows = parts.has('files') ? await folderRows(ctx) : [];
    if (parts.has('manifest') || parts.has('mirror')) {
      rows.push(
        ...(await manifestRows(ctx, {
          count: manifestCount(ctx.scale),
          recordBytes,
          setUpIssuer,
          recordType: RECORD_TYPE,
          mirror: parts.has('mirror'),
        })),
      );
    }
    return rows;
  },
};
