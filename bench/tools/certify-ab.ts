/**
 * Certifications/s of two checkouts' nodes, measured in alternation: both
 * nodes run at once (each idle while the other is loaded), and the load
 * goes to them in short turns, A B B A A B …, so a slow minute of the
 * machine falls on both alike. On the 2-core test machine one `npm run bench
 * -- certify` run of the same code varies from 2,900 to 4,700 certifications/s
 * within an hour: one run of each, even alternated, cannot tell a 15% drop
 * from the noise; many short turns can.
 *
 *   npx tsx bench/tools/certify-ab.ts <checkout A> <checkout B> [turns=12] [per turn=4000] [clients=128]
 *
 * A checkout is a folder whose bench/fixtures/node-process.ts starts its node
 * and whose dist/ is built (`npm run build` there). This checkout's fixture
 * runs dist/ (BENCH_NODE_CODE unset); an older one's (before 723399d) ran src/
 * under tsx, so point its two imports at ../../dist/ first, or it pays tsx's
 * wrappers and the comparison is not fair. Both nodes get the threadpool size
 * `chancery start` chooses here.
 *
 * After each turn the tool waits for that node to go idle, and counts what it
 * did meanwhile in its turn's CPU: work left after the last answer must not
 * slow the other side's turn.
 *
 * Prints every turn, then B/A for the median of the per-pair ratios and for
 * the totals, of certifications/s and of the node's CPU (all threads, and the
 * event loop) per certification.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { presign, setUpIssuer } from '../lib/certify-setup.js';
import { runLoad } from '../lib/http-load.js';
import { type NodeChild, startNodeChild } from '../lib/node-child.js';

interface Turn {
  readonly side: 'A' | 'B';
  readonly ok: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly mainSeconds: number;
}

interface Side {
  readonly name: 'A' | 'B';
  readonly node: NodeChild;
  readonly bodies: Buffer[][];
}

const [checkoutA, checkoutB, turnsArg, perTurnArg, clientsArg] = process.argv.slice(2);
if (checkoutA === undefined || checkoutB === undefined) {
  process.stderr.write(
    'usage: npx tsx bench/tools/certify-ab.ts <checkout A> <checkout B> [turns] [per turn] [clients]\n',
  );
  process.exit(2);
}
const turns = Number(turnsArg ?? 12);
const perTurn = Number(perTurnArg ?? 4000);
const clients = Number(clientsArg ?? 128);
const WARMUP = 2000;

const work = mkdtempSync(join(tmpdir(), 'certify-ab-'));
const sides: Side[] = [];
try {
  for (const [name, checkout] of [
    ['A', checkoutA],
    ['B', checkoutB],
  ] as const) {
    const node = await startNodeChild({
      repoRoot: resolve(checkout),
      dataDir: join(work, name),
      build: false,
    });
    const issuer = await setUpIssuer(node);
    await load(node, presign(issuer, WARMUP), 32);
    const bodies = Array.from({ length: turns }, () => presign(issuer, perTurn));
    sides.push({ name, node, bodies });
  }
  const results: Turn[] = [];
  for (let t = 0; t < turns; t++) {
    // A B, B A, A B, …: each side goes first as often as second.
    const order = t % 2 === 0 ? [sides[0]!, sides[1]!] : [sides[1]!, sides[0]!];
    for (const side of order) {
      const turn = await measure(side, t);
      results.push(turn);
      process.stdout.write(
        `turn ${t + 1} ${turn.side}: ${Math.round(turn.ok / turn.seconds)} cert/s, ` +
          `${micros(turn.cpuSeconds, turn.ok)} µs CPU, ${micros(turn.mainSeconds, turn.ok)} µs event loop\n`,
      );
    }
  }
  report(results);
} finally {
  await Promise.all(sides.map((s) => s.node.stop()));
  rmSync(work, { recursive: true, force: true });
}

async function load(node: NodeChild, bodies: Buffer[], concurrency: number) {
  const result = await runLoad({
    url: `${node.url}/v1/certifications`,
    bodies,
    concurrency,
    maxDurationMs: 120_000,
    client: 'http',
    expectStatus: 201,
  });
  if (result.failed > 0) throw new Error(`${result.failed} requests failed: ${result.failures.join('; ')}`);
  return result;
}

async function measure(side: Side, t: number): Promise<Turn> {
  const cpu0 = side.node.cpuSeconds()!;
  const main0 = side.node.mainThreadCpuSeconds()!;
  const result = await load(side.node, side.bodies[t]!, clients);
  // What the node still does once the last answer is out (a seal, the map's pages) is its own turn's
  // CPU, and must not slow the other side's turn: wait until it is idle.
  await settle(side.node);
  return {
    side: side.name,
    ok: result.ok,
    seconds: result.elapsedMs / 1000,
    cpuSeconds: side.node.cpuSeconds()! - cpu0,
    mainSeconds: side.node.mainThreadCpuSeconds()! - main0,
  };
}

/** Waits until the node used under 2% of a core over 200 ms (its sealer ticks every 300 ms by default). */
async function settle(node: NodeChild): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const before = node.cpuSeconds()!;
    await new Promise((r) => setTimeout(r, 200));
    if (node.cpuSeconds()! - before < 0.004) return;
  }
}

function micros(seconds: number, count: number): string {
  return ((seconds / count) * 1e6).toFixed(0);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One figure of a turn, and the same over all of a side's turns. */
interface Figure {
  readonly what: string;
  readonly unit: string;
  ofTurn(turn: Turn): number;
  ofTurns(turns: readonly Turn[]): number;
}

function sum(turns: readonly Turn[], f: (turn: Turn) => number): number {
  return turns.reduce((s, turn) => s + f(turn), 0);
}

function certifyRate(): Figure {
  return {
    what: 'certify/s',
    unit: 'cert/s',
    ofTurn: (t) => t.ok / t.seconds,
    ofTurns: (ts) => sum(ts, (t) => t.ok) / sum(ts, (t) => t.seconds),
  };
}

/** CPU µs per certification, of the seconds `seconds` picks from a turn. */
function cpuPerCertification(what: string, seconds: (turn: Turn) => number): Figure {
  return {
    what,
    unit: 'µs',
    ofTurn: (t) => (seconds(t) / t.ok) * 1e6,
    ofTurns: (ts) => (sum(ts, seconds) / sum(ts, (t) => t.ok)) * 1e6,
  };
}

function report(results: Turn[]): void {
  const a = results.filter((r) => r.side === 'A');
  const b = results.filter((r) => r.side === 'B');
  const figures = [
    certifyRate(),
    cpuPerCertification('node CPU per certification', (t) => t.cpuSeconds),
    cpuPerCertification('event loop per certification', (t) => t.mainSeconds),
  ];
  let out = `\n${a.length} turns each of ${perTurn} certifications at ${clients} clients\nA = ${checkoutA}\nB = ${checkoutB}\n`;
  for (const { what, unit, ofTurn, ofTurns } of figures) {
    const ratios = a.map((turnA, i) => ofTurn(b[i]!) / ofTurn(turnA));
    const totalA = ofTurns(a);
    const totalB = ofTurns(b);
    out +=
      `${what}: A ${totalA.toFixed(0)} ${unit}, B ${totalB.toFixed(0)} ${unit}; B/A total ${(totalB / totalA).toFixed(3)}, ` +
      `median of pairs ${median(ratios).toFixed(3)} (pairs ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})\n`;
  }
  process.stdout.write(out);
}
