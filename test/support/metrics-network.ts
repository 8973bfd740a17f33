/**
 * A small federation for the operations tests (metrics, alerts, dashboard,
 * console): a primary and two mirror-witnesses in process on loopback
 * sockets, the primary asking both to cosign with a quorum of two, so losing
 * either witness loses the quorum.
 */

import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatVerifierKey, SIGNATURE_TYPE_ED25519 } from '../../src/domain/log/index.js';
import { generateKeyPair, writeKeyFiles } from '../../src/protocol/key-pair.js';
import { type Signer, signCommand } from '../../src/protocol/sign-command.js';
import { authorityOf, type LiveNode, startLiveNode } from './federation-nodes.js';

export const NETWORK_ORIGIN = 'ops.example/log';

export interface OpsNetwork {
  readonly primary: LiveNode;
  readonly witnesses: LiveNode[];
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startOpsNetwork(
  options: { quorum?: number; clock?: () => number } = {},
): Promise<OpsNetwork> {
  const logKey = generateKeyPair();
  const logVkey = formatVerifierKey(NETWORK_ORIGIN, SIGNATURE_TYPE_ED25519, logKey.publicKey);
  const keyDir = mkdtempSync(join(tmpdir(), 'chancery-ops-logkey-'));
  writeKeyFiles(join(keyDir, 'log.key'), logKey);
  const primaryPort = await freePort();
  const primaryUrl = `http://127.0.0.1:${primaryPort}`;
  const witnesses: LiveNode[] = [];
  for (const name of ['witness-a', 'witness-b'])
    witnesses.push(
      await startLiveNode({
        federation: { role: 'mirror', upstream: [primaryUrl], trust: logVkey, witnessName: name },
      }),
    );
  const primary = await startLiveNode({
    port: primaryPort,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    env: {
      CHANCERY_ORIGIN: NETWORK_ORIGIN,
      CHANCERY_LOG_KEY_FILE: join(keyDir, 'log.key'),
      // Mirror lag as the primary sees it, asked often so a test sees it move.
      CHANCERY_MIRROR_PROBE_MS: '200',
      // Node history sampled often, so a test sees samples (the ring keeps 1440 whatever the interval).
      CHANCERY_HISTORY_INTERVAL_MS: '500',
    },
    federation: {
      witness: witnesses.map((w) => `${w.url}=${w.node.federation.witness!.identity.vkey}`),
      witnessQuorum: options.quorum ?? 2,
    },
  });
  return {
    primary,
    witnesses,
    async close() {
      await primary.close();
      for (const w of witnesses) await w.close();
    },
  };
}

/** Posts a signed command (issued now: the nodes run on real time) through real HTTP and fails the test on a refusal. */
export async function postSigned(node: LiveNode, path: string, signer: Signer, type: string, fields: object) {
  const response = await fetch(`${node.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(signCommand(signer, type, fields as never)),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (response.status >= 300) throw new Error(`${path} ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

/** An accredited issuer and `count` certifications: real writes the series must count. */
export async function certifySome(primary: LiveNode, code: string, count: number): Promise<Signer> {
  const keyPair = generateKeyPair();
  const authority = authorityOf(primary);
  await postSigned(primary, '/v1/identities', authority, 'RegisterIdentity', {
    identityId: code,
    name: code,
    roles: ['issuer'],
    publicKeys: [keyPair.publicKeyBase64],
  });
  await postSigned(primary, `/v1/identities/${code}/accredit`, authority, 'AccreditIdentity', {
    identityId: code,
    recordTypes: ['licence'],
  });
  const issuer = { actor: code, keyPair };
  for (let i = 0; i < count; i++)
    await postSigned(primary, '/v1/certifications', issuer, 'CertifyRecord', {
      recordDigest: createHash('sha256').update(`${code} ${i} ${Math.random()}`).digest('hex'),
      recordType: 'licence',
      validFrom: '2026-01-01T00:00:00Z',
    });
  return issuer;
}
