import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import canonicalize from 'canonicalize';
import { MerkleTree } from 'merkletreejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PROBLEM_CATALOGUE,
  type ProblemCode,
  problemType,
} from '../../src/application/problems/catalogue.js';
import {
  type Checkpoint,
  ed25519NoteVerifier,
  parseCheckpoint,
  verifyConsistency,
  verifyInclusion,
  verifyNote,
} from '../../src/domain/log/index.js';
import { verifyProofBundle } from '../../src/domain/proof/verify-bundle.js';
import { startNode } from '../../src/node/chancery-node.js';
import { resolveNodeConfig } from '../../src/node/node-config.js';
import { generateKeyPair, readKeyFile } from '../../src/protocol/key-pair.js';
import type { Signer } from '../../src/protocol/sign-command.js';
import { signCommand } from '../../src/protocol/sign-command.js';
import { ISSUED_AT, startTestNode, type TestNode } from '../support/test-node.js';

// Independent of the code under test: node:crypto SHA-256, the canonicalize package, merkletreejs, noble Ed25519.
const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const fromB64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));
const nobleVerify = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) =>
  ed25519.verify(signature, message, publicKey, { zip215: false });

function independentLeafHash(leaf: unknown): Uint8Array {
  return sha256(Uint8Array.of(0), new TextEncoder().encode(canonicalize(leaf) as string));
}

/** RFC 6962 root with merkletreejs (see test/unit/log/merkletreejs-reference.test.ts for why this config). */
function independentRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return sha256();
  const tree = new MerkleTree(
    leafHashes.map((h) => Buffer.from(h)),
    (data: Buffer) => Buffer.from(sha256(Uint8Array.of(1), data)),
    { hashLeaves: false, sortPairs: false, sortLeaves: false, duplicateOdd: false, isBitcoinTree: false },
  );
  return new Uint8Array(tree.getRoot());
}

interface EntryJson {
  leafIndex: number;
  position: string;
  leaf: { type: string; stream: string; data: Record<string, unknown>; envelope: unknown };
  leafHash: string;
}

function problem(
  code: ProblemCode,
  detail: string,
  instance: string,
  extensions: Record<string, unknown> = {},
): Record<string, unknown> {
  const entry = PROBLEM_CATALOGUE[code];
  return {
    type: problemType(code),
    title: entry.title,
    status: entry.status,
    code,
    detail,
    instance,
    ...extensions,
  };
}

function invalid(instance: string, pointer: string, message: string, context = 'querystring') {
  return problem('BODY_INVALID', `${context}${pointer} ${message}`, instance, {
    errors: [{ pointer, message }],
  });
}

async function json(t: TestNode, url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await t.get(url);
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
}

/** Every entry [0, end), following `next` through pages of `limit`. */
async function allEntries(t: TestNode, end: number, limit: number): Promise<EntryJson[]> {
  const out: EntryJson[] = [];
  let start: number | null = 0;
  while (start !== null) {
    const { status, body } = await json(t, `/v1/log/entries?start=${start}&end=${end}&limit=${limit}`);
    expect(status).toBe(200);
    const page = body as { entries: EntryJson[]; next: number | null };
    expect(page.entries.length).toBeLessThanOrEqual(limit);
    out.push(...page.entries);
    start = page.next;
  }
  return out;
}

async function certify(t: TestNode, signer: Signer, i: number, query = ''): Promise<Record<string, unknown>> {
  const res = await t.post(
    `/v1/certifications${query}`,
    t.sign(signer, 'CertifyRecord', {
      recordDigest: sha256(Uint8Array.of(i)).reduce((s, b) => s + b.toString(16).padStart(2, '0'), ''),
      recordType: 'diploma',
      validFrom: ISSUED_AT,
    }),
  );
  expect(res.statusCode, res.body).toBe(201);
  return JSON.parse(res.body) as Record<string, unknown>;
}

