/**
 * The soak: a node in a child process under concurrent certify load is
 * killed with SIGKILL `kills` times over one data folder. After every restart:
 *   - every acknowledged (2xx) write has its leaf in the log (by position),
 *     and every write acknowledged since the last restart has a proof bundle;
 *   - the log key is unchanged, and the new checkpoint verifies and is
 *     consistent (RFC 6962 proof) with the newest one seen before the kill.
 * Any violation throws. Used by `npm run soak` (bench/soak.ts, 50 kills) and
 * by a 3-kill regression test (test/integration/hardening-soak.test.ts).
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ChanceryClient, type LogEntryView } from '../src/client/chancery-client.js';
import {
  type Checkpoint,
  ed25519NoteVerifier,
  parseCheckpoint,
  verifyConsistency,
  verifyNote,
} from '../src/domain/log/index.js';
import { generateKeyPair, readKeyFile } from '../src/protocol/key-pair.js';
import type { Signer } from '../src/protocol/sign-command.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURE = join(ROOT, 'test/integration/fixtures/node-under-load.ts');
const SEAL_INTERVAL_MS = 40;

export interface SoakOptions {
  readonly kills: number;
  readonly writers?: number;
  readonly progress?: (line: string) => void;
}

export interface SoakCounts {
  kills: number;
  acknowledged: number;
  leavesChecked: number;
  proofsChecked: number;
  checkpointsChecked: number;
  refusedOrCut: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fromB64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));
const nobleVerify = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) =>
  ed25519.verify(signature, message, publicKey, { zip215: false });

function fail(message: string): never {
  throw new Error(`soak: ${message}`);
}

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

/** What the soak remembers across restarts. */
class Ledger {
  /** position → certificationId of every acknowledged write. */
  readonly acknowledged = new Map<string, string>();
  /** Acknowledged since the last check: these get their proof bundles fetched. */
  fresh: string[] = [];
  vkey: string | null = null;
  lastSeen: Checkpoint | null = null;
  readonly counts: SoakCounts = {
    kills: 0,
    acknowledged: 0,
    leavesChecked: 0,
    proofsChecked: 0,
    checkpointsChecked: 0,
    refusedOrCut: 0,
  };

  verified(note: string): Checkpoint {
    return parseCheckpoint(verifyNote(note, [ed25519NoteVerifier(this.vkey!, nobleVerify)]).text);
  }
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
  for (const id of ledger.fresh) {
    await requireProof(client.baseUrl, id);
    ledger.counts.proofsChecked++;
  }
  ledger.fresh = [];
  const old = ledger.lastSeen;
  if (old !== null) {
    if (current.treeSize < old.treeSize) fail(`the tree shrank from ${old.treeSize} to ${current.treeSize}`);
    const { proof } = await client.logConsistency(old.treeSize, current.treeSize);
    verifyConsistency(old.treeSize, current.treeSize, proof.map(fromB64), old.rootHash, current.rootHash);
    ledger.counts.checkpointsChecked++;
  }
  ledger.lastSeen = current;
}

/** The proof bundle of an acknowledged write; the read models may still be catching up just after a restart. */
async function requireProof(baseUrl: string, id: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const status = (await fetch(`${baseUrl}/v1/proofs/${id}`)).status;
    if (status === 200) return;
    if (Date.now() > deadline) fail(`acknowledged write ${id} has no proof bundle (${status})`);
    await sleep(50);
  }
}

async function registerIssuer(url: string, dataDir: string): Promise<Signer> {
  const authority = new ChanceryClient(url, {
    actor: 'AUTHORITY',
    keyPair: readKeyFile(join(dataDir, 'authority.key')),
  });
  const key = generateKeyPair();
  await authority.registerIdentity({
    identityId: 'SOAK',
    name: 'Soak',
    roles: ['issuer'],
    publicKeys: [key.publicKeyBase64],
  });
  await authority.accredit('SOAK', ['diploma']);
  return { actor: 'SOAK', keyPair: key };
}

/** Concurrent certify writers plus a watcher of published checkpoints, until `stopped()`. */
function load(url: string, issuer: Signer, ledger: Ledger, writers: number, stopped: () => boolean) {
  const client = new ChanceryClient(url, issuer);
  const write = async (w: number) => {
    for (let n = 0; !stopped(); n++) {
      const envelope = client.sign('CertifyRecord', {
        recordDigest: randomBytes(32).toString('hex'),
        recordType: 'diploma',
        validFrom: '2026-01-01T00:00:00Z',
      });
      // One write in three waits for its seal, so kills also land on requests waiting for a checkpoint.
      const path = (w + n) % 3 === 0 ? '/v1/certifications?wait=sealed' : '/v1/certifications';
      try {
        const result = await client.submit(path, envelope);
        ledger.acknowledged.set(result.position!, result.certificationId!);
        ledger.fresh.push(result.certificationId!);
        ledger.counts.acknowledged++;
      } catch {
        // Refused or cut off by the kill: not acknowledged, so nothing is promised about it.
        ledger.counts.refusedOrCut++;
      }
    }
  };
  const watch = async () => {
    while (!stopped()) {
      try {
        const info = await client.log();
        const seen = info.checkpoint === null ? null : ledger.verified(info.checkpoint);
        if (seen !== null && seen.treeSize >= (ledger.lastSeen?.treeSize ?? 0)) ledger.lastSeen = seen;
      } catch {
        // The node is gone.
      }
      await sleep(15);
    }
  };
  return Promise.all([...Array.from({ length: writers }, (_, w) => write(w)), watch()]);
}

export async function runSoak(options: SoakOptions): Promise<SoakCounts> {
  const dataDir = mkdtempSync(join(tmpdir(), 'chancery-soak-'));
  const ledger = new Ledger();
  let running: Child | null = null;
  try {
    let issuer: Signer | null = null;
    for (let round = 0; round <= options.kills; round++) {
      running = await startChild(dataDir);
      await checkAfterRestart(new ChanceryClient(running.url), ledger);
      if (round === options.kills) break;
      issuer ??= await registerIssuer(running.url, dataDir);
      let stopped = false;
      const loaded = load(running.url, issuer, ledger, options.writers ?? 6, () => stopped);
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
  }
}
