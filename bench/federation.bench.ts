import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatVerifierKey, SIGNATURE_TYPE_ED25519 } from '../src/domain/log/index.js';
import { type RunningNode, startNode } from '../src/node/chancery-node.js';
import { resolveNodeConfig } from '../src/node/node-config.js';
import { generateKeyPair, readKeyFile, writeKeyFiles } from '../src/protocol/key-pair.js';
import { signCommand } from '../src/protocol/sign-command.js';
import { startFixtureChild } from './lib/fixture-child.js';
import { formatNumber, formatRatio, nowMs, percentile } from './lib/stats.js';
import { type BenchContext, type Benchmark, type BenchRow, scaled } from './lib/types.js';

/**
 * Cosigned-checkpoint latency as the witness network grows: 3, 9, 25 and 75
 * witnesses, a majority quorum each time.
 *
 * The witnesses are the node's real Witness (own federation.db, one fsynced
 * transaction per cosignature) behind bare HTTP servers, all in one child
 * process (bench/fixtures/witness-host.ts): light, and off the primary's
 * event loop. The primary is a real node in this process, with its witness
 * submitter asking every witness in parallel after each seal. One signed
 * write with ?wait=final at a time makes one checkpoint at a time; per
 * checkpoint the submitter records the time from the checkpoint being served
 * to (a) the note meeting the quorum being durable — what wait=final waits
 * for — and (b) the note carrying every witness's cosignature.
 *
 * On one machine the witnesses share its cores and its disk: their fsyncs
 * queue behind each other, which real witnesses on their own machines do
 * not. The 3-witness figure is the baseline the others are compared with.
 *
 * Environment: BENCH_FEDERATION_CHECKPOINTS (default 60 × BENCH_SCALE, at least 10),
 * BENCH_FEDERATION_SIZES (default 3,9,25,75).
 */

const DEFAULT_SIZES = [3, 9, 25, 75];

interface HostedWitness {
  readonly url: string;
  readonly vkey: string;
}

async function startWitnessHost(
  ctx: BenchContext,
  count: number,
  logKeys: readonly string[],
): Promise<HostedWitness[]> {
  const dir = join(ctx.tmpDir, 'witnesses');
  mkdirSync(dir, { recursive: true });
  // Its stderr, in the error if it does not start, says how many witnesses it had started, and when.
  const child = await startFixtureChild(
    ctx,
    'bench/fixtures/witness-host.ts',
    [dir, String(count), ...logKeys],
    {
      name: 'the witness host',
      startTimeoutMs: 60_000,
    },
  );
  return (JSON.parse(child.readyLine) as { witnesses: HostedWitness[] }).witnesses;
}

interface Round {
  readonly witnesses: number;
  readonly quorum: number;
  readonly checkpoints: number;
  readonly quorumMs: number[];
  readonly allMs: number[];
  readonly writeMs: number[];
}