describe('Merkle log API', () => {
  let t: TestNode;
  let dept: Signer;
  let vkey: string;
  beforeAll(async () => {
    t = await startTestNode();
    dept = await t.issuer('LOGDEPT', ['diploma']);
  });
  afterAll(async () => t.close());

  function verifiedCheckpoint(note: string): Checkpoint {
    const verified = verifyNote(note, [ed25519NoteVerifier(vkey, nobleVerify)]);
    return parseCheckpoint(verified.text);
  }

  it('before the first seal: sizes, no checkpoint, and 503 CHECKPOINT_NOT_YET with Retry-After', async () => {
    const info = await json(t, '/v1/log');
    expect(info).toEqual({
      status: 200,
      body: {
        origin: 'localhost/chancery',
        verifierKey: expect.stringMatching(/^localhost\/chancery\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/),
        treeSize: 0,
        rootHash: null,
        // Genesis (the authority), then LOGDEPT's registration and accreditation.
        sequencedSize: 3,
        checkpoint: null,
      },
    });
    vkey = info.body['verifierKey'] as string;
    for (const url of [
      '/v1/log/checkpoint',
      '/v1/log/proofs/inclusion?index=0',
      '/v1/log/consistency?from=0',
    ]) {
      const res = await t.get(url);
      expect(res.statusCode, url).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(res.body)).toEqual(
        problem('CHECKPOINT_NOT_YET', 'the log has not signed a checkpoint yet', url.split('?')[0]!, {
          sequencedSize: 3,
        }),
      );
    }
  });

  it('signs checkpoints that verify with the vkey, whose roots an independent fold of the entries reproduces', async () => {
    const checkpoints: { note: string; body: Checkpoint }[] = [];
    let written = 0;
    for (const batch of [1, 4, 9, 2]) {
      for (let i = 0; i < batch; i++) await certify(t, dept, written++);
      await t.seal();
      const info = (await json(t, '/v1/log')).body;
      const body = verifiedCheckpoint(info['checkpoint'] as string);
      expect(info).toEqual({
        origin: 'localhost/chancery',
        verifierKey: vkey,
        treeSize: body.treeSize,
        rootHash: b64(body.rootHash),
        sequencedSize: body.treeSize,
        checkpoint: info['checkpoint'],
      });
      checkpoints.push({ note: info['checkpoint'] as string, body });
    }
    expect(checkpoints.map((c) => c.body.treeSize)).toEqual([4, 8, 17, 19]);

    for (const { note, body } of checkpoints) {
      const entries = await allEntries(t, body.treeSize, 5);
      expect(entries.map((e) => e.leafIndex)).toEqual([...Array(body.treeSize).keys()]);
      const hashes = entries.map((e) => {
        const recomputed = independentLeafHash(e.leaf);
        expect(e.leafHash, `leaf ${e.leafIndex}`).toBe(b64(recomputed));
        return recomputed;
      });
      expect(b64(independentRoot(hashes))).toBe(b64(body.rootHash));

      for (let index = 0; index < body.treeSize; index++) {
        const { status, body: proof } = await json(
          t,
          `/v1/log/proofs/inclusion?index=${index}&size=${body.treeSize}`,
        );
        expect(status).toBe(200);
        expect(proof).toEqual({
          leafIndex: index,
          treeSize: body.treeSize,
          leafHash: b64(hashes[index]!),
          proof: expect.any(Array),
          // A checkpoint was published at exactly this size, so the proof carries it.
          checkpoint: note,
        });
        verifyInclusion(
          index,
          body.treeSize,
          hashes[index]!,
          (proof['proof'] as string[]).map(fromB64),
          body.rootHash,
        );
      }
    }

    for (let i = 1; i < checkpoints.length; i++) {
      const older = checkpoints[i - 1]!.body;
      const newer = checkpoints[i]!.body;
      const { status, body } = await json(
        t,
        `/v1/log/consistency?from=${older.treeSize}&to=${newer.treeSize}`,
      );
      expect(status).toBe(200);
      expect(body).toEqual({ from: older.treeSize, to: newer.treeSize, proof: expect.any(Array) });
      verifyConsistency(
        older.treeSize,
        newer.treeSize,
        (body['proof'] as string[]).map(fromB64),
        older.rootHash,
        newer.rootHash,
      );
    }
    // `to` defaults to the latest checkpoint; from = 0 and from = to give empty proofs.
    expect((await json(t, '/v1/log/consistency?from=4')).body).toMatchObject({ from: 4, to: 19 });
    expect((await json(t, '/v1/log/consistency?from=0&to=19')).body).toEqual({ from: 0, to: 19, proof: [] });
    expect((await json(t, '/v1/log/consistency?from=19')).body).toEqual({ from: 19, to: 19, proof: [] });
    // A size between checkpoints proves fine but has no note of its own.
    expect((await json(t, '/v1/log/proofs/inclusion?index=2&size=5')).body['checkpoint']).toBeNull();
    // The default size is the latest checkpoint.
    expect((await json(t, '/v1/log/proofs/inclusion?index=0')).body).toMatchObject({ treeSize: 19 });
  });

  it('puts the signed command in each leaf: the department signature verifies from the log alone', async () => {
    const [entry] = (await json(t, '/v1/log/entries?start=4&end=5')).body['entries'] as EntryJson[];
    expect(entry!.leaf.type).toBe('RecordCertified');
    expect(entry!.leaf.stream).toBe(`certification-${entry!.leaf.data['certificationId']}`);
    const envelope = entry!.leaf.envelope as {
      payload: Record<string, unknown>;
      signature: { value: string };
    };
    expect(envelope.payload).toMatchObject({ type: 'CertifyRecord', actor: 'LOGDEPT' });
    const message = new TextEncoder().encode(canonicalize(envelope.payload) as string);
    const signed = ed25519.verify(
      fromB64(envelope.signature.value),
      message,
      (dept.keyPair as { publicKey: Uint8Array }).publicKey,
    );
    expect(signed).toBe(true);
    expect(entry!.position).toMatch(/^\d+$/);
  });

  it('serves the latest checkpoint note as text/plain', async () => {
    const res = await t.get('/v1/log/checkpoint');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.body).toBe((await json(t, '/v1/log')).body['checkpoint']);
    expect(verifiedCheckpoint(res.body).treeSize).toBe(19);
  });

  it('refuses hostile query parameters with whole problem bodies', async () => {
    // The log now holds 19 entries, all sealed.
    const cases: [string, number, Record<string, unknown>][] = [
      [
        '/v1/log/proofs/inclusion?index=19',
        400,
        problem(
          'LOG_INDEX_OUT_OF_RANGE',
          'leaf index 19 is not in a tree of size 19',
          '/v1/log/proofs/inclusion',
          { treeSize: 19 },
        ),
      ],
      [
        '/v1/log/proofs/inclusion?index=5&size=5',
        400,
        problem(
          'LOG_INDEX_OUT_OF_RANGE',
          'leaf index 5 is not in a tree of size 5',
          '/v1/log/proofs/inclusion',
          { treeSize: 5 },
        ),
      ],
      [
        '/v1/log/proofs/inclusion?index=0&size=0',
        400,
        problem(
          'LOG_INDEX_OUT_OF_RANGE',
          'leaf index 0 is not in a tree of size 0',
          '/v1/log/proofs/inclusion',
          { treeSize: 0 },
        ),
      ],
      [
        '/v1/log/proofs/inclusion?index=0&size=20',
        400,
        problem(
          'LOG_SIZE_OUT_OF_RANGE',
          'size 20 is beyond the latest checkpoint (tree size 19)',
          '/v1/log/proofs/inclusion',
          { treeSize: 19 },
        ),
      ],
      [
        '/v1/log/proofs/inclusion?index=-1',
        400,
        invalid('/v1/log/proofs/inclusion', '/index', 'must be >= 0'),
      ],
      [
        '/v1/log/proofs/inclusion?index=abc',
        400,
        invalid('/v1/log/proofs/inclusion', '/index', 'must be integer'),
      ],
      [
        '/v1/log/proofs/inclusion?index=1.5',
        400,
        invalid('/v1/log/proofs/inclusion', '/index', 'must be integer'),
      ],
      [
        '/v1/log/proofs/inclusion?index=1e300',
        400,
        invalid('/v1/log/proofs/inclusion', '/index', 'must be <= 4503599627370495'),
      ],
      [
        '/v1/log/proofs/inclusion?index=99999999999999999999999',
        400,
        invalid('/v1/log/proofs/inclusion', '/index', 'must be <= 4503599627370495'),
      ],
      [
        '/v1/log/proofs/inclusion',
        400,
        problem(
          'BODY_INVALID',
          "querystring must have required property 'index'",
          '/v1/log/proofs/inclusion',
          { errors: [{ pointer: '', message: "must have required property 'index'" }] },
        ),
      ],
      [
        '/v1/log/proofs/inclusion?index=1&evil=1',
        400,
        invalid('/v1/log/proofs/inclusion', '/evil', 'must NOT have additional properties'),
      ],
      [
        '/v1/log/consistency?from=5&to=4',
        400,
        problem('LOG_RANGE_INVALID', 'from 5 is greater than to 4', '/v1/log/consistency'),
      ],
      [
        '/v1/log/consistency?from=20',
        400,
        problem('LOG_RANGE_INVALID', 'from 20 is greater than to 19', '/v1/log/consistency'),
      ],
      [
        '/v1/log/consistency?from=1&to=20',
        400,
        problem(
          'LOG_SIZE_OUT_OF_RANGE',
          'to 20 is beyond the latest checkpoint (tree size 19)',
          '/v1/log/consistency',
          { treeSize: 19 },
        ),
      ],
      ['/v1/log/consistency?from=-3&to=4', 400, invalid('/v1/log/consistency', '/from', 'must be >= 0')],
      [
        '/v1/log/consistency?from=1&to=4503599627370497',
        400,
        invalid('/v1/log/consistency', '/to', 'must be <= 4503599627370496'),
      ],
      ['/v1/log/consistency?from=x', 400, invalid('/v1/log/consistency', '/from', 'must be integer')],
      [
        '/v1/log/entries?start=5&end=4',
        400,
        problem('LOG_RANGE_INVALID', 'start 5 is greater than end 4', '/v1/log/entries'),
      ],
      [
        '/v1/log/entries?start=0&end=20',
        400,
        problem('LOG_INDEX_OUT_OF_RANGE', 'end 20 is beyond the 19 sequenced entries', '/v1/log/entries', {
          sequencedSize: 19,
        }),
      ],
      [
        '/v1/log/entries?start=25',
        400,
        problem('LOG_RANGE_INVALID', 'start 25 is greater than end 19', '/v1/log/entries'),
      ],
      ['/v1/log/entries?limit=257', 400, invalid('/v1/log/entries', '/limit', 'must be <= 256')],
      ['/v1/log/entries?limit=0', 400, invalid('/v1/log/entries', '/limit', 'must be >= 1')],
      ['/v1/log/entries?start=-1', 400, invalid('/v1/log/entries', '/start', 'must be >= 0')],
    ];
    for (const [url, status, body] of cases) {
      const res = await t.get(url);
      expect(res.statusCode, url).toBe(status);
      expect(res.headers['content-type'], url).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(res.body), url).toEqual(body);
    }
  });

  it('pages entries with a cap and a next cursor', async () => {
    expect((await json(t, '/v1/log/entries?start=19')).body).toEqual({ entries: [], next: null });
    const page = (await json(t, '/v1/log/entries?start=3&limit=4')).body as {
      entries: EntryJson[];
      next: number;
    };
    expect(page.entries.map((e) => e.leafIndex)).toEqual([3, 4, 5, 6]);
    expect(page.next).toBe(7);
    const rest = (await json(t, '/v1/log/entries?start=7')).body as { entries: EntryJson[]; next: null };
    expect(rest.entries.map((e) => e.leafIndex)).toEqual([...Array(12).keys()].map((i) => i + 7));
    expect(rest.next).toBeNull();
  });

  it('shows the verifier key in /v1/status and lists the log routes in OpenAPI', async () => {
    expect((await json(t, '/v1/status')).body['logVerifierKey']).toBe(vkey);
    const spec = JSON.parse((await t.get('/docs/json')).body) as { paths: Record<string, unknown> };
    for (const path of [
      '/v1/log',
      '/v1/log/checkpoint',
      '/v1/log/consistency',
      '/v1/log/entries',
      '/v1/log/proofs/inclusion',
    ]) {
      expect(spec.paths, path).toHaveProperty([path]);
    }
  });
});

