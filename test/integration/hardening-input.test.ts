import { type IncomingHttpHeaders, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/protocol/key-pair.js';
import type { Signer } from '../../src/protocol/sign-command.js';
import { expectedProblem } from '../support/expected-problem.js';
import { ISSUED_AT, startTestNode, type TestNode } from '../support/test-node.js';

/**
 * Regression tests for issue 11's "no 5xx from client input" findings. Each
 * sends what an attacker sent, asserts the whole problem body, and checks the
 * store did not move.
 */

let t: TestNode;
let dmv: Signer;
let baseUrl: string;

beforeAll(async () => {
  t = await startTestNode({ listen: true });
  dmv = await t.issuer('DMV', ['driving-licence']);
  const address = t.node.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the test node is not listening');
  baseUrl = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await t.close();
});

const problem = expectedProblem;

const certifyText = () =>
  JSON.stringify(
    t.sign(dmv, 'CertifyRecord', {
      recordDigest: 'ab'.repeat(32),
      recordType: 'driving-licence',
      validFrom: ISSUED_AT,
    }),
  );

async function unmoved(send: () => Promise<{ statusCode: number; body: string; ct: string }>) {
  const before = await t.lastPosition();
  const res = await send();
  expect(await t.lastPosition()).toBe(before);
  expect(res.ct).toMatch(/^application\/problem\+json/);
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
}

const inject = async (url: string, payload: string) => {
  const res = await t.postRaw(url, payload);
  return { statusCode: res.statusCode, body: res.body, ct: String(res.headers['content-type']) };
};

const NOT_I_JSON_TITLE =
  'The request body holds a value with no RFC 8785 form (a number out of range or a lone surrogate)';

describe('values with no RFC 8785 form are refused as input, never a 500', () => {
  it('"n":1e400 anywhere in an envelope (it parses to Infinity) is 400 BODY_NOT_I_JSON, signature unchecked', async () => {
    const text = certifyText().replace('"payload":{', '"payload":{"n":1e400,');
    const res = await unmoved(() => inject('/v1/certifications', text));
    expect(res).toEqual({
      status: 400,
      body: {
        ...problem(
          'BODY_NOT_I_JSON',
          400,
          NOT_I_JSON_TITLE,
          'body/payload/n is a number outside the IEEE 754 double range; allowed: I-JSON (RFC 7493) values, which have an RFC 8785 form',
          '/v1/certifications',
        ),
        pointer: '/payload/n',
      },
    });
  });

  it('a lone surrogate "\\ud800" in a signed field is 400 BODY_NOT_I_JSON', async () => {
    const text = certifyText().replace('"recordType":"driving-licence"', '"recordType":"x\\ud800"');
    const res = await unmoved(() => inject('/v1/certifications', text));
    expect(res.body).toEqual({
      ...problem(
        'BODY_NOT_I_JSON',
        400,
        NOT_I_JSON_TITLE,
        'body/payload/recordType is a string with a lone UTF-16 surrogate; allowed: I-JSON (RFC 7493) values, which have an RFC 8785 form',
        '/v1/certifications',
      ),
      pointer: '/payload/recordType',
    });
  });

  it('a lone low surrogate in a key of the signature object is refused the same way', async () => {
    const text = certifyText().replace('"signature":{', '"signature":{"\\udc00":1,');
    const res = await unmoved(() => inject('/v1/identities', text));
    expect(res.body).toMatchObject({ code: 'BODY_NOT_I_JSON', pointer: '/signature/\udc00', status: 400 });
  });
});

describe('nesting is bounded before any parse or recursion', () => {
  const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
  const detail = 'the body nests arrays or objects more than 64 levels deep; allowed: at most 64';

  it('a 20,000-level conformsTo is 400 BODY_TOO_DEEP, not a stack overflow', async () => {
    const text = `{"payload":{"type":"PublishCatalogEntry","conformsTo":${deep(20_000)}},"signature":{}}`;
    const res = await unmoved(() => inject('/v1/directory/entries', text));
    expect(res).toEqual({
      status: 400,
      body: {
        ...problem(
          'BODY_TOO_DEEP',
          400,
          'The request body nests deeper than allowed',
          detail,
          '/v1/directory/entries',
        ),
        maxDepth: 64,
      },
    });
  });

  it('brackets inside strings do not count, so a signed string full of "[" is not refused for depth', async () => {
    const text = certifyText().replace('"recordType":"driving-licence"', `"recordType":"${'['.repeat(500)}"`);
    const res = await unmoved(() => inject('/v1/certifications', text));
    expect(res.body).toMatchObject({ code: 'BODY_INVALID', status: 400 });
  });

  it('a chunked body nested deep is refused at its 65th bracket, before the rest is sent: connection closed', async () => {
    // The finding's attacker: a huge, deeply nested, unsigned body, sent chunked so that no Content-Length
    // gives it away (one announcing 15 MB is refused 413 at its header). The node must answer from the
    // first chunk, while the client has sent 64 KiB, and not read the rest.
    const before = await t.lastPosition();
    const answer = await new Promise<{
      status: number;
      headers: IncomingHttpHeaders;
      body: string;
      sent: number;
    }>((resolve, reject) => {
      let sent = 0;
      const req = request(
        `${baseUrl}/v1/certifications/batches`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        },
        (res) => {
          const sentWhenAnswered = sent;
          let text = '';
          res.setEncoding('utf8').on('data', (d: string) => (text += d));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: text,
              sent: sentWhenAnswered,
            }),
          );
        },
      );
      req.on('error', reject);
      const chunk = Buffer.from(`{"envelope":${'['.repeat(64 * 1024 - 12)}`);
      sent = chunk.length;
      req.write(chunk);
    });
    expect(await t.lastPosition()).toBe(before);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(answer.sent).toBe(64 * 1024);
    expect(answer.headers.connection).toBe('close');
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({
      ...problem(
        'BODY_TOO_DEEP',
        400,
        'The request body nests deeper than allowed',
        detail,
        '/v1/certifications/batches',
      ),
      maxDepth: 64,
    });
  });

  it('every JSON route shares the bound: a deep body to an identity route is refused the same way', async () => {
    const res = await unmoved(() => inject('/v1/identities/DMV/accredit', deep(65)));
    expect(res.body).toEqual({
      ...problem(
        'BODY_TOO_DEEP',
        400,
        'The request body nests deeper than allowed',
        detail,
        '/v1/identities/DMV/accredit',
      ),
      maxDepth: 64,
    });
  });
});

