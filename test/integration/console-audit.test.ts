/**
 * `chancery audit` against a real primary and a mirror-witness: it lists the
 * authority actions from the log, each with an inclusion proof it checked
 * against the node's checkpoint, whose signature it checked against the log
 * key, and a mirror gives the same list. Through a tampering proxy (a proof
 * hash or the checkpoint's root changed on the way) or with a wrong key it
 * fails with exit 1 and says which check failed.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatVerifierKey, SIGNATURE_TYPE_ED25519 } from '../../src/domain/log/index.js';
import { generateKeyPair } from '../../src/protocol/key-pair.js';
import { jsonOf, runCli } from '../e2e/support/cli-process.js';
import { authorityOf, eventually } from '../support/federation-nodes.js';
import {
  certifySome,
  NETWORK_ORIGIN,
  type OpsNetwork,
  postSigned,
  startOpsNetwork,
} from '../support/metrics-network.js';

/** Flips one bit of a base64 hash. */
function flipped(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0]! ^= 1;
  return bytes.toString('base64');
}

/** The fields of the node's answers the proxies change. */
interface Answer {
  readonly leafIndex?: number;
  readonly proof: string[];
  readonly checkpoint?: unknown;
}

/** Forwards to `target`, letting `tamper` rewrite the JSON answer of some paths: a node or network that lies. */
async function tamperingProxy(
  target: string,
  tamper: (path: string, body: Answer) => unknown,
): Promise<Server> {
  const server = createServer(async (request, response) => {
    const upstream = await fetch(`${target}${request.url}`, { headers: { accept: 'application/json' } });
    let body = await upstream.text();
    if (upstream.ok)
      body = JSON.stringify(tamper(new URL(request.url!, target).pathname, JSON.parse(body) as Answer));
    response.writeHead(upstream.status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const proxyUrl = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

interface Audit {
  treeSize: number;
  actions: {
    leafIndex: number;
    action: string;
    subject: string;
    by: string;
    proof: string[] | null;
    included: boolean;
  }[];
}

describe('chancery audit', () => {
  let network: OpsNetwork;

  beforeAll(async () => {
    network = await startOpsNetwork();
    const { primary } = network;
    await certifySome(primary, 'TRANSPORT', 1);
    await postSigned(primary, '/v1/identities/TRANSPORT/revoke', authorityOf(primary), 'RevokeIdentity', {
      identityId: 'TRANSPORT',
      reason: 'audit test',
    });
    await primary.node.sealer.sealNow();
  }, 60_000);

  afterAll(async () => {
    await network?.close();
  });

  it('lists every authority action with a checked inclusion proof, and ignores certifications', async () => {
    const audit = jsonOf<Audit>(await runCli(['audit', '--url', network.primary.url, '--json']));
    expect(audit.actions.map((a) => [a.action, a.subject, a.by])).toEqual([
      ['IdentityRegistered', 'AUTHORITY', expect.any(String)],
      ['IdentityRegistered', 'TRANSPORT', 'AUTHORITY'],
      ['IdentityAccredited', 'TRANSPORT', 'AUTHORITY'],
      ['IdentityRevoked', 'TRANSPORT', 'AUTHORITY'],
    ]);
    for (const a of audit.actions) {
      expect(a.included, `entry ${a.leafIndex}`).toBe(true);
      expect(a.proof!.length).toBeGreaterThan(0);
    }
    const text = (await runCli(['audit', '--url', network.primary.url])).stdout;
    expect(text).toContain('4 authority action(s) in ops.example/log; checkpoint ');
    expect(text).toContain(
      'signed by ops.example/log (key as the node states it, not pinned: give --trust):',
    );
    expect(text).toMatch(/IdentityRevoked {2}TRANSPORT {2}by AUTHORITY {2}\(proof ok\)/);
  });

  it('gives the same actions from a mirror-witness', async () => {
    const primaryAudit = jsonOf<Audit>(await runCli(['audit', '--url', network.primary.url, '--json']));
    const mirror = network.witnesses[0]!;
    await eventually('the mirror to accept the checkpoint', async () =>
      (await mirror.json<{ treeSize: number }>('/v1/log')).treeSize >= primaryAudit.treeSize
        ? true
        : undefined,
    );
    const mirrorAudit = jsonOf<Audit>(await runCli(['audit', '--url', mirror.url, '--json']));
    expect(mirrorAudit.actions.map((a) => a.leafIndex)).toEqual(primaryAudit.actions.map((a) => a.leafIndex));
    expect(mirrorAudit.actions.every((a) => a.included)).toBe(true);
  });

  it('checks the checkpoint against a pinned key: the log key passes, another key fails with exit 1', async () => {
    const { logVerifierKey } = await network.primary.json<{ logVerifierKey: string }>('/v1/status');
    const pinned = jsonOf<Audit & { logKey: { pinned: boolean; signatureValid: boolean } }>(
      await runCli(['audit', '--url', network.primary.url, '--trust', logVerifierKey, '--json']),
    );
    expect(pinned.logKey).toEqual({ vkey: logVerifierKey, pinned: true, signatureValid: true });
    const viaEnv = await runCli(['audit', '--url', network.primary.url], { CHANCERY_TRUST: logVerifierKey });
    expect(viaEnv.code).toBe(0);
    expect(viaEnv.stdout).toContain('(key pinned)');
    // Same log name, another key: what a node signing with a key of its own would present.
    const other = formatVerifierKey(NETWORK_ORIGIN, SIGNATURE_TYPE_ED25519, generateKeyPair().publicKey);
    const wrong = await runCli(['audit', '--url', network.primary.url, '--trust', other]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toContain(
      `checkpoint signature fails: the node's checkpoint is not signed by ${other}`,
    );
    const malformed = await runCli(['audit', '--url', network.primary.url, '--trust', 'not-a-key']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain("--trust not-a-key: not the log's C2SP Ed25519 verifier key");
  });

  it('fails with exit 1 when a proxy changes a proof hash or the checkpoint root on the way', async () => {
    const { logVerifierKey } = await network.primary.json<{ logVerifierKey: string }>('/v1/status');
    const badProof = await tamperingProxy(network.primary.url, (path, body) =>
      path === '/v1/log/proofs/inclusion' && body.leafIndex === 2
        ? { ...body, proof: [flipped(body.proof[0]!), ...body.proof.slice(1)] }
        : body,
    );
    const badRoot = await tamperingProxy(network.primary.url, (path, body) => {
      if (path !== '/v1/log' || typeof body.checkpoint !== 'string') return body;
      const lines = body.checkpoint.split('\n');
      lines[2] = flipped(lines[2]!);
      return { ...body, checkpoint: lines.join('\n') };
    });
    try {
      const proof = await runCli(['audit', '--url', proxyUrl(badProof), '--trust', logVerifierKey]);
      expect(proof.code).toBe(1);
      expect(proof.stderr).toContain('inclusion proofs fail for entries 2');
      // Without a pinned key too: the root no longer matches the signature the node made.
      for (const trust of [['--trust', logVerifierKey], []]) {
        const root = await runCli(['audit', '--url', proxyUrl(badRoot), ...trust]);
        expect(root.code, root.stderr).toBe(1);
        expect(root.stderr).toContain("checkpoint signature fails: the node's checkpoint is not signed by");
        expect(root.stderr).toContain('invalid signature by ops.example/log');
      }
    } finally {
      badProof.close();
      badRoot.close();
    }
  });
});
