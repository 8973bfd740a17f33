/**
 * Bulk certification on a real node (store, projector, sequencer, sealer):
 * the upload route, its refusals with nothing written, per-record views and
 * proofs that verify, individual revocation, retries, and a rebuild of the
 * node's database from the event store alone.
 */

import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_DIR } from '../../src/api/schemas/schema-files.js';
import type { ProofBundleV2Json } from '../../src/application/proofs/proof-bundle-v2-builder.js';
import { ChanceryClient } from '../../src/client/chancery-client.js';
import { batchIdFor, batchRecordIdFor } from '../../src/domain/certification/certification-id.js';
import { batchRoot, parseTlogProof } from '../../src/domain/log/index.js';
import { verifyProofBundle } from '../../src/domain/proof/verify-bundle.js';
import { verifyEd25519 } from '../../src/infrastructure/crypto/ed25519-verifier.js';
import { startNode } from '../../src/node/chancery-node.js';
import { resolveNodeConfig } from '../../src/node/node-config.js';
import { SIGNED_COMMAND_HEADER } from '../../src/protocol/signed-command-header.js';
import { expectedProblem } from '../support/expected-problem.js';
import { FIXED_NOW, startTestNode, type TestNode } from '../support/test-node.js';

const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

function validator(file: string) {
  const ajv = addFormats(new Ajv2020({ strict: true, allErrors: true }));
  ajv.addSchema(JSON.parse(readFileSync(`${SCHEMA_DIR}/common.json`, 'utf8')));
  ajv.addSchema(JSON.parse(readFileSync(`${SCHEMA_DIR}/api/log-defs.json`, 'utf8')));
  if (file === 'proof-bundle-v2.json')
    ajv.addSchema(JSON.parse(readFileSync(`${SCHEMA_DIR}/proof-bundle-v1.json`, 'utf8')));
  return ajv.compile(JSON.parse(readFileSync(`${SCHEMA_DIR}/${file}`, 'utf8')));
}

const digestHex = (i: number): string => createHash('sha256').update(`diploma no. ${i}`).digest('hex');

function rootHex(digests: readonly string[]): string {
  return Buffer.from(batchRoot(digests.map((d) => new Uint8Array(Buffer.from(d, 'hex'))))).toString('hex');
}

const COUNT = 1030;
const DIGESTS = Array.from({ length: COUNT }, (_, i) => digestHex(i));
const FIELDS = {
  recordType: 'diploma',
  validFrom: '2026-07-01T00:00:00Z',
  validUntil: null,
  metadata: { ceremony: 'summer 2026' },
};