describe('the HTTP parser’s refusals are problems too', () => {
  it('a 100 KB query string is 431 HEADERS_TOO_LARGE as problem+json', async () => {
    const res = await unmoved(async () => {
      const r = await fetch(`${baseUrl}/v1/certifications?q=${'a'.repeat(100 * 1024)}`);
      return { statusCode: r.status, body: await r.text(), ct: r.headers.get('content-type') ?? '' };
    });
    expect(res).toEqual({
      status: 431,
      body: problem(
        'HEADERS_TOO_LARGE',
        431,
        'The request line or headers are too large',
        'the request line and headers exceed 16384 bytes; allowed: at most 16384 bytes (put long data in a body)',
      ),
    });
  });

  it('the node still serves after refusing one', async () => {
    const r = await fetch(`${baseUrl}/health/live`);
    expect(r.status).toBe(200);
  });
});

describe('problems name the bad value and what is allowed', () => {
  it('a path parameter is PARAMS_INVALID (not BODY_INVALID) and quotes the value', async () => {
    const res = await unmoved(async () => {
      const r = await t.get('/v1/certifications/crt_nope');
      return { statusCode: r.statusCode, body: r.body, ct: String(r.headers['content-type']) };
    });
    expect(res).toEqual({
      status: 400,
      body: {
        ...problem(
          'PARAMS_INVALID',
          400,
          'A path parameter does not match its schema',
          'params/certificationId must match pattern "^crt_[a-z2-7]{24}$"',
          '/v1/certifications/crt_nope',
        ),
        errors: [{ pointer: '/certificationId', message: 'must match pattern "^crt_[a-z2-7]{24}$"' }],
      },
    });
  });

  it("a role outside the enum names it and the allowed ones: roles/0 is 'issuers'; allowed: …", async () => {
    const envelope = t.sign(t.authority, 'RegisterIdentity', {
      identityId: 'NEWDEPT',
      name: 'New department',
      roles: ['issuers'],
      publicKeys: [generateKeyPair().publicKeyBase64],
    });
    const res = await unmoved(() => inject('/v1/identities', JSON.stringify(envelope)));
    const message = "is 'issuers'; allowed: issuer, publisher, consumer";
    expect(res.body).toEqual({
      ...problem(
        'BODY_INVALID',
        400,
        'The request does not match its schema',
        `body/payload/roles/0 ${message}`,
        '/v1/identities',
      ),
      errors: [{ pointer: '/payload/roles/0', message }],
    });
  });
});

describe('issuedAt is RFC 3339 UTC with Z, nothing else', () => {
  it.each([
    ['an offset naming the same instant', '2026-11-22T00:00:00+14:00'],
    ['lowercase t and z', '2026-11-21t10:00:00z'],
    ['a space for the T', '2026-11-21 10:00:00Z'],
  ])('%s (%s) is 400 ISSUED_AT_INVALID and nothing is stored', async (_name, issuedAt) => {
    const envelope = t.sign(
      dmv,
      'CertifyRecord',
      { recordDigest: 'cd'.repeat(32), recordType: 'driving-licence', validFrom: ISSUED_AT },
      { issuedAt },
    );
    const res = await unmoved(() => inject('/v1/certifications', JSON.stringify(envelope)));
    expect(res).toEqual({
      status: 400,
      body: problem(
        'ISSUED_AT_INVALID',
        400,
        'issuedAt is not an RFC 3339 UTC time ending in Z',
        `issuedAt '${issuedAt}' is not an RFC 3339 UTC time; allowed: YYYY-MM-DDTHH:MM:SS[.fraction]Z (uppercase T and Z, no offset), e.g. 2026-11-21T10:00:00Z`,
        '/v1/certifications',
      ),
    });
  });

  it('a fraction of a second with Z is accepted', async () => {
    const envelope = t.sign(
      dmv,
      'CertifyRecord',
      { recordDigest: 'ce'.repeat(32), recordType: 'driving-licence', validFrom: ISSUED_AT },
      { issuedAt: '2026-11-21T10:00:00.250Z' },
    );
    expect((await t.post('/v1/certifications', envelope)).statusCode).toBe(201);
  });
});