describe('writes with ?wait=sealed', () => {
  let t: TestNode;
  let dept: Signer;
  beforeAll(async () => {
    t = await startTestNode({ sealIntervalMs: 20 });
    dept = await t.issuer('SEALED', ['diploma']);
  });
  afterAll(async () => t.close());

  it('answer once the entry is in a signed checkpoint, with its leaf index and that checkpoint', async () => {
    const vkey = (await json(t, '/v1/log')).body['verifierKey'] as string;
    const results = await Promise.all([0, 1, 2, 3].map((i) => certify(t, dept, i, '?wait=sealed')));
    for (const result of results) {
      const leafIndex = result['leafIndex'] as number;
      const checkpoint = result['checkpoint'] as { treeSize: number; note: string };
      expect(result).toMatchObject({ type: 'CertifyRecord', replayed: false, leafIndex: expect.any(Number) });
      expect(t.node.log.leafIndexForPosition(BigInt(result['position'] as string))).toBe(leafIndex);
      const body = parseCheckpoint(
        verifyNote(checkpoint.note, [ed25519NoteVerifier(vkey, nobleVerify)]).text,
      );
      expect(body.treeSize).toBe(checkpoint.treeSize);
      expect(leafIndex).toBeLessThan(checkpoint.treeSize);
      const [entry] = (await json(t, `/v1/log/entries?start=${leafIndex}&end=${leafIndex + 1}`)).body[
        'entries'
      ] as EntryJson[];
      expect(entry!.leaf.data['certificationId']).toBe(result['certificationId']);
      const proof = (await json(t, `/v1/log/proofs/inclusion?index=${leafIndex}&size=${checkpoint.treeSize}`))
        .body;
      verifyInclusion(
        leafIndex,
        checkpoint.treeSize,
        fromB64(entry!.leafHash),
        (proof['proof'] as string[]).map(fromB64),
        body.rootHash,
      );
    }
    // A certification's sealed answer already carries its proof bundle, which verifies on its own.
    for (const result of results) {
      const report = verifyProofBundle(result['proofBundle'], {
        verify: nobleVerify,
        trustedLogKeys: [vkey],
        authorityKeys: [t.authority.keyPair.publicKeyBase64],
        now: Date.parse(ISSUED_AT),
        expectedCertificationId: result['certificationId'] as string,
      });
      expect(report.steps.filter((s) => !s.ok)).toEqual([]);
      expect(report.ok).toBe(true);
    }
    // Status changes and identity writes take the same query.
    const id = results[0]!['certificationId'] as string;
    const suspended = await t.post(
      `/v1/certifications/${id}/suspend?wait=sealed`,
      t.sign(dept, 'SuspendCertification', { certificationId: id, reason: 'audit' }),
    );
    expect(suspended.statusCode).toBe(200);
    expect(JSON.parse(suspended.body)).toMatchObject({
      leafIndex: expect.any(Number),
      checkpoint: { treeSize: expect.any(Number) },
    });
    const accredited = await t.post(
      '/v1/identities/SEALED/accredit?wait=sealed',
      t.sign(t.authority, 'AccreditIdentity', { identityId: 'SEALED', recordTypes: ['permit'] }),
    );
    expect(JSON.parse(accredited.body)).toMatchObject({ leafIndex: expect.any(Number) });
  });

  it('refuses an unknown wait value with a whole problem body', async () => {
    const res = await t.post(
      '/v1/certifications?wait=cosigned',
      t.sign(dept, 'CertifyRecord', {
        recordDigest: 'cd'.repeat(32),
        recordType: 'diploma',
        validFrom: ISSUED_AT,
      }),
    );
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toEqual(
      problem(
        'BODY_INVALID',
        "querystring/wait is 'cosigned'; allowed: sealed, final",
        '/v1/certifications',
        {
          errors: [{ pointer: '/wait', message: "is 'cosigned'; allowed: sealed, final" }],
        },
      ),
    );
  });
});

