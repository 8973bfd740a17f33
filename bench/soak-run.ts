/**
 * The soak: a node in a child process under concurrent certify, bulk
 * certification and dataset upload load (bench/soak-load.ts) is killed with
 * SIGKILL `kills` times over one data folder. After every restart:
 *   - every acknowledged (2xx) write of each kind has its leaf in the log (by
 *     position);
 *   - every certification acknowledged since the last restart has a proof
 *     bundle that verifies; every batch acknowledged since then reads back
 *     with its root and count, and a random record's bundle verifies; every
 *     dataset version acknowledged so far reads back with bytes that hash to
 *     the acknowledged digest (bench/soak-checks.ts);
 *   - the log key is unchanged, and the new checkpoint verifies and is
 *     consistent (RFC 6962 proof) with the newest one seen before the kill.
 * Any violation throws. Used by `npm run soak` (bench/soak.ts, 50 kills) and
 * by a 3-kill regression test (test/integration/hardening-soak.test.ts).
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChanceryClient, type LogEntryView } from '../src/client/chancery-client.js';
import { verifyConsistency } from '../src/domain/log/index.js';
import { checkBatches, checkCertifications, checkUploads } from './soak-checks.js';
import { fail, Ledger, type SoakCounts } from './soak-ledger.js';
import { load, type SoakSigner, setUpDepartment } from './soak-load.js';

export type { SoakCounts } from './soak-ledger.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURE = join(ROOT, 'test/integration/fixtures/node-under-load.ts');
const SEAL_INTERVAL_MS = 40;

export interface SoakOptions {
  readonly kills: number;
  readonly writers?: number;
  readonly progress?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fromB64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

interface Child {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<void>;
}

function startChild(dataDir: string): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dataDir], {
    cwd: ROOT,
    env: { ...process.env, CHANCERY_SEAL_INTERVAL_MS: String(SEAL_INTERVAL_MS) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((done) => child.once('close', () => done()));
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  return new Promise((done, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      const newline = stdout.indexOf('\n');
      if (newline >= 0)
        done({ child, url: (JSON.parse(stdout.slice(0, newline)) as { url: string }).url, exited });
    });
    child.once('close', (code) => reject(new Error(`node exited at start (code ${code}):\n${stderr}`)));
  });
}

async function sealedLog(client: ChanceryClient, ledger: Ledger) {
  let info = await client.log();
  ledger.vkey ??= info.verifierKey;
  if (info.verifierKey !== ledger.vkey) fail('the log key changed across a restart');
  const deadline = Date.now() + 30_000;
  while (info.checkpoint === null || info.treeSize < info.sequencedSize) {
    if (Date.now() > deadline) fail('the node did not seal its backlog within 30 s of a restart');
    await sleep(SEAL_INTERVAL_MS);
    info = await client.log();
  }
  return { info, current: ledger.verified(info.checkpoint) };
}

async function allEntries(client: ChanceryClient, treeSize: number): Promise<LogEntryView[]> {
  const entries: LogEntryView[] = [];
  for (let start: number | null = 0; start !== null; ) {
    const page = await client.logEntries(start, treeSize);
    entries.push(...page.entries);
    start = page.next;
  }
  return entries;
}

/** The checks after a restart. */
async function checkAfterRestart(client: ChanceryClient, ledger: Ledger): Promise<void> {
  const { current } = await sealedLog(client, ledger);
  const positions = new Set((await allEntries(client, current.treeSize)).map((e) => e.position));
  for (const [position, id] of ledger.acknowledged) {
    if (!positions.has(position)) fail(`acknowledged write ${id} at position ${position} has no leaf`);
  }
  ledger.counts.leavesChecked += ledger.acknowledged.size;
  await checkCertifications(client.baseUrl, ledger);
  await checkBatches(client.baseUrl, ledger);
  await checkUploads(client.baseUrl, ledger);
  const old = ledger.lastSeen;
  if (old !== null) {
    if (current.treeSize < old.treeSize) fail(`the tree shrank from ${old.treeSize} to ${current.treeSize}`);
    const { proof } = await client.logConsistency(old.treeSize, current.treeSize);
    verifyConsistency(old.treeSize, current.treeSize, proof.map(fromB64), old.rootHash, current.rootHash);
    ledger.counts.checkpointsChecked++;
  }
  ledger.lastSeen = current;
}

/** Waits (at most 60 s) until a certification, a batch and an upload have each been acknowledged once more. */
async function eachKindAcknowledged(ledger: Ledger): Promise<void> {
  const { certifications, batches, uploads } = ledger.counts;
  const deadline = Date.now() + 60_000;
  const c = ledger.counts;
  while (c.certifications === certifications || c.batches === batches || c.uploads === uploads) {
    if (Date.now() > deadline) return;
    await sleep(20);
  }
}

export async function runSoak(options: SoakOptions): Promise<SoakCounts> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chancery-soak-'));
  const scratch = mkdtempSync(join(tmpdir(), 'chancery-soak-uploads-'));
  const ledger = new Ledger();
  let running: Child | null = null;
  try {
    let signer: SoakSigner | null = null;
    for (let round = 0; round <= options.kills; round++) {
      running = await startChild(dataDir);
      await checkAfterRestart(new ChanceryClient(running.url), ledger);
      if (round === options.kills) break;
      signer ??= await setUpDepartment(running.url, dataDir, ledger);
      let stopped = false;
      const writers = options.writers ?? 6;
      const loaded = load({ url: running.url, signer, ledger, writers, scratch, stopped: () => stopped });
      // Every other round the kill waits for each kind of write to have been acknowledged once (on a
      // loaded machine a round may otherwise end before an upload or a batch ever completes); the others
      // kill at a random time from the start, which also lands on the first writes after recovery.
      if (round % 2 === 0) await eachKindAcknowledged(ledger);
      await sleep(200 + Math.floor(Math.random() * 1000));
      running.child.kill('SIGKILL');
      await running.exited;
      stopped = true;
      await loaded;
      ledger.counts.kills++;
      options.progress?.(`kill ${round + 1}/${options.kills}: ${JSON.stringify(ledger.counts)}`);
    }
    return ledger.counts;
  } finally {
    running?.child.kill('SIGKILL');
    await running?.exited;
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
}
