/**
 * `chancery audit` against a real primary and a mirror-witness: it lists the
 * authority actions from the log, each with an inclusion proof it checked
 * against the node's checkpoint, and a mirror gives the same list.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, runCli } from '../e2e/support/cli-process.js';
import { authorityOf, eventually } from '../support/federation-nodes.js';
import { certifySome, type OpsNetwork, postSigned, startOpsNetwork } from '../support/metrics-network.js';

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
    expect(text).toContain('4 authority action(s) in ops.example/log:');
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
});
