/**
 * Finding 1, "hiding a revocation": certify and revoke a record (and a record of a batch), both with
 * ?wait=sealed, then edit the proof bundle so it reads "active", as a proxy or a dishonest mirror could,
 * without any key. Every edit must fail, in the verifier the page runs and in `chancery verify`.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchIdFor, batchRecordIdFor } from '../../src/domain/certification/certification-id.js';
import { verifyProofBundle } from '../../src/domain/proof/verify-bundle.js';
import { runCli } from '../e2e/support/cli-process.js';
import { bundleOf, certifyOne, digestHex, rootHex, trustOf } from '../support/real-bundles.js';
import { startTestNode, type TestNode } from '../support/test-node.js';

// biome-ignore lint/suspicious/noExplicitAny: the attacker edits the bundle as free-form JSON, field by field
type Bundle = Record<string, any>;

describe('finding 1: hiding a revocation', () => {
  let t: TestNode;
  let revoked: Bundle;
  let bulkRevoked: Bundle;
  let tmp: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'chancery-finding-1-'));
    t = await startTestNode({ sealIntervalMs: 50, listen: true });
    const dept = await t.issuer('TRANSPORT', ['licence']);
    const id = await certifyOne(t, dept, 'to be revoked', '?wait=sealed');
    const revoke = await t.post(
      `/v1/certifications/${id}/revoke?wait=sealed`,
      t.sign(dept, 'RevokeCertification', { certificationId: id, reason: 'licence withdrawn' }),
    );
    expect(revoke.statusCode, revoke.body).toBe(200);
    const digests = ['one', 'two', 'three'].map(digestHex);
    const batch = await t.post('/v1/certifications/batches?wait=sealed', {
      envelope: t.sign(
        dept,
        'CertifyBatch',
        { recordType: 'licence', validFrom: '2026-01-01T00:00:00Z', batchRoot: rootHex(digests), count: 3 },
        { commandId: 'finding-1-batch' },
      ),
      digests,
    });
    expect(batch.statusCode, batch.body).toBe(201);
    const recordId = batchRecordIdFor(batchIdFor('TRANSPORT', 'finding-1-batch'), 1);
    const revokeRecord = await t.post(
      `/v1/certifications/${recordId}/revoke?wait=sealed`,
      t.sign(dept, 'RevokeCertification', { certificationId: recordId, reason: 'record withdrawn' }),
    );
    expect(revokeRecord.statusCode, revokeRecord.body).toBe(200);
    revoked = await bundleOf(t, id);
    bulkRevoked = await bundleOf(t, recordId);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  const verdict = (bundle: unknown) => verifyProofBundle(bundle, trustOf(t));

  it('the genuine bundles say revoked', () => {
    expect(verdict(revoked).headline).toBe('revoked');
    expect(verdict(bulkRevoked).headline).toBe('revoked');
  });

  it("the issue's edit, the status replaced by the certification entry (a version 1 bundle), fails", () => {
    const v1 = structuredClone(revoked);
    const downgrade = {
      version: 1,
      certificationId: v1.certificationId,
      entry: v1.entry,
      leafIndex: v1.leafIndex,
      inclusionProof: v1.inclusionProof,
      treeSize: v1.treeSize,
      checkpoint: v1.checkpoint,
      status: {
        status: 'active',
        entry: v1.entry,
        leafIndex: v1.leafIndex,
        inclusionProof: v1.inclusionProof,
      },
      key: {
        keyId: v1.entry.envelope.signature.keyId,
        identityId: 'TRANSPORT',
        publicKey: v1.state.key.value.publicKey,
        activeFrom: '2026-11-21T10:00:00Z',
        retiredAt: null,
      },
    };
    const report = verdict(downgrade);
    expect(report.ok).toBe(false);
    expect(report.headline).toBe('not-verified');
    // Without a pinned authority key too: the checkpoint commits to the state, so the status step refuses.
    const { authorityKeys: _a, ...unpinned } = trustOf(t);
    const bare = verifyProofBundle(downgrade, unpinned);
    expect(bare.ok).toBe(false);
    expect(bare.steps.find((s) => s.id === 'status')).toMatchObject({
      ok: false,
      detail:
        "this log's checkpoint commits to the current state, which a version 1 bundle cannot show: ask for a current (version 2) proof",
    });
  });

  it('the same with a bulk record, using the batch entry as the status, fails', () => {
    const b = structuredClone(bulkRevoked);
    const downgrade = {
      version: 1,
      certificationId: b.certificationId,
      entry: b.entry,
      leafIndex: b.leafIndex,
      inclusionProof: b.inclusionProof,
      treeSize: b.treeSize,
      checkpoint: b.checkpoint,
      status: { status: 'active', entry: b.entry, leafIndex: b.leafIndex, inclusionProof: b.inclusionProof },
      key: {
        keyId: b.entry.envelope.signature.keyId,
        identityId: 'TRANSPORT',
        publicKey: b.state.key.value.publicKey,
        activeFrom: '2026-11-21T10:00:00Z',
        retiredAt: null,
      },
      batch: b.batch,
    };
    expect(verdict(downgrade).headline).toBe('not-verified');
  });

  it('a version 2 bundle with its state rewritten to active fails: the state map proof no longer leads to the root', () => {
    const edited = structuredClone(revoked);
    edited.state.certification.value.status = 'active';
    edited.state.certification.value.setAt = edited.leafIndex;
    delete edited.statusEntry;
    const report = verdict(edited);
    expect(report.headline).toBe('not-verified');
    expect(report.steps.find((s) => s.id === 'status')?.detail).toMatch(
      /^the certification state is not what the checkpoint's state map holds for certification\/crt_\w+: the proof for "certification\/crt_\w+" does not lead to the map root$/,
    );
  });

  it("a bulk record's own revoked state replaced by an absence (as if never changed) fails", () => {
    const edited = structuredClone(bulkRevoked);
    edited.state.certification.value = null;
    delete edited.statusEntry;
    expect(verdict(edited).headline).toBe('not-verified');
  });

  it('the status step never claims "no revocation in the first N entries" when one is inside them', () => {
    for (const bundle of [revoked, bulkRevoked]) {
      const report = verdict(bundle);
      expect(report.steps.some((s) => /no suspension or revocation/.test(s.detail))).toBe(false);
    }
  });

  it('chancery verify exits 1 on the edited bundles', async () => {
    const edited = structuredClone(revoked);
    edited.state.certification.value.status = 'active';
    edited.state.certification.value.setAt = edited.leafIndex;
    delete edited.statusEntry;
    const file = join(tmp, 'edited.json');
    writeFileSync(file, JSON.stringify(edited));
    const trust = ['--trust', t.node.log.verifierKey, '--authority', t.authority.keyPair.publicKeyBase64];
    const run = await runCli(['verify', file, ...trust, '--at', '2026-11-21T12:00:00Z']);
    expect(run.code).toBe(1);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(/^NOT VERIFIED: 1 of \d+ checks failed$/);
    const genuine = join(tmp, 'genuine.json');
    writeFileSync(genuine, JSON.stringify(revoked));
    const honest = await runCli(['verify', genuine, ...trust, '--at', '2026-11-21T12:00:00Z']);
    expect(honest.code).toBe(1);
    expect(honest.stdout.trimEnd().split('\n').at(-1)).toBe(
      'REVOKED: the record is authentic, and the log proves it revoked',
    );
  }, 60_000);
});
