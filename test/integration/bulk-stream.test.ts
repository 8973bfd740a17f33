/**
 * The streamed bulk upload (POST /v1/certifications/batches/stream) over a
 * real socket: the signed command in the Chancery-Signed-Command header, the
 * digests as raw bytes. A refused sender (unknown actor, bad signature, not
 * accredited, wrong Content-Length) hears its problem while the body is still
 * unsent, and the connection is closed; a wrong root or count after the body
 * writes nothing; 100,000 records go through with the node's memory bounded
 * (a million in `npm run bench -- bulk`), and records across the batch tree's
 * first 65,536-leaf subtree boundary get sealed proofs that verify.
 */

import { createHash } from 'node:crypto';
import { type IncomingHttpHeaders, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChanceryClient } from '../../src/client/chancery-client.js';
import { batchIdFor, batchRecordIdFor } from '../../src/domain/certification/certification-id.js';
import type { SignedEnvelope } from '../../src/domain/crypto/envelope.js';
import { batchRoot } from '../../src/domain/log/index.js';
import { verifyProofBundle } from '../../src/domain/proof/verify-bundle.js';
import { verifyEd25519 } from '../../src/infrastructure/crypto/ed25519-verifier.js';
import { generateKeyPair } from '../../src/protocol/key-pair.js';
import { expectedProblem } from '../support/expected-problem.js';
import { FIXED_NOW, startTestNode, type TestNode } from '../support/test-node.js';

const URL_PATH = '/v1/certifications/batches/stream';
const FIELDS = { recordType: 'diploma', validFrom: '2026-07-01T00:00:00Z' };

/** Record i's digest; `count` of them packed end to end. */
function packed(count: number, salt = 'diploma'): Buffer {
  const out = Buffer.alloc(count * 32);
  for (let i = 0; i < count; i++)
    createHash('sha256')
      .update(`${salt} ${i}`)
      .digest()
      .copy(out, i * 32);
  return out;
}

function rootHex(list: Buffer): string {
  const count = list.length / 32;
  return Buffer.from(
    batchRoot(Array.from({ length: count }, (_, i) => list.subarray(i * 32, i * 32 + 32))),
  ).toString('hex');
}

const header = (envelope: SignedEnvelope) => Buffer.from(JSON.stringify(envelope)).toString('base64url');

interface Sent {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Body bytes the client had written when the answer arrived. */
  writtenAtAnswer: number;
}

/**
 * Sends `body` in 64 KiB writes, stopping (without ending the request) once `stopAfter` bytes are written;
 * resolves with the answer and how much had been written when it arrived.
 */
function send(
  t: TestNode,
  headers: Record<string, string>,
  body: Buffer,
  stopAfter = body.length,
): Promise<Sent> {
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = request(new URL(URL_PATH, t.node.url), { method: 'POST', headers }, (res) => {
      answered = true;
      const writtenAtAnswer = written;
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, writtenAtAnswer }),
      );
    });
    // Writing after the server closed the connection fails: the answer already says why.
    req.on('error', (error) => (answered ? undefined : reject(error)));
    // Headers go out at once, even when no body byte follows (the retry below).
    req.flushHeaders();
    const pump = () => {
      while (written < stopAfter && !answered) {
        const chunk = body.subarray(written, Math.min(written + 64 * 1024, stopAfter));
        written += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (written === body.length) req.end();
    };
    pump();
  });
}

const problem = (code: string, status: number, title: string, detail: string) =>
  expectedProblem(code, status, title, detail, URL_PATH);

/** The refusal of an upload whose digests hash to another root than the signed one. */
const rootMismatch = (uploaded: Buffer, signed: Buffer) =>
  problem(
    'BATCH_ROOT_MISMATCH',
    422,
    'The uploaded digests do not hash to the signed batch root; nothing was stored',
    `the uploaded digests hash to root ${rootHex(uploaded)}, not to the signed batchRoot ${rootHex(signed)}`,
  );

