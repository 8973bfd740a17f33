/**
 * A mirror follows its primary's trust policy only in the form the log key
 * signed, and only forwards. The adversary is a proxy between the mirror and
 * the primary (or a hostile upstream mirror): it can rewrite any answer, but
 * it does not hold the log key. It tries to
 *  (1) rewrite the witness list of the signed policy,
 *  (2) strip the signature (serve the bare note text),
 *  (3) replay an older signed policy to roll the mirror back, also across a
 *      mirror restart;
 * the mirror refuses each, keeps the policy it follows, and says so in its
 * status, its open alerts and a `mirror_policy_refused` warning. Honestly
 * relayed, a changed policy (the primary restarted with a witness) is followed
 * without a mirror restart and served on byte for byte.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noticeEventOf } from '../../src/cli/commands/start-notices.js';
import { readSignedPolicy } from '../../src/domain/federation/index.js';
import {
  ed25519NoteVerifier,
  formatVerifierKey,
  formatWitnessKey,
  parseNote,
  SIGNATURE_TYPE_ED25519,
} from '../../src/domain/log/index.js';
import { verifyEd25519 } from '../../src/infrastructure/crypto/ed25519-verifier.js';
import { generateKeyPair, writeKeyFiles } from '../../src/protocol/key-pair.js';
import { eventually, type LiveNode, startLiveNode } from '../support/federation-nodes.js';
import { type ProxiedAnswer, startTamperingProxy, type TamperingProxy } from '../support/tampering-proxy.js';
import { FIXED_NOW } from '../support/test-node.js';

/** The first policy's sequence: the primary's clock in Unix seconds. */
const FIRST = Math.floor(FIXED_NOW / 1000);

type Tamper = (path: string, answer: ProxiedAnswer) => ProxiedAnswer | undefined;

const ORIGIN = 'province.example/log';
const NOTE = '/v1/federation/policy/note';

interface MirrorView {
  policy: { digest: string; quorum: string; witnesses: { name: string }[] } | null;
  mirror: {
    policySequence: number | null;
    policyRefused: { reason: string; upstream: string; at: string } | null;
    halted: string | null;
  };
}

