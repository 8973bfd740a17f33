/**
 * A federation on one machine: a primary and three mirror-witness processes
 * on loopback ports, with a 2-of-3 trust policy, under a load of
 * certifications:
 *   1. all up: writes with wait=final answer with a checkpoint the quorum
 *      cosigned; a mirror whose first upstream is dead fails over;
 *   2. one witness killed (SIGKILL): finality continues;
 *   3. two killed: writes continue, checkpoints are not final, wait=final
 *      answers FINALITY_TIMEOUT, and the status says so;
 *   4. both restarted: they catch up without downloading again what they
 *      have, and finality resumes;
 *   5. one witness fed a forked log: it refuses, keeps the evidence and raises
 *      the alarm on its API and /metrics.
 * After each step every live node serves byte-identical proofs for the same
 * checkpoint, and `chancery verify --policy` accepts a mirror's proof.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChanceryClient, ChanceryProblemError } from '../../src/client/chancery-client.js';
import { formatAddCheckpointRequest } from '../../src/domain/federation/index.js';
import {
  ed25519NoteSigner,
  formatCheckpoint,
  formatNote,
  formatVerifierKey,
  formatWitnessKey,
  parseCheckpoint,
  parseNote,
  SIGNATURE_TYPE_ED25519,
  signNote,
} from '../../src/domain/log/index.js';
import { generateKeyPair, readKeyFile, writeKeyFiles } from '../../src/protocol/key-pair.js';
import type { Signer } from '../../src/protocol/sign-command.js';
import { jsonOf, runCli } from '../e2e/support/cli-process.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = join(ROOT, 'test/integration/fixtures/federation-node.ts');
const ORIGIN = 'federation.test/log';
const WRITERS = 4;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = 'no answer';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
      last = 'not yet';
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${String(last)}`);
    await sleep(50);
  }
}

interface Member {
  readonly name: string;
  readonly dataDir: string;
  readonly port: number;
  readonly url: string;
  readonly env: Record<string, string>;
  child: ChildProcess | null;
  exited: Promise<void>;
}

const children = new Set<ChildProcess>();

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CHANCERY_')));
  return { ...env, ...extra };
}

function start(member: Member): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, member.dataDir], {
    cwd: ROOT,
    env: cleanEnv(member.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  member.child = child;
  member.exited = new Promise<void>((done) => child.once('close', () => done()));
  member.exited.then(() => children.delete(child));
  let stdout = '';
  let stderr = '';
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${member.name} did not start in time; stderr:\n${stderr}`));
    }, 30_000);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (process.env['TEST_LOGS'] === '1') process.stderr.write(`[${member.name}] ${chunk}`);
    });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!stdout.includes('\n')) return;
      clearTimeout(timer);
      resolveStart();
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${member.name} exited during start-up (${code ?? signal}); stderr:\n${stderr}`));
    });
  });
}

async function kill(member: Member): Promise<void> {
  member.child?.kill('SIGKILL');
  await member.exited;
  member.child = null;
}

async function text(member: Member, path: string): Promise<string> {
  const response = await fetch(`${member.url}${path}`, { signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  if (!response.ok) throw new Error(`${member.name} ${path}: ${response.status} ${body}`);
  return body;
}

async function json<T = Record<string, unknown>>(member: Member, path: string): Promise<T> {
  return JSON.parse(await text(member, path)) as T;
}

describe('a primary and three mirror-witnesses with a 2-of-3 policy', () => {
  const base = mkdtempSync(join(tmpdir(), 'chancery-federation-'));
  const logKey = generateKeyPair();
  const logVkey = formatVerifierKey(ORIGIN, SIGNATURE_TYPE_ED25519, logKey.publicKey);
  const policyFile = join(base, 'policy.txt');
  let primary: Member;
  let witnesses: Member[];
  let client: ChanceryClient;
  let issuer: Signer;
  /** A certification whose proof every node must serve identically. */
  let certificationId: string;

  const live = () => [primary, ...witnesses].filter((m) => m.child !== null);

  /** Every live node serves the primary's checkpoint, byte for byte; the proofs under it are identical. */
  async function expectIdenticalProofs(step: string): Promise<number> {
    const nodes = live();
    const note = await eventually(`${step}: every live node to serve the primary's checkpoint`, async () => {
      const notes = await Promise.all(nodes.map((m) => text(m, '/v1/log/checkpoint')));
      return notes.every((n) => n === notes[0]) ? notes[0] : undefined;
    });
    const treeSize = parseCheckpoint(parseNote(note).text).treeSize;
    for (const index of [0, Math.floor(treeSize / 3), treeSize - 1]) {
      const path = `/v1/log/proofs/inclusion?index=${index}&size=${treeSize}`;
      // A proof carries the node's latest cosigned note: a cosignature still on its way to one node
      // makes that note differ for a moment, so the proofs are compared until they settle.
      const proofs = await eventually(`${step}: identical ${path}`, async () => {
        const all = await Promise.all(nodes.map((m) => text(m, path)));
        return all.every((p) => p === all[0]) ? all : undefined;
      }).catch(async () => Promise.all(nodes.map((m) => text(m, path))));
      for (const [i, proof] of proofs.entries())
        expect(proof, `${step}: ${nodes[i]!.name} ${path}`).toBe(proofs[0]);
    }
    const bundles = await eventually(`${step}: identical proof bundles`, async () => {
      const all = await Promise.all(nodes.map((m) => text(m, `/v1/proofs/${certificationId}`)));
      return all.every((b) => b === all[0]) ? all : undefined;
    });
    expect(bundles.length).toBe(nodes.length);
    return treeSize;
  }

  /** Writers certify for `ms`; every `finalEvery`-th write waits for finality. */
  async function load(ms: number, finalEvery: number) {
    const stats = { acknowledged: 0, final: 0, finalityTimeouts: 0, failures: [] as string[] };
    const writer = new ChanceryClient(primary.url, issuer, 15_000);
    const until = Date.now() + ms;
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        for (let n = 0; Date.now() < until; n++) {
          const envelope = writer.sign('CertifyRecord', {
            recordDigest: randomBytes(32).toString('hex'),
            recordType: 'diploma',
            validFrom: '2026-01-01T00:00:00Z',
          });
          const final = (n * WRITERS + w) % finalEvery === 0;
          try {
            const result = await writer.submit(`/v1/certifications${final ? '?wait=final' : ''}`, envelope);
            stats.acknowledged++;
            if (final) {
              stats.final++;
              const cosigners = parseNote(result.checkpoint!.note).signatures.length - 1;
              expect(cosigners, 'a final checkpoint carries at least 2 cosignatures').toBeGreaterThanOrEqual(
                2,
              );
            }
          } catch (error) {
            if (error instanceof ChanceryProblemError && error.problem.code === 'FINALITY_TIMEOUT') {
              stats.finalityTimeouts++;
              stats.acknowledged++;
            } else stats.failures.push(String(error));
          }
        }
      }),
    );
    return stats;
  }

  beforeAll(async () => {
    writeKeyFiles(join(base, 'log.key'), logKey);
    const [primaryPort, deadPort, ...witnessPorts] = await Promise.all(
      Array.from({ length: 5 }, () => freePort()),
    );
    const primaryUrl = `http://127.0.0.1:${primaryPort}`;
    const common = {
      CHANCERY_POLICY_FILE: policyFile,
      CHANCERY_MIRROR_POLL_MS: '100',
      CHANCERY_WITNESS_TIMEOUT_MS: '1000',
      CHANCERY_SEAL_INTERVAL_MS: '100',
    };
    const policyLines = [`log ${logVkey} ${primaryUrl}`];
    witnesses = witnessPorts.map((port, i) => {
      const name = `w${i + 1}`;
      const dataDir = join(base, name);
      mkdirSync(dataDir, { recursive: true });
      // The witness keys exist before the nodes do, so the policy can list them.
      const key = generateKeyPair();
      writeKeyFiles(join(dataDir, 'witness.key'), key);
      const url = `http://127.0.0.1:${port}`;
      policyLines.push(
        `witness ${name} ${formatWitnessKey(`${name}.federation.test`, key.publicKey)} ${url}`,
      );
      return {
        name,
        dataDir,
        port: port!,
        url,
        env: {
          ...common,
          CHANCERY_PORT: String(port),
          CHANCERY_ROLE: 'mirror',
          // w3's first upstream is a dead port: it must fail over to the primary.
          CHANCERY_UPSTREAM: i === 2 ? `http://127.0.0.1:${deadPort},${primaryUrl}` : primaryUrl,
          CHANCERY_TRUST: logVkey,
          CHANCERY_WITNESS_NAME: `${name}.federation.test`,
        },
        child: null,
        exited: Promise.resolve(),
      };
    });
    policyLines.push('group two-of-three 2 w1 w2 w3', 'quorum two-of-three', '');
    writeFileSync(policyFile, policyLines.join('\n'));
    primary = {
      name: 'primary',
      dataDir: join(base, 'primary'),
      port: primaryPort!,
      url: primaryUrl,
      env: {
        ...common,
        CHANCERY_PORT: String(primaryPort),
        CHANCERY_ORIGIN: ORIGIN,
        CHANCERY_LOG_KEY_FILE: join(base, 'log.key'),
        CHANCERY_FINAL_WAIT_MS: '2000',
      },
      child: null,
      exited: Promise.resolve(),
    };
    await Promise.all([primary, ...witnesses].map(start));

    const authority = new ChanceryClient(primary.url, {
      actor: 'AUTHORITY',
      keyPair: readKeyFile(join(primary.dataDir, 'authority.key')),
    });
    const key = generateKeyPair();
    await authority.registerIdentity({
      identityId: 'UNIVERSITY',
      name: 'University',
      roles: ['issuer'],
      publicKeys: [key.publicKeyBase64],
    });
    await authority.accredit('UNIVERSITY', ['diploma']);
    issuer = { actor: 'UNIVERSITY', keyPair: key };
    client = new ChanceryClient(primary.url, issuer);
    const certified = await client.submit(
      '/v1/certifications?wait=final',
      client.sign('CertifyRecord', {
        recordDigest: randomBytes(32).toString('hex'),
        recordType: 'diploma',
        validFrom: '2026-01-01T00:00:00Z',
      }),
    );
    certificationId = certified.certificationId!;
  }, 90_000);

  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(base, { recursive: true, force: true });
  });

  it('1. all up: wait=final writes are cosigned by the quorum; mirrors replicate and fail over', async () => {
    const stats = await load(2000, 3);
    expect(stats.failures).toEqual([]);
    expect(stats.final).toBeGreaterThan(0);
    expect(stats.finalityTimeouts).toBe(0);
    await expectIdenticalProofs('all up');
    const w3 = await json<{ mirror: { upstream: string; halted: null } }>(
      witnesses[2]!,
      '/v1/federation/status',
    );
    expect(w3.mirror).toMatchObject({ upstream: primary.url, halted: null });
    const verified = jsonOf<{
      ok: boolean;
      witnessing: { quorumMet: boolean };
      state: { asOf: number | null };
    }>(
      await runCli([
        'verify',
        `${witnesses[1]!.url}/p/${certificationId}`,
        '--policy',
        policyFile,
        '--authority',
        join(primary.dataDir, 'authority.key.pub'),
        '--json',
      ]),
    );
    expect(verified).toMatchObject({ ok: true, witnessing: { quorumMet: true } });
    // A version 2 proof under a witnessed checkpoint is dated by the witnesses' cosignatures.
    expect(typeof verified.state.asOf).toBe('number');
  }, 60_000);

  /** Leaves each mirror had replicated when it was killed. */
  const sizesAtKill: number[] = [];
  const replicated = async (w: Member) =>
    (await json<{ mirror: { replicatedSize: number } }>(w, '/v1/federation/status')).mirror.replicatedSize;

  it('2. one witness killed: finality continues', async () => {
    sizesAtKill[0] = await replicated(witnesses[0]!);
    await kill(witnesses[0]!);
    const stats = await load(1500, 2);
    expect(stats.failures).toEqual([]);
    expect(stats.final).toBeGreaterThan(0);
    expect(stats.finalityTimeouts).toBe(0);
    await eventually('the latest checkpoint to be final', async () =>
      (await json<{ final: boolean }>(primary, '/v1/status')).final ? true : undefined,
    );
    await expectIdenticalProofs('one witness down');
  }, 60_000);

  it('3. two witnesses killed: writes continue, checkpoints are not final, and the status says so', async () => {
    sizesAtKill[1] = await replicated(witnesses[1]!);
    await kill(witnesses[1]!);
    const stats = await load(1500, 10);
    expect(stats.failures).toEqual([]);
    expect(stats.acknowledged).toBeGreaterThan(stats.finalityTimeouts);
    expect(stats.final).toBe(0);
    expect(stats.finalityTimeouts).toBeGreaterThan(0);
    const status = await json<{ final: boolean; checkpointTreeSize: number; finalTreeSize: number }>(
      primary,
      '/v1/status',
    );
    expect(status.final).toBe(false);
    expect(status.checkpointTreeSize).toBeGreaterThan(status.finalTreeSize);
    // The last seal after the load, and w3's answer to it, take a moment.
    const federation = await eventually('w3 to cosign the latest checkpoint', async () => {
      const f = await json<{ checkpoint: { final: boolean; cosigners: { cosigned: boolean }[] } }>(
        primary,
        '/v1/federation/status',
      );
      return f.checkpoint.cosigners[2]?.cosigned === true ? f : undefined;
    });
    expect(federation.checkpoint.final).toBe(false);
    expect(federation.checkpoint.cosigners).toEqual([
      { name: 'w1', cosigned: false, timestamp: null },
      { name: 'w2', cosigned: false, timestamp: null },
      { name: 'w3', cosigned: true, timestamp: expect.any(Number) },
    ]);
    expect(await text(primary, '/metrics')).toContain('chancery_checkpoint_final 0');
    await expectIdenticalProofs('two witnesses down');
  }, 60_000);

  it('4. both restarted: they catch up without downloading again, and finality resumes', async () => {
    await Promise.all([start(witnesses[0]!), start(witnesses[1]!)]);
    const sequenced = (await json<{ sequencedSize: number }>(primary, '/v1/log')).sequencedSize;
    for (const [i, w] of witnesses.slice(0, 2).entries()) {
      const mirror = await eventually(`${w.name} to catch up`, async () => {
        const s = await json<{ mirror: { replicatedSize: number; entriesDownloaded: number } }>(
          w,
          '/v1/federation/status',
        );
        return s.mirror.replicatedSize >= sequenced ? s.mirror : undefined;
      });
      // Resumed from its own replica after the kill -9: only what it lacked came over the wire.
      expect(sizesAtKill[i]!).toBeGreaterThan(0);
      expect(mirror.entriesDownloaded).toBeLessThanOrEqual(sequenced - sizesAtKill[i]! + 256);
    }
    await eventually(
      'finality to resume',
      async () => ((await json<{ final: boolean }>(primary, '/v1/status')).final ? true : undefined),
      20_000,
    );
    const stats = await load(1000, 2);
    expect(stats.failures).toEqual([]);
    expect(stats.finalityTimeouts).toBe(0);
    expect(stats.final).toBeGreaterThan(0);
    await expectIdenticalProofs('witnesses restarted');
  }, 60_000);

  it('5. a witness fed a forked log refuses it and raises the alarm', async () => {
    const w3 = witnesses[2]!;
    const held = (
      await json<{ witness: { logs: { origin: string; treeSize: number }[] } }>(w3, '/v1/federation/status')
    ).witness.logs[0]!;
    const forked = (treeSize: number, fill: number) =>
      formatNote(
        signNote(
          formatCheckpoint({
            origin: ORIGIN,
            treeSize,
            rootHash: new Uint8Array(32).fill(fill),
            extensions: [],
          }),
          [ed25519NoteSigner(ORIGIN, logKey.publicKey, logKey.sign)],
        ),
      );
    const add = (body: string) => fetch(`${w3.url}/add-checkpoint`, { method: 'POST', body });
    const split = await add(
      formatAddCheckpointRequest({ oldSize: held.treeSize, proof: [], checkpoint: forked(held.treeSize, 1) }),
    );
    expect(split.status).toBe(409);
    expect(split.headers.get('content-type')).toBe('text/x.tlog.size');
    const ahead = await add(
      formatAddCheckpointRequest({
        oldSize: held.treeSize,
        proof: Array.from({ length: 12 }, () => new Uint8Array(32).fill(2)),
        checkpoint: forked(held.treeSize + 1000, 3),
      }),
    );
    expect(ahead.status).toBe(422);
    const alerts = await json<{
      total: number;
      alerts: { kind: string; submitted: string; cosigned: string }[];
    }>(w3, '/v1/federation/alerts');
    expect(alerts.total).toBe(2);
    expect(alerts.alerts.map((a) => a.kind)).toEqual(['inconsistent', 'split-view']);
    expect(alerts.alerts[1]!.submitted).toBe(forked(held.treeSize, 1));
    expect(parseCheckpoint(parseNote(alerts.alerts[1]!.cosigned).text).treeSize).toBe(held.treeSize);
    const metrics = await text(w3, '/metrics');
    expect(metrics).toContain('chancery_witness_alerts_total{source="witness",kind="split-view"} 1');
    // The genuine log goes on: the fork changed nothing the federation serves.
    const stats = await load(500, 2);
    expect(stats.failures).toEqual([]);
    await expectIdenticalProofs('after the fork attempt');
  }, 60_000);
});
