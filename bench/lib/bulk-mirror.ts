import { join } from 'node:path';
import { livenessRow, probeLiveness } from './liveness-probe.js';
import { type NodeChild, startNodeChild } from './node-child.js';
import { formatNumber, formatRatio, mib, nowMs, sleep } from './stats.js';
import type { BenchContext, BenchRow } from './types.js';

/**
 * A mirror-witness replicating a log that ends in a large batch: it reads
 * the log as tlog-tiles from the primary and replays every write, the batch
 * included (its root hashed again from the logged slices, its events decided
 * again and compared with the log's). The baseline is the primary taking the
 * same batch in the same run. Its /health/live is probed as the primary's
 * was: a mirror that holds its event loop for seconds is restarted by a
 * liveness probe before it gets past the batch.
 */

/** How long a mirror may take to catch up before the run fails. */
const CATCH_UP_TIMEOUT_MS = 600_000;
/** The primary's checkpoint is taken as final once it has not grown for this long. */
const SEALED_QUIET_MS = 1500;

export interface MirroredBatch {
  readonly primary: NodeChild;
  readonly count: number;
  /** The primary's records/s for taking the batch (its streamed upload), from the same run. */
  readonly primaryRate: number;
}

async function checkpointSize(url: string): Promise<number> {
  const text = await (await fetch(`${url}/checkpoint`)).text();
  return Number(text.split('\n')[1]);
}

/** The primary's tree size once its sealer has sealed everything: the size stops growing. */
async function sealedSize(url: string): Promise<number> {
  let size = await checkpointSize(url);
  let since = nowMs();
  while (nowMs() - since < SEALED_QUIET_MS) {
    await sleep(100);
    const next = await checkpointSize(url);
    if (next !== size) {
      size = next;
      since = nowMs();
    }
  }
  return size;
}

async function replicatedSize(url: string): Promise<{ size: number; halted: string | null }> {
  const status = (await (await fetch(`${url}/v1/federation/status`)).json()) as {
    mirror: { replicatedSize: number; halted: string | null } | null;
  };
  if (status.mirror === null) throw new Error('the mirror node reports no mirror status');
  return { size: status.mirror.replicatedSize, halted: status.mirror.halted };
}

export async function mirrorRows(ctx: BenchContext, batch: MirroredBatch): Promise<BenchRow[]> {
  const { primary, count } = batch;
  const label = count.toLocaleString('en-US');
  const size = await sealedSize(primary.url);
  const { logVerifierKey } = (await (await fetch(`${primary.url}/v1/status`)).json()) as {
    logVerifierKey: string;
  };
  ctx.log(`mirror: a mirror-witness replicating the primary's ${size.toLocaleString('en-US')} entries`);
  const started = nowMs();
  const mirror = await startNodeChild({
    repoRoot: ctx.repoRoot,
    dataDir: join(ctx.tmpDir, 'mirror'),
    env: {
      CHANCERY_ROLE: 'mirror',
      CHANCERY_UPSTREAM: primary.url,
      CHANCERY_TRUST: logVerifierKey,
      CHANCERY_WITNESS_NAME: 'bench.example/mirror',
    },
  });
  ctx.onCleanup(() => mirror.stop());
  try {
    const ready = nowMs();
    const liveness = probeLiveness(mirror.url);
    for (;;) {
      const state = await replicatedSize(mirror.url);
      if (state.halted !== null) throw new Error(`the mirror halted: ${state.halted}`);
      if (state.size >= size) break;
      if (nowMs() - started > CATCH_UP_TIMEOUT_MS) {
        throw new Error(
          `the mirror replicated ${state.size} of ${size} entries in ${CATCH_UP_TIMEOUT_MS} ms`,
        );
      }
      await sleep(50);
    }
    const caughtUp = nowMs();
    const live = await liveness.stop();
    const cpu = mirror.cpuSeconds();
    const mainCpu = mirror.mainThreadCpuSeconds();
    const peak = mirror.peakRssBytes();
    const seconds = (caughtUp - started) / 1000;
    const rate = count / seconds;
    const peakNote = peak === null ? '?' : `${mib(peak).toFixed(0)} MiB`;
    ctx.headline(
      `a mirror-witness replicates the log with the ${label}-record batch at ${formatNumber(rate)} records/s ` +
        `(${formatRatio(rate / batch.primaryRate)} of the primary taking it); its /health/live waited at most ` +
        `${formatNumber(Math.max(...live))} ms`,
    );
    return [
      {
        id: 'mirror-catch-up',
        metric: `mirror-witness: replicate and replay a log ending in a ${label}-record batch (from its start)`,
        value: rate,
        unit: 'records/s',
        baselines: [{ label: 'the primary taking the batch', value: batch.primaryRate }],
        note:
          `${seconds.toFixed(2)} s from start (${((ready - started) / 1000).toFixed(2)} s of it starting), ` +
          `mirror CPU ${cpu === null ? '?' : `${cpu.toFixed(2)} s`} (event loop ` +
          `${mainCpu === null ? '?' : `${mainCpu.toFixed(2)} s`}); mirror peak RSS ${peakNote}`,
        extra: {
          seconds,
          cpuSeconds: cpu,
          mainThreadCpuSeconds: mainCpu,
          peakRssMiB: peak === null ? null : mib(peak),
          entries: size,
        },
      },
      livenessRow('mirror-liveness', 'on the mirror meanwhile', live),
    ];
  } finally {
    await mirror.stop();
  }
}