describe('bulk certification on a real node', () => {
  let t: TestNode;
  let university: Awaited<ReturnType<TestNode['issuer']>>;
  let batchId: string;
  const validateBundle = validator('proof-bundle-v2.json');
  const validateResult = validator('api/batch-write-result.json');
  const options = () => ({
    verify: verifyEd25519,
    trustedLogKeys: [t.node.log.verifierKey],
    authorityKeys: [t.authority.keyPair.publicKeyBase64],
    now: FIXED_NOW,
  });

  const commandHeader = (envelope: unknown) => Buffer.from(JSON.stringify(envelope)).toString('base64url');
  /** As ChanceryClient sends it: the signed command in the header too, so bodies above 64 KiB are taken. */
  const upload = (envelope: unknown, digests: readonly string[], query = '') =>
    t.node.app.inject({
      method: 'POST',
      url: `/v1/certifications/batches${query}`,
      payload: { envelope, digests },
      headers: { [SIGNED_COMMAND_HEADER]: commandHeader(envelope) },
    });

  const batchEnvelope = (
    digests: readonly string[],
    overrides: Record<string, unknown> = {},
    commandId?: string,
  ) =>
    t.sign(
      university,
      'CertifyBatch',
      { ...FIELDS, batchRoot: rootHex(digests), count: digests.length, ...overrides },
      commandId === undefined ? {} : { commandId },
    );

  beforeAll(async () => {
    t = await startTestNode();
    university = await t.issuer('UNIVERSITY', ['diploma']);
    await t.issuer('COLLEGE', ['diploma']);
  });
  afterAll(async () => t?.close());

  it('certifies 1,030 records in one signed command: one batch entry and the digests in slices', async () => {
    const before = await t.lastPosition();
    const envelope = batchEnvelope(DIGESTS, {}, 'graduation-2026');
    const res = await upload(envelope, DIGESTS);
    expect(res.statusCode, res.body).toBe(201);
    const body = JSON.parse(res.body);
    expect(validateResult(body), JSON.stringify(validateResult.errors)).toBe(true);
    batchId = batchIdFor('UNIVERSITY', 'graduation-2026');
    expect(body).toEqual({
      commandId: 'graduation-2026',
      type: 'CertifyBatch',
      stream: `batch-${batchId}`,
      position: ((before ?? 0n) + 4n).toString(),
      streamRevision: '3',
      events: ['BatchCertified', 'BatchDigestsRecorded', 'BatchDigestsRecorded', 'BatchDigestsRecorded'],
      batchId,
      count: COUNT,
      batchRoot: rootHex(DIGESTS),
      proofUrlBase: `${t.node.url}/p/`,
      replayed: false,
    });
    expect(await t.lastPosition()).toBe((before ?? 0n) + 4n);
  });

  it('answers a retry of the same command from what was written, writing nothing', async () => {
    const before = await t.lastPosition();
    const res = await upload(batchEnvelope(DIGESTS, {}, 'graduation-2026'), DIGESTS);
    expect(res.statusCode).toBe(201);
    expect(JSON.parse(res.body)).toMatchObject({ batchId, replayed: true, count: COUNT });
    expect(await t.lastPosition()).toBe(before);
  });

  it('serves each record as a certification of its own, and the batch', async () => {
    const id = batchRecordIdFor(batchId, 700);
    const view = JSON.parse((await t.get(`/v1/certifications/${id}`)).body);
    expect(view).toMatchObject({
      certificationId: id,
      issuerId: 'UNIVERSITY',
      recordDigest: DIGESTS[700],
      recordType: 'diploma',
      subjectRef: null,
      validFrom: '2026-07-01T00:00:00Z',
      validUntil: null,
      metadata: { ceremony: 'summer 2026' },
      status: 'active',
      keyId: university.keyPair.keyId,
      proofUrl: `${t.node.url}/p/${id}`,
      batch: { batchId, index: 700 },
    });
    expect(view.statusHistory).toEqual([
      {
        status: 'active',
        reason: null,
        at: '2026-11-21T10:00:00Z',
        by: 'UNIVERSITY',
        position: view.position,
      },
    ]);
    const batch = await t.get(`/v1/certifications/batches/${batchId}`);
    expect(batch.statusCode).toBe(200);
    expect(JSON.parse(batch.body)).toEqual({
      batchId,
      issuerId: 'UNIVERSITY',
      recordType: 'diploma',
      validFrom: '2026-07-01T00:00:00Z',
      validUntil: null,
      metadata: { ceremony: 'summer 2026' },
      batchRoot: rootHex(DIGESTS),
      count: COUNT,
      certifiedAt: '2026-11-21T10:00:00Z',
      keyId: university.keyPair.keyId,
      position: view.position,
      proofUrlBase: `${t.node.url}/p/`,
    });
    const missing = await t.get('/v1/certifications/batches/bat_aaaaaaaaaaaaaaaaaaaaaaaa');
    expect(JSON.parse(missing.body)).toEqual({
      type: 'urn:chancery:problem:batch-not-found',
      title: 'No such batch',
      status: 404,
      code: 'BATCH_NOT_FOUND',
      detail: 'no batch bat_aaaaaaaaaaaaaaaaaaaaaaaa',
      instance: '/v1/certifications/batches/bat_aaaaaaaaaaaaaaaaaaaaaaaa',
    });
    // The node counts every record of the batch.
    const status = JSON.parse((await t.get('/v1/status')).body);
    expect(status.certifications).toBe(COUNT);
  });

  it('refuses digests that do not hash to the signed root: whole problem, store unmoved', async () => {
    const before = await t.lastPosition();
    const swapped = [...DIGESTS];
    [swapped[10], swapped[11]] = [swapped[11]!, swapped[10]!];
    const res = await upload(batchEnvelope(DIGESTS, {}, 'tampered-1'), swapped);
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(res.body)).toEqual({
      type: 'urn:chancery:problem:batch-root-mismatch',
      title: 'The uploaded digests do not hash to the signed batch root; nothing was stored',
      status: 422,
      code: 'BATCH_ROOT_MISMATCH',
      detail: `the uploaded digests hash to root ${rootHex(swapped)}, not to the signed batchRoot ${rootHex(DIGESTS)}`,
      instance: '/v1/certifications/batches',
    });
    expect(await t.lastPosition()).toBe(before);
    const ghost = batchRecordIdFor(batchIdFor('UNIVERSITY', 'tampered-1'), 0);
    expect((await t.get(`/v1/certifications/${ghost}`)).statusCode).toBe(404);
  });

  it('refuses an upload of another length than the signed count: whole problem, store unmoved', async () => {
    const before = await t.lastPosition();
    const res = await upload(batchEnvelope(DIGESTS, {}, 'tampered-2'), DIGESTS.slice(0, COUNT - 1));
    expect(res.statusCode).toBe(422);
    expect(JSON.parse(res.body)).toEqual({
      type: 'urn:chancery:problem:batch-count-mismatch',
      title: 'The number of uploaded digests is not the signed count; nothing was stored',
      status: 422,
      code: 'BATCH_COUNT_MISMATCH',
      detail: `the command certifies ${COUNT} records, but ${COUNT - 1} digests were uploaded`,
      instance: '/v1/certifications/batches',
    });
    expect(await t.lastPosition()).toBe(before);
  });

  it('checks accreditation like a single certification, before hashing anything', async () => {
    const before = await t.lastPosition();
    const res = await upload(
      batchEnvelope(DIGESTS.slice(0, 3), { recordType: 'transcript' }),
      DIGESTS.slice(0, 3),
    );
    expect(res.statusCode).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({
      code: 'ACCREDITATION_MISSING',
      detail: 'actor UNIVERSITY is not accredited for record type transcript',
    });
    expect(await t.lastPosition()).toBe(before);
  });

  it('refuses malformed digests and signed fields by schema, and a body over the route limit of 1 MiB', async () => {
    const upper = await upload(batchEnvelope(DIGESTS.slice(0, 2)), [DIGESTS[0]!.toUpperCase(), DIGESTS[1]!]);
    expect(upper.statusCode).toBe(400);
    expect(JSON.parse(upper.body)).toMatchObject({
      code: 'BODY_INVALID',
      errors: [{ pointer: '/digests/0', message: 'must match pattern "^[0-9a-f]{64}$"' }],
    });
    const subject = await upload(
      batchEnvelope(DIGESTS.slice(0, 2), { subjectRef: 'ab'.repeat(32) }),
      DIGESTS.slice(0, 2),
    );
    expect(subject.statusCode).toBe(400);
    expect(JSON.parse(subject.body)).toMatchObject({ code: 'BODY_INVALID' });
    const empty = await upload(batchEnvelope([], { count: 1 }), []);
    expect(JSON.parse(empty.body)).toMatchObject({ code: 'BODY_INVALID' });
    const huge = await upload(
      batchEnvelope(DIGESTS.slice(0, 1)),
      DIGESTS.slice(0, 1).concat('x'.repeat(1024 * 1024)),
    );
    expect(huge.statusCode).toBe(413);
    expect(JSON.parse(huge.body)).toMatchObject({ code: 'BODY_TOO_LARGE' });
    // The larger limit is this route's alone.
    const single = await t.postRaw('/v1/certifications', JSON.stringify({ pad: 'x'.repeat(70 * 1024) }));
    expect(single.statusCode).toBe(413);
  });

  describe('a sender the node has not authenticated gets no more than 64 KiB parsed (the attacker without a key)', () => {
    const bigEnvelope = () => batchEnvelope(DIGESTS, {}, 'big-json-batch');

    it('refuses a body above 64 KiB without the Chancery-Signed-Command header at its Content-Length, and says how to send more', async () => {
      const before = await t.lastPosition();
      const body = JSON.stringify({ envelope: bigEnvelope(), digests: DIGESTS });
      const res = await t.postRaw('/v1/certifications/batches', body);
      expect(res.statusCode).toBe(413);
      expect(res.headers['connection']).toBe('close');
      expect(JSON.parse(res.body)).toEqual(
        expectedProblem(
          'BODY_TOO_LARGE',
          413,
          'The request body is too large',
          `the body is ${body.length} bytes; allowed: at most 65536 bytes unless the signed command also travels ` +
            'in the chancery-signed-command header (then 1048576 bytes), or up to 1,000,000 records as raw ' +
            'digests on POST /v1/certifications/batches/stream',
          '/v1/certifications/batches',
        ),
      );
      expect(await t.lastPosition()).toBe(before);
    });

    it('refuses a forged header before the body is read (a bad signature costs one verification, not a parse)', async () => {
      const before = await t.lastPosition();
      const envelope = bigEnvelope();
      const forged = {
        ...envelope,
        signature: { ...envelope.signature, value: Buffer.alloc(64, 7).toString('base64') },
      };
      const res = await upload(forged, DIGESTS);
      expect(res.statusCode, res.body).toBe(401);
      expect(res.headers['connection']).toBe('close');
      expect(JSON.parse(res.body)).toEqual(
        expectedProblem(
          'SIGNATURE_INVALID',
          401,
          'The signature does not verify',
          'the signature does not verify over the RFC 8785 form of the payload',
          '/v1/certifications/batches',
        ),
      );
      expect(await t.lastPosition()).toBe(before);
    });

    it('refuses a body whose envelope is not the one of the header, with nothing written', async () => {
      const before = await t.lastPosition();
      const other = batchEnvelope(DIGESTS, {}, 'other-json-batch');
      const res = await t.node.app.inject({
        method: 'POST',
        url: '/v1/certifications/batches',
        payload: { envelope: other, digests: DIGESTS },
        headers: { [SIGNED_COMMAND_HEADER]: commandHeader(bigEnvelope()) },
      });
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body)).toEqual({
        ...expectedProblem(
          'BODY_INVALID',
          400,
          'The request does not match its schema',
          'body/envelope is not the signed command of the chancery-signed-command header; allowed: the same envelope in both',
          '/v1/certifications/batches',
        ),
        errors: [{ pointer: '/envelope', message: 'differs from the chancery-signed-command header' }],
      });
      expect(await t.lastPosition()).toBe(before);
    });
  });

  it("serves each record's proof bundle, with its batch path, once sealed; it verifies", async () => {
    const id = batchRecordIdFor(batchId, 1029);
    expect((await t.get(`/v1/proofs/${id}`)).statusCode).toBe(503);
    await t.seal();
    const res = await t.get(`/v1/proofs/${id}`);
    expect(res.statusCode).toBe(200);
    const bundle = JSON.parse(res.body) as ProofBundleV2Json;
    expect(validateBundle(bundle), JSON.stringify(validateBundle.errors)).toBe(true);
    expect(bundle.entry.type).toBe('BatchCertified');
    // A record of a batch whose status never changed has no record of its own: the map proves its absence.
    expect(bundle.state.certification.value).toBeNull();
    expect(bundle.state.batch?.value).toMatchObject({ count: COUNT, certifiedAt: bundle.leafIndex });
    expect(bundle.batch).toMatchObject({ count: COUNT, index: 1029, recordDigest: DIGESTS[1029] });
    expect(bundle.batch!.root).toBe(Buffer.from(rootHex(DIGESTS), 'hex').toString('base64'));
    const report = verifyProofBundle(bundle, {
      ...options(),
      expectedCertificationId: id,
      documentDigest: DIGESTS[1029]!,
    });
    expect(report.steps.filter((s) => !s.ok)).toEqual([]);
    expect(report.steps.map((s) => s.id)).toEqual([
      'signature',
      'authority',
      'inclusion',
      'checkpoint',
      'validity',
      'status',
      'batch',
      'document',
      'freshness',
    ]);
    // The tlog-proof form proves the batch entry; the batch path is only in the JSON bundle.
    const text = await t.get(`/v1/proofs/${id}?format=tlog-proof`);
    expect(parseTlogProof(text.body).index).toBe(bundle.leafIndex);
  });

  it('revokes one record of the batch on its own: its proof shows ✗ status, its neighbours stay ✓', async () => {
    const id = batchRecordIdFor(batchId, 3);
    const notIssuer = await t.post(
      `/v1/certifications/${id}/revoke`,
      t.sign(await t.issuer('SCHOOL', ['diploma']), 'RevokeCertification', {
        certificationId: id,
        reason: 'x',
      }),
    );
    expect(JSON.parse(notIssuer.body)).toMatchObject({ status: 403, code: 'NOT_ISSUER' });

    const revoked = await t.post(
      `/v1/certifications/${id}/revoke`,
      t.sign(university, 'RevokeCertification', { certificationId: id, reason: 'degree withdrawn' }),
    );
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(JSON.parse(revoked.body)).toMatchObject({
      type: 'RevokeCertification',
      stream: `certification-${id}`,
      events: ['CertificationRevoked'],
      certificationId: id,
      proofUrl: `${t.node.url}/p/${id}`,
    });
    const again = await t.post(
      `/v1/certifications/${id}/reinstate`,
      t.sign(university, 'ReinstateCertification', { certificationId: id, reason: 'oops' }),
    );
    expect(JSON.parse(again.body)).toMatchObject({ status: 409, code: 'INVALID_STATUS_TRANSITION' });

    const view = JSON.parse((await t.get(`/v1/certifications/${id}`)).body);
    expect(view.status).toBe('revoked');
    expect(view.statusHistory.map((h: { status: string }) => h.status)).toEqual(['active', 'revoked']);

    await t.seal();
    const bundle = JSON.parse((await t.get(`/v1/proofs/${id}`)).body) as ProofBundleV2Json;
    expect(validateBundle(bundle), JSON.stringify(validateBundle.errors)).toBe(true);
    expect(bundle.statusEntry?.entry.type).toBe('CertificationRevoked');
    expect(bundle.state.certification.value).toMatchObject({
      status: 'revoked',
      batch: { batchId, index: 3 },
    });
    const report = verifyProofBundle(bundle, options());
    expect(report.steps.map((s) => [s.id, s.ok])).toEqual([
      ['signature', true],
      ['authority', true],
      ['inclusion', true],
      ['checkpoint', true],
      ['validity', true],
      ['status', false],
      ['batch', true],
      ['freshness', true],
    ]);
    expect(report.headline).toBe('revoked');
    expect(report.steps[5]!.detail).toBe(
      `Revoked on 2026-11-21T10:00:00Z by UNIVERSITY (log entry ${bundle.statusEntry?.leafIndex}): degree withdrawn`,
    );
    const neighbour = JSON.parse((await t.get(`/v1/proofs/${batchRecordIdFor(batchId, 4)}`)).body);
    expect(verifyProofBundle(neighbour, options()).ok).toBe(true);
  });

  it('with ?wait=sealed, answers with the leaf of the batch entry once the whole batch is sealed', async () => {
    const node = await startTestNode({ sealIntervalMs: 50 });
    try {
      const dept = await node.issuer('REGISTRY', ['certificate']);
      const digests = DIGESTS.slice(0, 600);
      const envelope = node.sign(dept, 'CertifyBatch', {
        recordType: 'certificate',
        validFrom: '2026-01-01T00:00:00Z',
        batchRoot: rootHex(digests),
        count: digests.length,
      });
      const res = await node.post('/v1/certifications/batches?wait=sealed', { envelope, digests });
      expect(res.statusCode, res.body).toBe(201);
      const body = JSON.parse(res.body);
      expect(validateResult(body), JSON.stringify(validateResult.errors)).toBe(true);
      const entry = node.node.log.entry(body.leafIndex)!;
      expect(JSON.parse(new TextDecoder().decode(entry.leaf))).toMatchObject({ type: 'BatchCertified' });
      expect(body.checkpoint.treeSize).toBe(body.leafIndex + 3);
    } finally {
      await node.close();
    }
  });

  it('rebuilds every batch, record, revocation and proof from the event store alone', async () => {
    const id = batchRecordIdFor(batchId, 3);
    const other = batchRecordIdFor(batchId, 512);
    const bundles = [
      JSON.parse((await t.get(`/v1/proofs/${id}`)).body),
      JSON.parse((await t.get(`/v1/proofs/${other}`)).body),
    ];
    await t.node.close();
    const config = resolveNodeConfig({ dataDir: t.dataDir, port: 0, sealIntervalMs: 3_600_000 }, {});
    const reopen = async (rebuild: boolean) => {
      const node = await startNode(config, {
        logging: false,
        clock: () => FIXED_NOW,
        listen: false,
        rebuild,
      });
      try {
        for (const [i, certificationId] of [id, other].entries()) {
          const res = await node.app.inject({ method: 'GET', url: `/v1/proofs/${certificationId}` });
          expect(res.statusCode).toBe(200);
          expect(JSON.parse(res.body)).toEqual(bundles[i]);
        }
        expect(node.db.prepare('SELECT count(*) FROM batch_record_keys').pluck().get()).toBe(COUNT);
      } finally {
        await node.close();
      }
    };
    // node.db deleted: a fresh file replayed from the store.
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(t.dataDir, `node.db${suffix}`), { force: true });
    await reopen(false);
    // `chancery rebuild`: every read model dropped in place and replayed.
    await reopen(true);
  });
});

