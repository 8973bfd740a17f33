import { generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { cpuMeter, describeLoad } from './lib/cpu-load.js';
import { nowMs } from './lib/stats.js';
import type { Benchmark, BenchRow } from './lib/types.js';

/**
 * Ceiling A: how many Ed25519 signatures node:crypto (OpenSSL) verifies per
 * second on these cores, with nothing else to do. Every signed write the node
 * accepts costs one such verification, so no write rate can exceed this.
 *
 * The messages are ~200 bytes (a command payload's size), signed beforehand,
 * verified against one cached KeyObject (as the node's verifier does).
 */

const MESSAGE_BYTES = 200;
const MESSAGES = 512;
/** Verifications between two clock reads. */
const CHUNK = 256;

/** Worker source, plain JavaScript (workers start without the tsx loader). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const key = createPublicKey({ key: Buffer.from(workerData.spki), format: 'der', type: 'spki' });
const messages = workerData.messages.map((m) => Buffer.from(m));
const signatures = workerData.signatures.map((s) => Buffer.from(s));
function run(ms) {
  const n = messages.length;
  let count = 0;
  let bad = 0;
  const start = performance.now();
  const end = start + ms;
  let now = start;
  while (now < end) {
    for (let i = 0; i < ${CHUNK}; i++) {
      const j = (count + i) % n;
      if (!verify(null, messages[j], key, signatures[j])) bad++;
    }
    count += ${CHUNK};
    now = performance.now();
  }
  return { count, bad, elapsedMs: now - start };
}
run(workerData.warmupMs);
parentPort.postMessage({ ready: true });
parentPort.once('message', (go) => parentPort.postMessage(run(go.durationMs)));
`;

interface RunResult {
  count: number;
  bad: number;
  elapsedMs: number;
}

function verifyLoop(
  messages: readonly Buffer[],
  signatures: readonly Buffer[],
  key: Parameters<typeof verify>[2],
  ms: number,
): RunResult {
  const n = messages.length;
  let count = 0;
  let bad = 0;
  const start = nowMs();
  const end = start + ms;
  let now = start;
  while (now < end) {
    for (let i = 0; i < CHUNK; i++) {
      const j = (count + i) % n;
      if (!verify(null, messages[j]!, key, signatures[j]!)) bad++;
    }
    count += CHUNK;
    now = nowMs();
  }
  return { count, bad, elapsedMs: now - start };
}

async function allCores(
  threads: number,
  workerData: { spki: Uint8Array; messages: Uint8Array[]; signatures: Uint8Array[]; warmupMs: number },
  durationMs: number,
): Promise<RunResult[]> {
  const workers = Array.from(
    { length: threads },
    () => new Worker(WORKER_SOURCE, { eval: true, workerData, execArgv: [] }),
  );
  try {
    const failed = new Promise<never>((_, reject) => {
      for (const w of workers) w.once('error', reject);
    });
    const message = (w: Worker) => new Promise<unknown>((resolve) => w.once('message', resolve));
    // All threads warm up, then start together, so they really run at the same time.
    await Promise.race([Promise.all(workers.map(message)), failed]);
    const results = workers.map(message);
    for (const w of workers) w.postMessage({ durationMs });
    return (await Promise.race([Promise.all(results), failed])) as RunResult[];
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

export const benchmark: Benchmark = {
  name: 'ed25519',
  order: 10,
  description: 'Ceiling A: native Ed25519 verifications/s (node:crypto), one thread and all cores',
  async run(ctx) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const messages = Array.from({ length: MESSAGES }, () => randomBytes(MESSAGE_BYTES));
    const signatures = messages.map((m) => sign(null, m, privateKey));
    const durationMs = Math.max(500, 2500 * ctx.scale);
    const warmupMs = Math.max(100, 300 * ctx.scale);
    const threads = os.availableParallelism();

    ctx.log(`1 thread, ${(durationMs / 1000).toFixed(1)} s`);
    verifyLoop(messages, signatures, publicKey, warmupMs);
    const singleMeter = cpuMeter();
    const single = verifyLoop(messages, signatures, publicKey, durationMs);
    const singleLoad = singleMeter.stop();
    if (single.bad > 0) throw new Error(`${single.bad} valid signatures failed to verify`);
    const singleRate = single.count / (single.elapsedMs / 1000);

    ctx.log(`${threads} worker threads, ${(durationMs / 1000).toFixed(1)} s`);
    const allMeter = cpuMeter();
    const perThread = await allCores(
      threads,
      {
        spki: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
        messages: messages.map((m) => new Uint8Array(m)),
        signatures: signatures.map((s) => new Uint8Array(s)),
        warmupMs,
      },
      durationMs,
    );
    // Includes the workers' warm-up, when the load is the same.
    const allLoad = allMeter.stop();
    const bad = perThread.reduce((sum, r) => sum + r.bad, 0);
    if (bad > 0) throw new Error(`${bad} valid signatures failed to verify in the worker threads`);
    const allRate = perThread.reduce((sum, r) => sum + r.count / (r.elapsedMs / 1000), 0);

    const rows: BenchRow[] = [
      {
        id: 'single-thread',
        metric: 'Ed25519 verify/s, 1 thread',
        value: singleRate,
        unit: 'verify/s',
        note: `${MESSAGE_BYTES}-byte messages, cached KeyObject, ${single.count.toLocaleString('en-US')} verifications; ${describeLoad(singleLoad)}`,
        extra: {
          verifications: single.count,
          elapsedMs: single.elapsedMs,
          messageBytes: MESSAGE_BYTES,
          backgroundCores: singleLoad?.backgroundCores ?? null,
        },
      },
      {
        id: 'all-cores',
        metric: `Ed25519 verify/s, ${threads} threads`,
        value: allRate,
        unit: 'verify/s',
        baselines: [{ label: '1 thread', value: singleRate }],
        note: `worker_threads × ${threads} (os.availableParallelism()); ${describeLoad(allLoad)}`,
        extra: {
          threads,
          backgroundCores: allLoad?.backgroundCores ?? null,
          perThread: perThread.map((r) => Math.round(r.count / (r.elapsedMs / 1000))).join(','),
        },
      },
    ];
    return rows;
  },
};
