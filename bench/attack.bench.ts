/**
 * Liveness under the unauthenticated attack of issue 11's first finding: ten
 * clients at once POST 15 MB bodies nested millions of levels deep to the
 * bulk certification route, with no valid signature (it once made
 * `/health/live` take 19.2 s and left RSS at 1.68 GB). Figures:
 *  - `/health/live` p50 and p99 while the attack runs [p99 < 50 ms], beside the
 *    same probes against the same node with no attack, in the same run;
 *  - the node's RSS before, right after and after an idle pause [back to its
 *    baseline], and its peak;
 *  - what the attackers got back: every answer must be a 4xx problem, never a
 *    5xx (counted, not asserted: a benchmark reports).
 *
 * The attackers run in this process on the same two cores as the node, so the
 * probe latencies include their CPU contention too.
 *
 * Environment: BENCH_ATTACK_SECONDS (default 10 × BENCH_SCALE, at least 3),
 * BENCH_ATTACK_CLIENTS (default 10).
 */

import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { startNodeChild } from './lib/node-child.js';
import { formatNumber, mib, nowMs, percentile, sleep } from './lib/stats.js';
import type { BenchContext, Benchmark, BenchRow } from './lib/types.js';

const BODY_BYTES = 15 * 1000 * 1000;
const PROBE_EVERY_MS = 10;
const GOAL_P99_MS = 50;

interface Answer {
  readonly status: number;
  readonly problem: boolean;
}

/**
 * The attackers, in a worker thread of their own: in this thread their 15 MB
 * writes would delay the probes' own timers and callbacks, and the figure
 * would measure this process instead of the node. Plain JavaScript, as eval'd
 * workers are not transpiled.
 */
const ATTACKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { request } = require('node:http');
const { url, path, clients, bodyBytes } = workerData;
const depth = Math.floor((bodyBytes - 20) / 2);
const body = Buffer.from('{"envelope":' + '['.repeat(depth) + ']'.repeat(depth) + '}');
let stop = false;
const answers = [];
parentPort.on('message', () => { stop = true; });
function post() {
  return new Promise((resolve) => {
    const req = request(url + path, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
      const problem = (res.headers['content-type'] || '').startsWith('application/problem+json');
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode || 0, problem }));
      res.on('error', () => resolve({ status: res.statusCode || 0, problem }));
    });
    // A node that refuses early closes the socket while the body is still being written.
    req.on('error', () => resolve({ status: 0, problem: false }));
    req.end(body);
  });
}
async function client() { while (!stop) answers.push(await post()); }
Promise.all(Array.from({ length: clients }, client)).then(() => parentPort.postMessage(answers));
`;

async function attack(url: string, clients: number, during: () => Promise<void>): Promise<Answer[]> {
  const worker = new Worker(ATTACKER_SOURCE, {
    eval: true,
    workerData: { url, path: '/v1/certifications/batches', clients, bodyBytes: BODY_BYTES },
  });
  const done = new Promise<Answer[]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  try {
    await during();
  } finally {
    worker.postMessage('stop');
  }
  const answers = await done;
  await worker.terminate();
  return answers;
}

function probe(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = nowMs();
    const req = request(`${url}/health/live`, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(nowMs() - started));
    });
    req.on('error', reject);
    req.end();
  });
}

async function probeFor(url: string, ms: number): Promise<number[]> {
  const latencies: number[] = [];
  const until = nowMs() + ms;
  while (nowMs() < until) {
    latencies.push(await probe(url));
    await sleep(PROBE_EVERY_MS);
  }
  return latencies.sort((a, b) => a - b);
}

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status);
  return kb === null ? Number.NaN : Number(kb[1]) * 1024;
}

/** The node's own account of its memory (prom-client's default series on /metrics), in MiB. */
async function nodeMemory(url: string): Promise<string> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  const m = (name: string) => formatNumber(mib(value(name)));
  return (
    `heap ${m('nodejs_heap_size_used_bytes')}/${m('nodejs_heap_size_total_bytes')} MiB used/total, ` +
    `external ${m('nodejs_external_memory_bytes')} MiB`
  );
}

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const seconds = envInt('BENCH_ATTACK_SECONDS', Math.max(3, Math.round(10 * ctx.scale)), 1);
  const clients = envInt('BENCH_ATTACK_CLIENTS', 10, 1);
  const node = await startNodeChild({ repoRoot: ctx.repoRoot, dataDir: join(ctx.tmpDir, 'node') });
  ctx.onCleanup(() => node.stop());
  await probeFor(node.url, 1000); // warm-up
  const rssBefore = rssBytes(node.pid);
  const memoryBefore = await nodeMemory(node.url);
  ctx.log(`probing /health/live with no attack for ${seconds} s`);
  const calm = await probeFor(node.url, seconds * 1000);

  ctx.log(`${clients} clients posting ${formatNumber(BODY_BYTES / 1e6)} MB nested bodies for ${seconds} s`);
  let attacked: number[] = [];
  const answers = await attack(node.url, clients, async () => {
    attacked = await probeFor(node.url, seconds * 1000);
  });
  const rssAfter = rssBytes(node.pid);
  const memoryAfter = await nodeMemory(node.url);
  await sleep(Math.max(5000, seconds * 1000));
  const rssIdle = rssBytes(node.pid);
  const memoryIdle = await nodeMemory(node.url);
  ctx.log(`node memory before: ${memoryBefore}; right after: ${memoryAfter}; after idling: ${memoryIdle}`);
  await node.collectGarbage();
  ctx.log(
    `after a forced GC: RSS ${formatNumber(mib(rssBytes(node.pid)))} MiB, ${await nodeMemory(node.url)}`,
  );
  const peak = node.peakRssBytes() ?? Number.NaN;

  const p = (values: number[], q: number) => percentile(values, q);
  const fiveXX = answers.filter((a) => a.status >= 500).length;
  const notProblem = answers.filter((a) => a.status !== 0 && !a.problem).length;
  const statuses = [...new Set(answers.map((a) => a.status))].sort().join(', ');
  const note =
    `${answers.length} attack requests (${formatNumber((answers.length * BODY_BYTES) / 1e9)} GB offered), ` +
    `statuses ${statuses} (0 = closed before the body was read), ${fiveXX} 5xx, ${notProblem} not problem+json`;
  ctx.headline(
    `/health/live under attack: p99 ${formatNumber(p(attacked, 99))} ms (goal < ${GOAL_P99_MS} ms); ` +
      `RSS ${formatNumber(mib(rssBefore))} → ${formatNumber(mib(rssAfter))} → ${formatNumber(mib(rssIdle))} MiB after idling`,
  );
  return [
    {
      id: 'live-p99',
      metric: `/health/live p99 while ${clients} clients post 15 MB nested bodies unauthenticated`,
      value: p(attacked, 99),
      unit: 'ms',
      baselines: [{ label: 'same probes, no attack', value: p(calm, 99) }],
      note: `p50 ${formatNumber(p(attacked, 50))} ms over ${attacked.length} probes (no attack: p50 ${formatNumber(p(calm, 50))} ms); goal < ${GOAL_P99_MS} ms; ${note}`,
      extra: { fiveXX, notProblem, attackRequests: answers.length },
    },
    {
      id: 'rss-after-idle',
      metric: 'node RSS after the attack and an idle pause',
      value: mib(rssIdle),
      unit: 'MiB',
      baselines: [{ label: 'RSS before the attack', value: mib(rssBefore) }],
      note:
        `right after the attack ${formatNumber(mib(rssAfter))} MiB; peak ${formatNumber(mib(peak))} MiB; ` +
        `node's own account before: ${memoryBefore}; after idling: ${memoryIdle}`,
    },
  ];
}

export const benchmark: Benchmark = {
  name: 'attack',
  order: 85,
  description: '/health/live latency and node RSS while unauthenticated clients post 15 MB nested bodies',
  run,
};
