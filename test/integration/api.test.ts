import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChanceryClient, ChanceryProblemError } from '../../src/client/chancery-client.js';
import { generateKeyPair } from '../../src/protocol/key-pair.js';
import { signCommand } from '../../src/protocol/sign-command.js';
import { ISSUED_AT, startTestNode, type TestNode } from '../support/test-node.js';

describe('API through app.inject()', () => {
  let t: TestNode;
  beforeAll(async () => {
    t = await startTestNode();
  });
  afterAll(async () => t.close());

  it('registers, accredits, certifies, suspends, reinstates and revokes, with the status history readable', async () => {
    const dmv = await t.issuer('DMV', ['driving-licence']);
    const identity = JSON.parse((await t.get('/v1/identities/DMV')).body);
    expect(identity).toMatchObject({
      identityId: 'DMV',
      organisationCode: 'DMV',
      roles: ['issuer'],
      accreditations: ['driving-licence'],
      status: 'active',
      keys: [
        {
          keyId: dmv.keyPair.keyId,
          publicKey: dmv.keyPair.publicKeyBase64,
          activeFrom: ISSUED_AT,
          retiredAt: null,
        },
      ],
    });

    const certified = await t.post(
      '/v1/certifications',
      t.sign(dmv, 'CertifyRecord', {
        recordDigest: '11'.repeat(32),
        recordType: 'driving-licence',
        subjectRef: '22'.repeat(32),
        validFrom: '2026-01-01T00:00:00Z',
        validUntil: '2036-01-01T00:00:00Z',
        metadata: { class: 'B' },
      }),
    );
    expect(certified.statusCode).toBe(201);
    const result = JSON.parse(certified.body);
    expect(result).toEqual({
      commandId: expect.any(String),
      type: 'CertifyRecord',
      stream: `certification-${result.certificationId}`,
      position: expect.stringMatching(/^\d+$/),
      streamRevision: '0',
      events: ['RecordCertified'],
      certificationId: expect.stringMatching(/^crt_[a-z2-7]{24}$/),
      proofUrl: `http://127.0.0.1:0/p/${result.certificationId}`,
      replayed: false,
    });
    const id = result.certificationId as string;
    for (const [action, type] of [
      ['suspend', 'SuspendCertification'],
      ['reinstate', 'ReinstateCertification'],
      ['revoke', 'RevokeCertification'],
    ] as const) {
      const res = await t.post(
        `/v1/certifications/${id}/${action}`,
        t.sign(dmv, type, { certificationId: id, reason: `${action} test` }),
      );
      expect(res.statusCode).toBe(200);
    }
    const view = JSON.parse((await t.get(`/v1/certifications/${id}`)).body);
    expect(view.status).toBe('revoked');
    expect(
      view.statusHistory.map((h: { status: string; reason: string | null }) => [h.status, h.reason]),
    ).toEqual([
      ['active', null],
      ['suspended', 'suspend test'],
      ['active', 'reinstate test'],
      ['revoked', 'revoke test'],
    ]);
    expect(view).toMatchObject({
      issuerId: 'DMV',
      recordDigest: '11'.repeat(32),
      subjectRef: '22'.repeat(32),
      metadata: { class: 'B' },
    });
    const byDigest = JSON.parse((await t.get(`/v1/certifications?recordDigest=${'11'.repeat(32)}`)).body);
    expect(byDigest.items.map((c: { certificationId: string }) => c.certificationId)).toEqual([id]);
  });

  it('answers a retried command with the original result and appends nothing', async () => {
    const issuer = await t.issuer('RETRY', ['diploma']);
    const envelope = t.sign(issuer, 'CertifyRecord', {
      recordDigest: '33'.repeat(32),
      recordType: 'diploma',
      validFrom: ISSUED_AT,
    });
    const first = JSON.parse((await t.post('/v1/certifications', envelope)).body);
    const before = await t.lastPosition();
    const again = await t.post('/v1/certifications', envelope);
    expect(again.statusCode).toBe(201);
    expect(JSON.parse(again.body)).toEqual({ ...first, replayed: true });
    expect(await t.lastPosition()).toBe(before);
  });

  it('concurrent retries of one command apply it once', async () => {
    const issuer = await t.issuer('RACE', ['diploma']);
    const envelope = t.sign(issuer, 'CertifyRecord', {
      recordDigest: '44'.repeat(32),
      recordType: 'diploma',
      validFrom: ISSUED_AT,
    });
    const before = await t.lastPosition();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => t.post('/v1/certifications', envelope)),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(Array(8).fill(201));
    expect(new Set(answers.map((a) => JSON.parse(a.body).certificationId)).size).toBe(1);
    expect(await t.lastPosition()).toBe((before ?? 0n) + 1n);
  });

  it('rotates keys: the old key is refused from then on, and the key history keeps it', async () => {
    const issuer = await t.issuer('ROTATE', ['diploma']);
    const next = generateKeyPair();
    const rotated = await t.post(
      '/v1/identities/ROTATE/rotate-key',
      t.sign(issuer, 'RotateIdentityKey', { identityId: 'ROTATE', newPublicKey: next.publicKeyBase64 }),
    );
    expect(rotated.statusCode).toBe(200);
    const identity = JSON.parse((await t.get('/v1/identities/ROTATE')).body);
    expect(identity.keys).toEqual([
      {
        keyId: issuer.keyPair.keyId,
        publicKey: issuer.keyPair.publicKeyBase64,
        activeFrom: ISSUED_AT,
        retiredAt: ISSUED_AT,
      },
      { keyId: next.keyId, publicKey: next.publicKeyBase64, activeFrom: ISSUED_AT, retiredAt: null },
    ]);
    const old = await t.post(
      '/v1/certifications',
      t.sign(issuer, 'CertifyRecord', {
        recordDigest: '55'.repeat(32),
        recordType: 'diploma',
        validFrom: ISSUED_AT,
      }),
    );
    expect(JSON.parse(old.body).code).toBe('KEY_RETIRED');
    const fresh = await t.post(
      '/v1/certifications',
      t.sign({ actor: 'ROTATE', keyPair: next }, 'CertifyRecord', {
        recordDigest: '55'.repeat(32),
        recordType: 'diploma',
        validFrom: ISSUED_AT,
      }),
    );
    expect(fresh.statusCode).toBe(201);
    const owner = JSON.parse((await t.get(`/v1/keys/${encodeURIComponent(next.keyId)}`)).body);
    expect(owner).toEqual({
      keyId: next.keyId,
      identityId: 'ROTATE',
      publicKey: next.publicKeyBase64,
      activeFrom: ISSUED_AT,
      retiredAt: null,
    });
  });

  it('pages identity and certification lists without gaps or repeats', async () => {
    const issuer = await t.issuer('PAGER', ['permit']);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await t.post(
        '/v1/certifications',
        t.sign(issuer, 'CertifyRecord', {
          recordDigest: i.toString(16).padStart(64, '0'),
          recordType: 'permit',
          validFrom: ISSUED_AT,
        }),
      );
      ids.push(JSON.parse(res.body).certificationId);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = JSON.parse(
        (await t.get(`/v1/certifications?issuer=PAGER&limit=3${cursor ? `&cursor=${cursor}` : ''}`)).body,
      );
      seen.push(...page.items.map((c: { certificationId: string }) => c.certificationId));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(ids);

    const all: string[] = [];
    cursor = null;
    do {
      const page = JSON.parse(
        (await t.get(`/v1/identities?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).body,
      );
      all.push(...page.items.map((i: { identityId: string }) => i.identityId));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(all[0]).toBe('AUTHORITY');
    expect(new Set(all).size).toBe(all.length);
    expect(all).toContain('PAGER');
  });

  it('refuses bad query parameters with a problem body', async () => {
    const res = await t.get('/v1/certifications?limit=100000');
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toEqual({
      type: 'urn:chancery:problem:body-invalid',
      title: 'The request does not match its schema',
      status: 400,
      code: 'BODY_INVALID',
      detail: 'querystring/limit must be <= 500',
      instance: '/v1/certifications',
      errors: [{ pointer: '/limit', message: 'must be <= 500' }],
    });
  });

  it('serves OpenAPI 3.1 at /docs with every route', async () => {
    const spec = JSON.parse((await t.get('/docs/json')).body);
    expect(spec.openapi).toBe('3.1.0');
    for (const path of [
      '/v1/identities',
      '/v1/identities/{identityId}',
      '/v1/identities/{identityId}/rotate-key',
      '/v1/identities/{identityId}/accredit',
      '/v1/identities/{identityId}/revoke',
      '/v1/identities/{identityId}/roles',
      '/v1/keys/{keyId}',
      '/v1/certifications',
      '/v1/certifications/{certificationId}',
      '/v1/certifications/{certificationId}/suspend',
      '/v1/certifications/{certificationId}/reinstate',
      '/v1/certifications/{certificationId}/revoke',
      '/v1/status',
      '/health/live',
      '/health/ready',
      '/',
      '/go',
    ]) {
      expect(spec.paths, path).toHaveProperty([path]);
    }
    const ui = await t.get('/docs/');
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
  });

  it('reports liveness, readiness and status', async () => {
    expect(JSON.parse((await t.get('/health/live')).body)).toEqual({ status: 'ok' });
    expect(JSON.parse((await t.get('/health/ready')).body)).toEqual({
      status: 'ready',
      store: 'ok',
      eventFeed: 'ok',
      log: 'ok',
      finality: 'none',
    });
    const status = JSON.parse((await t.get('/v1/status')).body);
    expect(status).toMatchObject({
      name: 'chancery',
      origin: 'localhost/chancery',
      store: 'sqlite',
      authorityId: 'AUTHORITY',
      ready: true,
    });
    expect(status.lastPosition).toBe(status.projectedPosition);
  });
});

describe('API over a real socket with the typed client', () => {
  let t: TestNode;
  let url: string;
  beforeAll(async () => {
    t = await startTestNode({ listen: true });
    url = t.node.url;
  });
  afterAll(async () => t.close());

  it('works end to end and surfaces problems as typed errors', async () => {
    const authority = new ChanceryClient(url, {
      actor: 'AUTHORITY',
      keyPair: t.authority.keyPair,
    });
    const key = generateKeyPair();
    // The real clock is used here, so sign with real time: the node's test clock is fixed, so pass its time.
    const opts = { issuedAt: ISSUED_AT };
    const reg = await authority.registerIdentity(
      { identityId: 'HEALTH', name: 'Health', roles: ['issuer'], publicKeys: [key.publicKeyBase64] },
      opts,
    );
    expect(reg.identityId).toBe('HEALTH');
    await authority.accredit('HEALTH', ['vaccination'], opts);
    const health = new ChanceryClient(url, { actor: 'HEALTH', keyPair: key });
    const cert = await health.certify(
      { recordDigest: '66'.repeat(32), recordType: 'vaccination', validFrom: ISSUED_AT },
      opts,
    );
    expect(cert.proofUrl).toBe(`${url}/p/${cert.certificationId}`);
    expect((await health.certification(cert.certificationId!)).status).toBe('active');
    const refused = await health
      .certify({ recordDigest: '66'.repeat(32), recordType: 'diploma', validFrom: ISSUED_AT }, opts)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ChanceryProblemError);
    expect((refused as ChanceryProblemError).problem).toEqual({
      type: 'urn:chancery:problem:accreditation-missing',
      title: 'The actor is not accredited for this record type',
      status: 403,
      code: 'ACCREDITATION_MISSING',
      detail: 'actor HEALTH is not accredited for record type diploma',
      instance: '/v1/certifications',
    });
    // A raw request carries the request id header and problem content type.
    const raw = await fetch(`${url}/v1/certifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(signCommand({ actor: 'HEALTH', keyPair: generateKeyPair() }, 'CertifyRecord', {})),
    });
    expect(raw.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(raw.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