describe('a mirror following the log-signed trust policy through a tampering proxy', () => {
  const logKey = generateKeyPair();
  const logVkey = formatVerifierKey(ORIGIN, SIGNATURE_TYPE_ED25519, logKey.publicKey);
  const keyDir = mkdtempSync(join(tmpdir(), 'chancery-policy-'));
  const witnessVkey = formatWitnessKey('witness.example/w1', generateKeyPair().publicKey);
  const notices: string[] = [];
  let primary: LiveNode;
  let mirror: LiveNode;
  let proxy: TamperingProxy;
  let tamper: Tamper = () => undefined;
  let firstNote = '';

  const primaryEnv = () => ({ CHANCERY_ORIGIN: ORIGIN, CHANCERY_LOG_KEY_FILE: join(keyDir, 'log.key') });
  const view = () => mirror.json<MirrorView>('/v1/federation/status');
  const startMirror = (dataDir?: string) =>
    startLiveNode({
      ...(dataDir === undefined ? {} : { dataDir }),
      federation: { role: 'mirror', upstream: [proxy.url], trust: logVkey },
      notice: (line) => notices.push(line),
    });
  /** Waits for the mirror to refuse for `reason` (exactly, or matching), then hands back its status. */
  const refusal = (reason: string | RegExp) =>
    eventually(`the mirror to refuse: ${reason}`, async () => {
      const status = await view();
      const said = status.mirror.policyRefused?.reason ?? '';
      return (typeof reason === 'string' ? said === reason : reason.test(said)) ? status : undefined;
    });

  beforeAll(async () => {
    writeKeyFiles(join(keyDir, 'log.key'), logKey);
    primary = await startLiveNode({ clock: () => FIXED_NOW, env: primaryEnv() });
    proxy = await startTamperingProxy(primary.url, { answer: (path, answer) => tamper(path, answer) });
    mirror = await startMirror();
  });

  afterAll(async () => {
    await mirror?.close();
    await primary?.close();
    await proxy?.close();
    for (const node of [primary, mirror])
      if (node !== undefined) rmSync(node.dataDir, { recursive: true, force: true });
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('the primary serves its policy as a note signed by the log key, sequence = its clock in seconds, beside the plain text', async () => {
    firstNote = await primary.text(NOTE);
    const text = await primary.text('/v1/federation/policy');
    expect(
      firstNote.startsWith(`chancery.trust-policy/v1\norigin ${ORIGIN}\nsequence ${FIRST}\n${text}\n\u2014 `),
    ).toBe(true);
    const signed = readSignedPolicy(firstNote, ed25519NoteVerifier(logVkey, verifyEd25519), logVkey);
    expect(signed.sequence).toBe(FIRST);
    expect(signed.policy.text).toBe(text);
    expect(text).toBe(`log ${logVkey}\nquorum none\n`);
  });

  it('follows it, and serves the same signed note on', async () => {
    const status = await eventually('the mirror to adopt the first sequence', async () => {
      const s = await view();
      return s.mirror.policySequence === FIRST ? s : undefined;
    });
    expect(status.mirror.policyRefused).toBeNull();
    expect(status.policy?.quorum).toBe('no cosignature required');
    expect(await mirror.text(NOTE)).toBe(firstNote);
    expect(notices.filter((l) => noticeEventOf(l).event === 'mirror_policy_followed')).toHaveLength(1);
  });

  it('follows an honest change without a restart: the primary restarted with a witness signs the next sequence', async () => {
    const { dataDir, url } = primary;
    await primary.close();
    primary = await startLiveNode({
      clock: () => FIXED_NOW,
      dataDir,
      port: Number(new URL(url).port),
      env: primaryEnv(),
      federation: { witness: [`http://127.0.0.1:9=${witnessVkey}`], witnessQuorum: 1 },
    });
    const signed = await primary.text(NOTE);
    expect(
      signed.startsWith(`chancery.trust-policy/v1\norigin province.example/log\nsequence ${FIRST + 1}\n`),
    ).toBe(true);
    const status = await eventually('the mirror to follow the next sequence', async () => {
      const s = await view();
      return s.mirror.policySequence === FIRST + 1 ? s : undefined;
    });
    expect(status.policy?.witnesses.map((w) => w.name)).toEqual(['witness.example/w1']);
    expect(status.mirror.policyRefused).toBeNull();
    expect(await mirror.text(NOTE)).toBe(signed);
  });

  it('(1) refuses the witness list rewritten under the log signature', async () => {
    const before = await view();
    tamper = (path, answer) =>
      path === NOTE
        ? {
            ...answer,
            body: answer.body
              .replace(/witness witness\.example\/w1 \S+ \S+\n/, '')
              .replace(/group .*\n/, '')
              .replace(/quorum \S+/, 'quorum none'),
          }
        : undefined;
    const status = await refusal(
      /^not a policy signed by the log key: invalid signature by province\.example\/log\+/,
    );
    expect(status.mirror.policyRefused?.upstream).toBe(proxy.url);
    expect(status.mirror.policySequence).toBe(FIRST + 1);
    expect(status.policy).toEqual(before.policy);
    expect(status.mirror.halted).toBeNull();
    const operations = await mirror.json<{ alerts: { kind: string; severity: string; detail: string }[] }>(
      '/v1/operations',
    );
    expect(operations.alerts).toContainEqual({
      id: 'policy-refused',
      kind: 'policy-refused',
      severity: 'warning',
      subject: null,
      detail: `refused the trust policy of ${proxy.url}, kept its own: ${status.mirror.policyRefused?.reason}`,
    });
    const warned = notices.filter((l) => noticeEventOf(l).event === 'mirror_policy_refused');
    expect(warned).toEqual([
      `mirror: refused the trust policy of ${proxy.url}: ${status.mirror.policyRefused?.reason}; it keeps sequence ${FIRST + 1}`,
    ]);
    expect(noticeEventOf(warned[0]!).level).toBe('warn');
  });

  it('(2) refuses the note stripped of its signature', async () => {
    tamper = (path, answer) => (path === NOTE ? { ...answer, body: parseNote(answer.body).text } : undefined);
    const status = await refusal(
      'not a policy signed by the log key: note has no blank line before its signatures',
    );
    expect(status.mirror.policySequence).toBe(FIRST + 1);
    expect(await mirror.text(NOTE)).toBe(await primary.text(NOTE));
  });

  it('(3) refuses an older signed policy replayed to roll it back, also after a restart', async () => {
    tamper = (path, answer) => (path === NOTE ? { ...answer, body: firstNote } : undefined);
    const reason = `sequence ${FIRST} is older than sequence ${FIRST + 1}, which this mirror follows (a rollback)`;
    let status = await refusal(/rollback/);
    expect(status.mirror.policyRefused?.reason).toBe(reason);
    expect(status.policy?.witnesses.map((w) => w.name)).toEqual(['witness.example/w1']);
    // A restarted mirror remembers which version it follows (DATA/federation.db), so the replay still fails.
    const dataDir = mirror.dataDir;
    await mirror.close();
    mirror = await startMirror(dataDir);
    status = await refusal(/rollback/);
    expect(status.mirror.policySequence).toBe(FIRST + 1);
    expect(status.policy?.witnesses.map((w) => w.name)).toEqual(['witness.example/w1']);
    expect(await mirror.text(NOTE)).toBe(await primary.text(NOTE));
  });

  it('clears the refusal once the proxy relays the primary honestly again', async () => {
    tamper = () => undefined;
    const status = await eventually('the refusal to clear', async () => {
      const s = await view();
      return s.mirror.policyRefused === null ? s : undefined;
    });
    expect(status.mirror.policySequence).toBe(FIRST + 1);
    const operations = await mirror.json<{ alerts: { kind: string }[] }>('/v1/operations');
    expect(operations.alerts.map((a) => a.kind)).not.toContain('policy-refused');
  });

  it('follows a primary that lost its federation.db: its next policy is signed above any it signed before', async () => {
    const { dataDir, url } = primary;
    await primary.close();
    rmSync(join(dataDir, 'federation.db'), { force: true });
    rmSync(join(dataDir, 'federation.db-wal'), { force: true });
    rmSync(join(dataDir, 'federation.db-shm'), { force: true });
    // An hour later, back to the policy without a witness: a count restarted at 1 would be a rollback.
    primary = await startLiveNode({
      clock: () => FIXED_NOW + 3_600_000,
      dataDir,
      port: Number(new URL(url).port),
      env: primaryEnv(),
    });
    const later = FIRST + 3600;
    expect((await primary.text(NOTE)).split('\n')[2]).toBe(`sequence ${later}`);
    const status = await eventually('the mirror to follow the new primary', async () => {
      const s = await view();
      return s.mirror.policySequence === later ? s : undefined;
    });
    expect(status.mirror.policyRefused).toBeNull();
    expect(status.policy?.witnesses).toEqual([]);
  });
});