describe('ChanceryClient on the JSON bulk route', () => {
  let node: TestNode;
  let issuer: Awaited<ReturnType<TestNode['issuer']>>;
  beforeAll(async () => {
    node = await startTestNode({ listen: true });
    issuer = await node.issuer('UNIVERSITY', ['diploma']);
  });
  afterAll(async () => node?.close());

  it('through ChanceryClient: 1,030 digests with the header, and an envelope too large for it in the body alone', async () => {
    const client = new ChanceryClient(node.node.url, issuer);
    const issuedAt = new Date(FIXED_NOW).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const digests = DIGESTS.map((d) => createHash('sha256').update(`client ${d}`).digest('hex'));
    const big = await client.certifyBatch(
      { ...FIELDS, batchRoot: rootHex(digests), digests },
      { issuedAt, commandId: 'client-json-batch' },
    );
    expect(big).toMatchObject({ count: COUNT, replayed: false });
    // 32 fields of 64 + 256 characters: its base64url is past the header's 12 KiB; the body is under 64 KiB.
    const metadata = Object.fromEntries(
      Array.from({ length: 32 }, (_, i) => [
        `${'k'.repeat(60)}${String(i).padStart(4, '0')}`,
        'm'.repeat(256),
      ]),
    );
    const few = digests.slice(0, 10).map((d) => createHash('sha256').update(d).digest('hex'));
    const small = await client.certifyBatch(
      { ...FIELDS, metadata, batchRoot: rootHex(few), digests: few },
      { issuedAt, commandId: 'client-json-batch-metadata' },
    );
    expect(small).toMatchObject({ count: 10, replayed: false });
  });
});