describe('?wait=sealed when no checkpoint comes in time', () => {
  let t: TestNode;
  beforeAll(async () => {
    // Manual sealing and a short wait: the seal cannot come in time unless the test makes it.
    t = await startTestNode({ sealWaitMs: 100 });
  });
  afterAll(async () => t.close());

  it('answers 503 SEAL_TIMEOUT with Retry-After; the write is durable, and its retry answers sealed', async () => {
    const dept = await t.issuer('SLOW', ['diploma']);
    const envelope = t.sign(dept, 'CertifyRecord', {
      recordDigest: 'ef'.repeat(32),
      recordType: 'diploma',
      validFrom: ISSUED_AT,
    });
    const res = await t.post('/v1/certifications?wait=sealed', envelope);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    const position = (await t.lastPosition())!.toString();
    expect(JSON.parse(res.body)).toEqual(
      problem(
        'SEAL_TIMEOUT',
        'leaf 3 was not sealed within 100 ms; the write is durable. To wait again without writing twice, ' +
          `send the same signed command again (same commandId ${envelope.payload.commandId} and issuedAt ${ISSUED_AT}) ` +
          `within 300 s of issuedAt; with the CLI, repeat it with --command-id ${envelope.payload.commandId} --issued-at ${ISSUED_AT}`,
        '/v1/certifications',
        { position, leafIndex: 3, commandId: envelope.payload.commandId, issuedAt: ISSUED_AT },
      ),
    );
    await t.seal();
    const retried = await t.post('/v1/certifications?wait=sealed', envelope);
    expect(retried.statusCode).toBe(201);
    expect(JSON.parse(retried.body)).toMatchObject({
      position,
      replayed: true,
      leafIndex: 3,
      checkpoint: { treeSize: 4, note: expect.stringContaining('localhost/chancery\n4\n') },
    });
  });
});

