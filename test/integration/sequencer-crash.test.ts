/**
 * Crash safety of the sequencer: a node in a child process takes signed
 * certifications from several concurrent clients and is killed with SIGKILL
 * at random moments, many times over the same data folder. After every
 * restart:
 *   - every acknowledged (2xx) write has a leaf in the log;
 *   - no leaf index has changed its leaf (leafIndex → leafHash of every leaf
 *     seen before is compared);
 *   - the node's new checkpoint verifies under the same log key and is
 *     consistent with the last checkpoint seen published before the kill.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterAll, describe, expect, it } from 'vitest';
import { ChanceryClient, type LogEntryView } from '../../src/client/chancery-client.js';
import {
  type Checkpoint,
  ed25519NoteVerifier,
  parseCheckpoint,
  verifyConsistency,
  verifyNote,
} from '../../src/domain/log/index.js';
import { generateKeyPair, readKeyFile } from '../../src/protocol/key-pair.js';
import type { Signer } from '../../src/protocol/sign-command.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = join(ROOT, 'test/integration/fixtures/node-under-load.ts');
const ROUNDS = 8;
const WRITERS = 6;
const SEAL_INTERVAL_MS = 40;

const nobleVerify = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) =>
  ed25519.verify(signature, message, publicKey, { zip215: false });
const fromB64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface RunningChild {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<void>;
}

const children = new Set<ChildProcess>();

function startChild(dataDir: string): Promise<RunningChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dataDir], {
    cwd: ROOT,
    env: { ...process.env, CHANCERY_SEAL_INTERVAL_MS: String(SEAL_INTERVAL_MS) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<void>((done) => child.once('close', () => done()));
  exited.then(() => children.delete(child));
  let stdout = '';
  let stderr = '';
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node did not start in time; stderr:\n${stderr}`));
    }, 30_000);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      const { url } = JSON.parse(stdout.slice(0, newline)) as { url: string };
      resolveStart({ child, url, exited });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`node exited during start-up (code ${code}, signal ${signal}); stderr:\n${stderr}`));
    });
  });
}

interface Observed {
  readonly checkpoint: Checkpoint;
  readonly note: string;
}

describe('sequencer under SIGKILL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chancery-crash-'));
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`keeps every acknowledged write, every leaf index and a consistent checkpoint across ${ROUNDS} kills`, async () => {
    /** Position of every write answered 2xx, with the leaf index when the answer carried one (wait=sealed). */
    const acknowledged = new Map<string, number | undefined>();
    const leafHashes = new Map<number, string>();
    let vkey: string | null = null;
    let lastSeen: Observed | null = null;
    let issuer: Signer | null = null;
    const killDelays: number[] = [];

    const verified = (note: string): Checkpoint =>
      parseCheckpoint(verifyNote(note, [ed25519NoteVerifier(vkey!, nobleVerify)]).text);

    /** The checks after a (re)start; `lastSeen` is the newest checkpoint seen before the kill. */
    async function checkLog(client: ChanceryClient, round: number): Promise<void> {
      let info = await client.log();
      if (vkey === null) vkey = info.verifierKey;
      expect(info.verifierKey, 'the log key survives restarts').toBe(vkey);
      // Entries sequenced before the kill but not sealed are sealed within an interval of the restart.
      const deadline = Date.now() + 10_000;
      while (info.checkpoint === null || info.treeSize < info.sequencedSize) {
        if (Date.now() > deadline) throw new Error(`round ${round}: the node did not seal its backlog`);
        await sleep(SEAL_INTERVAL_MS);
        info = await client.log();
      }
      const current = verified(info.checkpoint);
      expect(current.treeSize).toBe(info.treeSize);

      const entries: LogEntryView[] = [];
      for (let start: number | null = 0; start !== null; ) {
        const page = await client.logEntries(start, current.treeSize);
        entries.push(...page.entries);
        start = page.next;
      }
      expect(entries.map((e) => e.leafIndex)).toEqual([...Array(current.treeSize).keys()]);
      const byPosition = new Map(entries.map((e) => [e.position, e.leafIndex]));
      for (const [position, leafIndex] of acknowledged) {
        expect(byPosition.has(position), `round ${round}: acknowledged write at ${position} has a leaf`).toBe(
          true,
        );
        if (leafIndex !== undefined) expect(byPosition.get(position)).toBe(leafIndex);
      }
      for (const entry of entries) {
        const before = leafHashes.get(entry.leafIndex);
        if (before !== undefined)
          expect(entry.leafHash, `round ${round}: leaf ${entry.leafIndex}`).toBe(before);
        leafHashes.set(entry.leafIndex, entry.leafHash);
      }

      if (lastSeen !== null) {
        const old = lastSeen.checkpoint;
        expect(current.treeSize).toBeGreaterThanOrEqual(old.treeSize);
        const { proof } = await client.logConsistency(old.treeSize, current.treeSize);
        verifyConsistency(old.treeSize, current.treeSize, proof.map(fromB64), old.rootHash, current.rootHash);
      }
      lastSeen = { checkpoint: current, note: info.checkpoint };
    }

    for (let round = 0; round <= ROUNDS; round++) {
      const running = await startChild(dataDir);
      const client = new ChanceryClient(running.url);
      await checkLog(client, round);
      if (round === ROUNDS) {
        running.child.kill('SIGKILL');
        await running.exited;
        break;
      }

      if (issuer === null) {
        const authority = new ChanceryClient(running.url, {
          actor: 'AUTHORITY',
          keyPair: readKeyFile(join(dataDir, 'authority.key')),
        });
        const key = generateKeyPair();
        await authority.registerIdentity({
          identityId: 'CRASH',
          name: 'Crash test',
          roles: ['issuer'],
          publicKeys: [key.publicKeyBase64],
        });
        await authority.accredit('CRASH', ['diploma']);
        issuer = { actor: 'CRASH', keyPair: key };
      }

      const writer = new ChanceryClient(running.url, issuer);
      let stopped = false;
      const writers = Array.from({ length: WRITERS }, async (_, w) => {
        for (let n = 0; !stopped; n++) {
          const envelope = writer.sign('CertifyRecord', {
            recordDigest: randomBytes(32).toString('hex'),
            recordType: 'diploma',
            validFrom: '2026-01-01T00:00:00Z',
          });
          // One writer in three waits for the seal, so kills also land on requests waiting for a checkpoint.
          const path = (w + n) % 3 === 0 ? '/v1/certifications?wait=sealed' : '/v1/certifications';
          try {
            const result = await writer.submit(path, envelope);
            acknowledged.set(result.position!, result.leafIndex);
          } catch {
            // Refused or cut off by the kill: not acknowledged, so nothing is promised about it.
          }
        }
      });
      // Watch what the node publishes while it runs: the newest checkpoint seen before the kill.
      const watcher = (async () => {
        while (!stopped) {
          try {
            const info = await client.log();
            if (info.checkpoint !== null && info.treeSize >= (lastSeen?.checkpoint.treeSize ?? 0)) {
              lastSeen = { checkpoint: verified(info.checkpoint), note: info.checkpoint };
            }
          } catch {
            // The node is gone.
          }
          await sleep(15);
        }
      })();

      const delay = 150 + Math.floor(Math.random() * 900);
      killDelays.push(delay);
      await sleep(delay);
      running.child.kill('SIGKILL');
      await running.exited;
      stopped = true;
      await Promise.all([...writers, watcher]);
    }

    // The test must have exercised something: writes acknowledged in most rounds, many leaves.
    expect(acknowledged.size, `kill delays ${killDelays.join(', ')} ms`).toBeGreaterThan(ROUNDS * 5);
    expect(leafHashes.size).toBeGreaterThan(acknowledged.size);
  }, 120_000);
});