describe('the streamed bulk upload', () => {
  let t: TestNode;
  let university: Awaited<ReturnType<TestNode['issuer']>>;
  let commandNo = 0;

  beforeAll(async () => {
    t = await startTestNode({ listen: true });
    university = await t.issuer('UNIVERSITY', ['diploma']);
  });
  afterAll(async () => t?.close());

  function signed(list: Buffer, overrides: Record<string, string | number> = {}, signer = university) {
    commandNo++;
    return t.sign(
      signer,
      'CertifyBatch',
      { ...FIELDS, batchRoot: rootHex(list), count: list.length / 32, ...overrides },
      {
        commandId: `stream-${commandNo}`,
      },
    );
  }

  function headersOf(envelope: SignedEnvelope, length: number | null): Record<string, string> {
    return {
      'content-type': 'application/octet-stream',
      'chancery-signed-command': header(envelope),
      ...(length === null ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(length) }),
    };
  }

  it('certifies a streamed list: the same answer as the JSON route, the records readable at once', async () => {
    const list = packed(1030);
    const envelope = signed(list, { validUntil: '2030-01-01T00:00:00Z' });
    const before = await t.lastPosition();
    const res = await send(t, headersOf(envelope, list.length), list);
    expect(res.status, res.body).toBe(201);
    const batchId = batchIdFor('UNIVERSITY', envelope.payload.commandId);
    expect(JSON.parse(res.body)).toEqual({
      commandId: envelope.payload.commandId,
      type: 'CertifyBatch',
      stream: `batch-${batchId}`,
      position: ((before ?? 0n) + 4n).toString(),
      streamRevision: '3',
      events: ['BatchCertified', 'BatchDigestsRecorded', 'BatchDigestsRecorded', 'BatchDigestsRecorded'],
      replayed: false,
      batchId,
      count: 1030,
      batchRoot: rootHex(list),
      proofUrlBase: `${t.node.url}/p/`,
    });
    const record = JSON.parse((await t.get(`/v1/certifications/${batchRecordIdFor(batchId, 1029)}`)).body);
    expect(record.recordDigest).toBe(list.subarray(1029 * 32).toString('hex'));

    // A retry is answered from what was written, before (and without) the body.
    const again = await send(t, headersOf(envelope, list.length), list, 0);
    expect(again.status).toBe(201);
    expect(JSON.parse(again.body)).toMatchObject({ replayed: true, batchId, count: 1030 });
    expect(again.headers.connection).toBe('close');
  });

  it('is described in the OpenAPI document at /docs: the header, the octet-stream body, the answers', async () => {
    const doc = JSON.parse((await t.get('/docs/json')).body);
    const route = doc.paths[URL_PATH].post;
    expect(route.summary).toBe(
      'Certify a batch of up to 1,000,000 records, the digest list streamed as raw bytes (accredited issuers)',
    );
    expect(route.description).toContain('BEFORE it reads the body');
    expect(route.parameters).toContainEqual(
      expect.objectContaining({ in: 'header', name: 'chancery-signed-command' }),
    );
    expect(Object.keys(route.requestBody.content)).toEqual(['application/octet-stream']);
    expect(Object.keys(route.responses)).toEqual(['201', '4XX', '5XX']);
  });

  it('refuses an unknown signer before reading a 32 MB body: answer with the body unsent, connection closed', async () => {
    const stranger = { actor: 'STRANGER', keyPair: generateKeyPair() };
    const count = 1_000_000;
    const list = Buffer.alloc(count * 32, 7);
    const envelope = t.sign(stranger, 'CertifyBatch', { ...FIELDS, batchRoot: '00'.repeat(32), count });
    const before = await t.lastPosition();
    const rss = process.memoryUsage().rss;
    const res = await send(t, headersOf(envelope, list.length), list, 256 * 1024);
    expect(res.status).toBe(401);
    expect(res.writtenAtAnswer).toBeLessThanOrEqual(256 * 1024);
    expect(res.headers.connection).toBe('close');
    expect(JSON.parse(res.body)).toEqual(
      problem('ACTOR_UNKNOWN', 401, 'The actor is not a registered identity', 'no identity STRANGER'),
    );
    expect(await t.lastPosition()).toBe(before);
    // Nothing of the body was buffered: the node (in this process) did not grow by the body's size.
    expect(process.memoryUsage().rss - rss).toBeLessThan(16 * 1024 * 1024);
  });

  it('through ChanceryClient (node:http, not fetch): the early refusal of a 32 MB upload reaches the caller as its problem', async () => {
    const stranger = { actor: 'STRANGER', keyPair: generateKeyPair() };
    const client = new ChanceryClient(t.node.url, stranger);
    const refusal = client.certifyBatchStream(
      { ...FIELDS, batchRoot: '00'.repeat(32), packedDigests: Buffer.alloc(1_000_000 * 32, 7) },
      { issuedAt: new Date(FIXED_NOW).toISOString().replace(/\.\d{3}Z$/, 'Z') },
    );
    await expect(refusal).rejects.toMatchObject({
      problem: problem(
        'ACTOR_UNKNOWN',
        401,
        'The actor is not a registered identity',
        'no identity STRANGER',
      ),
    });
  });

  it('refuses a bad signature, a missing command and an unaccredited issuer before the body', async () => {
    const list = packed(4096);
    const before = await t.lastPosition();
    const envelope = signed(list);
    const forged = { ...envelope, payload: { ...envelope.payload, count: 4095 } };
    const bad = await send(t, headersOf(forged, list.length), list, 64 * 1024);
    expect([bad.status, bad.writtenAtAnswer, bad.headers.connection]).toEqual([401, 64 * 1024, 'close']);
    expect(JSON.parse(bad.body)).toEqual(
      problem(
        'SIGNATURE_INVALID',
        401,
        'The signature does not verify',
        'the signature does not verify over the RFC 8785 form of the payload',
      ),
    );

    const missing = await send(
      t,
      { 'content-type': 'application/octet-stream', 'content-length': String(list.length) },
      list,
      64 * 1024,
    );
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.body)).toEqual(
      problem(
        'SIGNATURE_MISSING',
        401,
        'The request needs an HTTP message signature',
        "send the signed command as Chancery-Signed-Command: base64url of the envelope's JSON { payload, signature }",
      ),
    );

    const college = await t.issuer('COLLEGE', ['transcript']);
    const unaccredited = await send(t, headersOf(signed(list, {}, college), list.length), list, 64 * 1024);
    expect(unaccredited.status).toBe(403);
    expect(JSON.parse(unaccredited.body)).toEqual(
      problem(
        'ACCREDITATION_MISSING',
        403,
        'The actor is not accredited for this record type',
        'actor COLLEGE is not accredited for record type diploma',
      ),
    );
    expect(await t.lastPosition()).toBe((before ?? 0n) + 2n);
  });

  it('refuses a Content-Length other than count × 32 before the body, nothing written', async () => {
    const list = packed(100);
    const before = await t.lastPosition();
    const res = await send(
      t,
      headersOf(signed(list), list.length + 32),
      Buffer.concat([list, packed(1)]),
      1024,
    );
    expect([res.status, res.writtenAtAnswer]).toEqual([422, 1024]);
    expect(JSON.parse(res.body)).toEqual(
      problem(
        'BATCH_COUNT_MISMATCH',
        422,
        'The number of uploaded digests is not the signed count; nothing was stored',
        'Content-Length is 3232 bytes, but the command certifies 100 records: allowed exactly 3200 bytes (32 per record)',
      ),
    );
    expect(await t.lastPosition()).toBe(before);
  });

  it('refuses a chunked list longer or shorter than the count, or with another root: nothing written', async () => {
    const list = packed(2000);
    const before = await t.lastPosition();
    const longer = await send(t, headersOf(signed(list.subarray(0, 1000 * 32)), null), list);
    expect(longer.status).toBe(422);
    expect(JSON.parse(longer.body)).toEqual(
      problem(
        'BATCH_COUNT_MISMATCH',
        422,
        'The number of uploaded digests is not the signed count; nothing was stored',
        'the command certifies 1000 records (32000 bytes of digests), but more than 32000 bytes were uploaded',
      ),
    );
    const shorter = await send(t, headersOf(signed(list), null), list.subarray(0, list.length - 16));
    expect(JSON.parse(shorter.body)).toEqual(
      problem(
        'BATCH_COUNT_MISMATCH',
        422,
        'The number of uploaded digests is not the signed count; nothing was stored',
        'the command certifies 2000 records, but 1999 digests and 16 stray bytes were uploaded (63984 bytes; allowed: exactly 64000, 32 per record)',
      ),
    );
    const other = packed(2000, 'forged');
    const wrongRoot = await send(t, headersOf(signed(list), list.length), other);
    expect(JSON.parse(wrongRoot.body)).toEqual(rootMismatch(other, list));
    expect(await t.lastPosition()).toBe(before);
  });

  it('refuses a list large enough to be hashed on two cores when one digest in a middle block differs: nothing written', async () => {
    // Four blocks of 8,192 and more: a batch the node shares with its hashing thread (ParallelDigestIntake).
    const list = packed(4 * 8192 + 5);
    const tampered = Buffer.from(list);
    const at = (8192 + 100) * 32;
    tampered[at] = tampered[at]! ^ 0x01;
    const before = await t.lastPosition();
    const res = await send(t, headersOf(signed(list), tampered.length), tampered);
    expect(JSON.parse(res.body)).toEqual(rootMismatch(tampered, list));
    expect(await t.lastPosition()).toBe(before);
  });

  it('takes 100,000 records with bounded memory', async () => {
    const count = 100_000;
    const list = packed(count);
    const envelope = signed(list);
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    let res: Sent;
    try {
      res = await send(t, headersOf(envelope, list.length), list);
    } finally {
      clearInterval(sampler);
    }
    expect(res.status, res.body.slice(0, 300)).toBe(201);
    expect(JSON.parse(res.body)).toMatchObject({ count, batchRoot: rootHex(list), replayed: false });
    const growthMiB = (Math.max(peak, process.memoryUsage().rss) - baseline) / 1024 / 1024;
    console.info(`[bulk stream 100k] RSS grew by ${growthMiB.toFixed(0)} MiB`);
    expect(growthMiB).toBeLessThan(160);
    expect(t.node.db.prepare('SELECT count(*) FROM batch_record_keys').pluck().get()).toBe(count + 1030);

    await t.seal();
    const { batchId } = JSON.parse(res.body) as { batchId: string };
    for (const index of [0, 65_535, 65_536, count - 1]) {
      const id = batchRecordIdFor(batchId, index);
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
        documentDigest: list.subarray(index * 32, (index + 1) * 32).toString('hex'),
      });
      expect(report.steps.filter((step) => !step.ok)).toEqual([]);
    }
  }, 180_000);

  it('through ChanceryClient: onBodySent is called once the body is out, before the answer', async () => {
    const client = new ChanceryClient(t.node.url, university);
    const list = packed(3 * 8192 + 5, 'sent');
    const events: string[] = [];
    const answer = await client.certifyBatchStream(
      { ...FIELDS, batchRoot: rootHex(list), packedDigests: list },
      {
        issuedAt: new Date(FIXED_NOW).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        onBodySent: () => events.push('sent'),
      },
    );
    events.push('answered');
    expect(answer.count).toBe(3 * 8192 + 5);
    expect(events).toEqual(['sent', 'answered']);
  });
});