describe('the log across a restart', () => {
  it('restores the latest checkpoint, keeps every leaf, and the next checkpoint is consistent with it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'chancery-log-restart-'));
    const config = resolveNodeConfig({ dataDir, port: 0, sealIntervalMs: 3_600_000 }, {});
    try {
      let node = await startNode(config, {
        logging: false,
        listen: false,
        clock: () => Date.parse(ISSUED_AT),
      });
      const authority: Signer = { actor: 'AUTHORITY', keyPair: readKeyFile(join(dataDir, 'authority.key')) };
      const register = (code: string) =>
        node.app.inject({
          method: 'POST',
          url: '/v1/identities',
          payload: signCommand(
            authority,
            'RegisterIdentity',
            {
              identityId: code,
              name: code,
              roles: ['consumer'],
              publicKeys: [generateKeyPair().publicKeyBase64],
            },
            { issuedAt: ISSUED_AT },
          ) as never,
        });
      for (const code of ['AAA', 'BBB']) expect((await register(code)).statusCode).toBe(201);
      await node.sealer.sealNow();
      const before = node.log.latestCheckpoint()!;
      const leavesBefore = node.log.entries(0, before.treeSize, 100);
      await node.close();

      node = await startNode(config, { logging: false, listen: false, clock: () => Date.parse(ISSUED_AT) });
      expect(node.log.latestCheckpoint()).toEqual(before);
      expect(node.log.entries(0, before.treeSize, 100)).toEqual(leavesBefore);
      expect((await register('CCC')).statusCode).toBe(201);
      await node.sealer.sealNow();
      const after = node.log.latestCheckpoint()!;
      expect([before.treeSize, after.treeSize]).toEqual([3, 4]);
      verifyConsistency(
        before.treeSize,
        after.treeSize,
        node.log.consistencyProof(before.treeSize, after.treeSize),
        before.rootHash,
        after.rootHash,
      );
      await node.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
