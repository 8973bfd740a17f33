/**
 * Real version 2 proof bundles from a real node (sequencer, state map, sealer): an active record, a
 * revoked one, a suspended one, a reinstated one, a record of a bulk batch and a revoked record of that
 * batch. For the mutation test and the regression tests of the attacks on proofs.
 */

import { createHash } from 'node:crypto';
import { batchIdFor, batchRecordIdFor } from '../../src/domain/certification/certification-id.js';
import { batchRoot } from '../../src/domain/log/index.js';
import type { VerifyBundleOptions } from '../../src/domain/proof/verify-options.js';
import { verifyEd25519 } from '../../src/infrastructure/crypto/ed25519-verifier.js';
import { generateKeyPair } from '../../src/protocol/key-pair.js';
import type { Signer } from '../../src/protocol/sign-command.js';
import { FIXED_NOW, type TestNode } from './test-node.js';

export type BundleKind =
  | 'active'
  | 'revoked'
  | 'suspended'
  | 'reinstated'
  | 'bulk'
  | 'bulkRevoked'
  | 'rotated';

export const digestHex = (label: string): string => createHash('sha256').update(label).digest('hex');

export function rootHex(digests: readonly string[]): string {
  return Buffer.from(batchRoot(digests.map((d) => new Uint8Array(Buffer.from(d, 'hex'))))).toString('hex');
}

/** Certifies one record on `t` as `issuer`; returns its certification id. */
export async function certifyOne(t: TestNode, issuer: Signer, label: string, query = ''): Promise<string> {
  const res = await t.post(
    `/v1/certifications${query}`,
    t.sign(issuer, 'CertifyRecord', {
      recordDigest: digestHex(label),
      recordType: 'licence',
      validFrom: '2026-01-01T00:00:00Z',
      validUntil: '2036-01-01T00:00:00Z',
      metadata: { label },
    }),
  );
  if (res.statusCode !== 201) throw new Error(`certify ${label}: ${res.body}`);
  return JSON.parse(res.body).certificationId as string;
}

export async function changeStatus(
  t: TestNode,
  issuer: Signer,
  id: string,
  action: 'revoke' | 'suspend' | 'reinstate',
): Promise<void> {
  const type = {
    revoke: 'RevokeCertification',
    suspend: 'SuspendCertification',
    reinstate: 'ReinstateCertification',
  }[action];
  const res = await t.post(
    `/v1/certifications/${id}/${action}`,
    t.sign(issuer, type, { certificationId: id, reason: `${action} for the test` }),
  );
  if (res.statusCode !== 200) throw new Error(`${action} ${id}: ${res.body}`);
}

/** The bundle the node serves now, parsed. */
export async function bundleOf(t: TestNode, id: string, query = ''): Promise<Record<string, unknown>> {
  const res = await t.get(`/v1/proofs/${id}${query}`);
  if (res.statusCode !== 200) throw new Error(`proof of ${id}: ${res.body}`);
  return JSON.parse(res.body) as Record<string, unknown>;
}

/** Verifier options that trust this node's log key and pin its authority key. */
export function trustOf(t: TestNode): VerifyBundleOptions {
  return {
    verify: verifyEd25519,
    trustedLogKeys: [t.node.log.verifierKey],
    authorityKeys: [t.authority.keyPair.publicKeyBase64],
    now: FIXED_NOW,
  };
}

/** One bundle of each kind, all under the same final checkpoint. */
export async function realBundles(t: TestNode): Promise<Record<BundleKind, Record<string, unknown>>> {
  const dept = await t.issuer('TRANSPORT', ['licence']);
  const active = await certifyOne(t, dept, 'active');
  const revoked = await certifyOne(t, dept, 'revoked');
  const suspended = await certifyOne(t, dept, 'suspended');
  const reinstated = await certifyOne(t, dept, 'reinstated');
  const digests = ['a', 'b', 'c', 'd', 'e'].map((l) => digestHex(`bulk ${l}`));
  const batch = await t.post('/v1/certifications/batches', {
    envelope: t.sign(
      dept,
      'CertifyBatch',
      {
        recordType: 'licence',
        validFrom: '2026-01-01T00:00:00Z',
        batchRoot: rootHex(digests),
        count: digests.length,
      },
      { commandId: 'bulk-batch-1' },
    ),
    digests,
  });
  if (batch.statusCode !== 201) throw new Error(`batch: ${batch.body}`);
  const batchId = batchIdFor('TRANSPORT', 'bulk-batch-1');
  await changeStatus(t, dept, revoked, 'revoke');
  await changeStatus(t, dept, suspended, 'suspend');
  await changeStatus(t, dept, reinstated, 'suspend');
  await changeStatus(t, dept, reinstated, 'reinstate');
  await changeStatus(t, dept, batchRecordIdFor(batchId, 3), 'revoke');
  // The department rotates to a new key with its own: that key's registration leads back to the authority's.
  const k2 = generateKeyPair();
  const rotation = await t.post(
    '/v1/identities/TRANSPORT/rotate-key',
    t.sign(dept, 'RotateIdentityKey', { identityId: 'TRANSPORT', newPublicKey: k2.publicKeyBase64 }),
  );
  if (rotation.statusCode !== 200) throw new Error(`rotate: ${rotation.body}`);
  const rotated = await certifyOne(t, { actor: 'TRANSPORT', keyPair: k2 }, 'rotated');
  await t.seal();
  return {
    active: await bundleOf(t, active),
    revoked: await bundleOf(t, revoked),
    suspended: await bundleOf(t, suspended),
    reinstated: await bundleOf(t, reinstated),
    bulk: await bundleOf(t, batchRecordIdFor(batchId, 1)),
    bulkRevoked: await bundleOf(t, batchRecordIdFor(batchId, 3)),
    rotated: await bundleOf(t, rotated),
  };
}