async function measure(
  ctx: BenchContext,
  witnesses: readonly HostedWitness[],
  logKeyFile: string,
  origin: string,
  checkpoints: number,
): Promise<Round> {
  const quorum = Math.floor(witnesses.length / 2) + 1;
  const dataDir = join(ctx.tmpDir, `primary-${witnesses.length}`);
  const config = resolveNodeConfig(
    {
      dataDir,
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
      sealIntervalMs: 5,
      origin,
      logKeyFile,
      federation: { witness: witnesses.map((w) => `${w.url}=${w.vkey}`), witnessQuorum: quorum },
    },
    { CHANCERY_WITNESS_TIMEOUT_MS: '10000', CHANCERY_FINAL_WAIT_MS: '60000' },
  );
  const node: RunningNode = await startNode(config, { logging: false });
  ctx.onCleanup(() => node.close());
  const authority = { actor: 'AUTHORITY', keyPair: readKeyFile(join(dataDir, 'authority.key')) };
  const key = generateKeyPair();
  const post = async (url: string, body: unknown) => {
    const response = await node.app.inject({ method: 'POST', url, payload: body as object });
    if (response.statusCode >= 300) throw new Error(`${url}: ${response.statusCode} ${response.body}`);
  };
  await post(
    '/v1/identities?wait=final',
    signCommand(authority, 'RegisterIdentity', {
      identityId: 'BENCH',
      name: 'Bench',
      roles: ['issuer'],
      publicKeys: [key.publicKeyBase64],
    }),
  );
  await post(
    '/v1/identities/BENCH/accredit?wait=final',
    signCommand(authority, 'AccreditIdentity', { identityId: 'BENCH', recordTypes: ['diploma'] }),
  );
  const skip = node.federation.quorumLatenciesMs().length;
  const skipAll = node.federation.allCosignedLatenciesMs().length;
  const writeMs: number[] = [];
  for (let i = 0; i < checkpoints; i++) {
    const t0 = nowMs();
    await post(
      '/v1/certifications?wait=final',
      signCommand({ actor: 'BENCH', keyPair: key }, 'CertifyRecord', {
        recordDigest: randomBytes(32).toString('hex'),
        recordType: 'diploma',
        validFrom: '2026-01-01T00:00:00Z',
      }),
    );
    writeMs.push(nowMs() - t0);
  }
  // The last rounds' "everyone cosigned" notes land a moment after the quorum answered the writes.
  const deadline = Date.now() + 10_000;
  while (node.federation.allCosignedLatenciesMs().length - skipAll < checkpoints && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const quorumMs = node.federation.quorumLatenciesMs().slice(skip);
  const allMs = node.federation.allCosignedLatenciesMs().slice(skipAll);
  await node.close();
  return { witnesses: witnesses.length, quorum, checkpoints, quorumMs, allMs, writeMs };
}

export const benchmark: Benchmark = {
  name: 'federation',
  order: 80,
  description:
    'Cosigned-checkpoint latency (p50/p99) with 3, 9, 25 and 75 witnesses (majority quorum), witnesses in one light child process',
  async run(ctx) {
    const sizes = (process.env['BENCH_FEDERATION_SIZES'] ?? DEFAULT_SIZES.join(','))
      .split(',')
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0);
    const checkpoints = Number(process.env['BENCH_FEDERATION_CHECKPOINTS'] ?? scaled(ctx.scale, 60, 10));
    const largest = Math.max(...sizes);
    // One log per size, so no witness ever sees two logs under one origin.
    const logs = sizes.map((n) => {
      const keyPair = generateKeyPair();
      const origin = `bench.example/log-${n}`;
      const file = join(ctx.tmpDir, `log-${n}.key`);
      writeKeyFiles(file, keyPair);
      return { n, origin, file, vkey: formatVerifierKey(origin, SIGNATURE_TYPE_ED25519, keyPair.publicKey) };
    });
    ctx.log(`starting ${largest} witnesses`);
    const witnesses = await startWitnessHost(
      ctx,
      largest,
      logs.map((l) => l.vkey),
    );
    const rounds: Round[] = [];
    for (const log of logs) {
      ctx.log(`${log.n} witnesses: ${checkpoints} checkpoints`);
      rounds.push(await measure(ctx, witnesses.slice(0, log.n), log.file, log.origin, checkpoints));
    }
    const baseline = rounds[0]!;
    const baseQuorumP50 = percentile(baseline.quorumMs, 50);
    const rows: BenchRow[] = [];
    for (const round of rounds) {
      const q50 = percentile(round.quorumMs, 50);
      const q99 = percentile(round.quorumMs, 99);
      const a50 = percentile(round.allMs, 50);
      const a99 = percentile(round.allMs, 99);
      const w50 = percentile(round.writeMs, 50);
      const baselines =
        round === baseline ? [] : [{ label: `${baseline.witnesses} witnesses p50`, value: baseQuorumP50 }];
      rows.push({
        id: `quorum-p50-${round.witnesses}`,
        metric: `${round.witnesses} witnesses: checkpoint → quorum (${round.quorum}) cosigned, p50`,
        value: q50,
        unit: 'ms',
        baselines,
        note: `p99 ${formatNumber(q99)} ms; all ${round.witnesses} cosigned p50 ${formatNumber(a50)} / p99 ${formatNumber(a99)} ms; wait=final write p50 ${formatNumber(w50)} ms; ${round.quorumMs.length} checkpoints`,
        extra: {
          witnesses: round.witnesses,
          quorum: round.quorum,
          quorumP99Ms: q99,
          allCosignedP50Ms: a50,
          allCosignedP99Ms: a99,
          waitFinalWriteP50Ms: w50,
          checkpoints: round.quorumMs.length,
        },
      });
      rows.push({
        id: `quorum-p99-${round.witnesses}`,
        metric: `${round.witnesses} witnesses: checkpoint → quorum cosigned, p99`,
        value: q99,
        unit: 'ms',
      });
    }
    const last = rounds[rounds.length - 1]!;
    ctx.headline(
      `quorum-cosigned checkpoint p50/p99 ${rounds
        .map(
          (r) =>
            `${r.witnesses}w ${formatNumber(percentile(r.quorumMs, 50))}/${formatNumber(percentile(r.quorumMs, 99))} ms`,
        )
        .join(
          ', ',
        )} (${formatRatio(percentile(last.quorumMs, 50) / baseQuorumP50)} from ${baseline.witnesses} to ${last.witnesses})`,
    );
    return rows;
  },
};
