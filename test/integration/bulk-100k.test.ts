/**
 * A 100,000-record batch end to end on a real node: upload (6.7 MB of JSON),
 * root check, atomic append, projection of every record and its batch tree,
 * then a sealed proof of a record that verifies. Memory is watched the whole
 * time: the node holds the digest list while it handles the request, never
 * anything per record beyond it, so RSS grows by a bounded amount.
 * Performance is the benchmark's business (bench/bulk.bench.ts), not this test's.
 */

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchRecordIdFor } from '../../src/domain/certification/certification-id.js';
import { batchRoot } from '../../src/domain/log/index.js';
import { verifyProofBundle } from '../../src/domain/proof/verify-bundle.js';
import { verifyEd25519 } from '../../src/infrastructure/crypto/ed25519-verifier.js';
import { FIXED_NOW, startTestNode, type TestNode } from '../support/test-node.js';

const COUNT = 100_000;
/**
 * Generous on purpose: the request body (6.7 MB), its parsed form (~10 MB of
 * strings), the events and their JSON (~15 MB), the store's and projector's
 * pages, and V8's heap slack. Holding something per record beyond the digest
 * list (or leaking the list) would cross it.
 */
const MAX_RSS_GROWTH_MIB = 256;

describe('a 100,000-record batch', () => {
  let t: TestNode;
  let university: Awaited<ReturnType<TestNode['issuer']>>;

  beforeAll(async () => {
    t = await startTestNode();
    university = await t.issuer('UNIVERSITY', ['diploma']);
  });
  afterAll(async () => t?.close());

  it('is certified, projected and proven with bounded memory', async () => {
    const digests: string[] = new Array(COUNT);
    const packed = new Uint8Array(COUNT * 32);
    for (let i = 0; i < COUNT; i++) {
      const digest = createHash('sha256').update(`diploma ${i}`).digest();
      packed.set(digest, i * 32);
      digests[i] = digest.toString('hex');
    }
    const root = Buffer.from(
      batchRoot(Array.from({ length: COUNT }, (_, i) => packed.subarray(i * 32, (i + 1) * 32))),
    ).toString('hex');
    const envelope = t.sign(university, 'CertifyBatch', {
      recordType: 'diploma',
      validFrom: '2026-07-01T00:00:00Z',
      batchRoot: root,
      count: COUNT,
    });
    let body: string | undefined = JSON.stringify({ envelope, digests });
    expect(body.length).toBeGreaterThan(6_500_000);

    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    let res: Awaited<ReturnType<TestNode['postRaw']>>;
    try {
      res = await t.postRaw('/v1/certifications/batches', body);
      body = undefined;
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(res.statusCode, res.body.slice(0, 500)).toBe(201);
    const result = JSON.parse(res.body);
    expect(result).toMatchObject({ count: COUNT, batchRoot: root, replayed: false });
    expect(result.events).toHaveLength(1 + Math.ceil(COUNT / 512));
    const growthMiB = (peak - baseline) / 1024 / 1024;
    console.info(`[bulk 100k] RSS grew by ${growthMiB.toFixed(0)} MiB during the request`);
    expect(growthMiB).toBeLessThan(MAX_RSS_GROWTH_MIB);

    expect(t.node.db.prepare('SELECT count(*) FROM batch_records').pluck().get()).toBe(COUNT);
    await t.seal();
    for (const index of [0, 65_535, 65_536, COUNT - 1]) {
      const id = batchRecordIdFor(result.batchId, index);
      const proof = await t.get(`/v1/proofs/${id}`);
      expect(proof.statusCode).toBe(200);
      const bundle = JSON.parse(proof.body);
      // ⌈log2 100,000⌉ = 17 at most; the last records sit in a smaller right subtree.
      expect(bundle.batch.path.length).toBeLessThanOrEqual(17);
      const report = verifyProofBundle(bundle, {
        verify: verifyEd25519,
        trustedLogKeys: [t.node.log.verifierKey],
        authorityKeys: [t.authority.keyPair.publicKeyBase64],
        now: FIXED_NOW,
        expectedCertificationId: id,
        documentDigest: digests[index]!,
      });
      expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    }
  });
});
