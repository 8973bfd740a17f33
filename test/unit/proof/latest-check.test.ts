import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkAgainstLatest } from '../../../src/domain/proof/latest-check.js';
import { verifyProofBundle } from '../../../src/domain/proof/verify-bundle.js';
import { verifyEd25519 } from '../../../src/infrastructure/crypto/ed25519-verifier.js';
import { bundleOf, certifyOne, changeStatus, trustOf } from '../../support/real-bundles.js';
import { startTestNode, type TestNode } from '../../support/test-node.js';

/** A stale bundle served after a revocation: the page's online check against the latest checkpoint flags it. */
let t: TestNode;
beforeAll(async () => {
  t = await startTestNode();
}, 60_000);
afterAll(async () => t?.close());

it('flags a stale bundle after a revocation, passes a current one, and refuses a checkpoint of another history', async () => {
  const dept = await t.issuer('TRANSPORT', ['licence']);
  const id = await certifyOne(t, dept, 'soon revoked');
  await t.seal();
  const stale = await bundleOf(t, id);
  const staleReport = verifyProofBundle(stale, trustOf(t));
  expect(staleReport.headline).toBe('verified');
  const base = {
    bundleCheckpoint: stale['checkpoint'] as string,
    report: staleReport,
    trustedLogKeys: [t.node.log.verifierKey],
    verify: verifyEd25519,
  };
  const latestNow = (await t.get('/v1/log/checkpoint')).body;
  expect(checkAgainstLatest({ ...base, latestNote: latestNow, consistencyProof: [] }).kind).toBe('current');

  await changeStatus(t, dept, id, 'revoke');
  await t.seal();
  const latestNote = (await t.get('/v1/log/checkpoint')).body;
  const fresh = await bundleOf(t, id);
  const from = stale['treeSize'] as number;
  const to = fresh['treeSize'] as number;
  const consistency = JSON.parse((await t.get(`/v1/log/consistency?from=${from}&to=${to}`)).body) as {
    proof: string[];
  };
  const latestReport = verifyProofBundle(fresh, trustOf(t));
  expect(
    checkAgainstLatest({ ...base, latestNote, consistencyProof: consistency.proof, latestReport }),
  ).toEqual({
    kind: 'changed',
    bundleSize: from,
    latestSize: to,
    latestStatus: 'revoked',
  });
  // A consistency proof that does not hold: the latest checkpoint is not this history's continuation.
  const broken = consistency.proof.map((h, i) => (i === 0 ? `${h[0] === 'A' ? 'B' : 'A'}${h.slice(1)}` : h));
  expect(checkAgainstLatest({ ...base, latestNote, consistencyProof: broken, latestReport }).kind).toBe(
    'split-view',
  );
  // A latest checkpoint no trusted key signed gives nothing to compare with.
  expect(
    checkAgainstLatest({ ...base, latestNote: latestNote.replace(/\n\n.*$/s, '\n\n'), consistencyProof: [] })
      .kind,
  ).toBe('unknown');
}, 60_000);
