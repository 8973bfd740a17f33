import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplayCache } from '../../../src/application/auth/replay-cache.js';
import {
  type SignableRequest,
  type SignatureRegistry,
  verifyRequestSignature,
} from '../../../src/application/auth/verify-request.js';
import { ProblemError } from '../../../src/application/problems/problem.js';
import { decodeBase64 } from '../../../src/domain/crypto/base64.js';
import {
  contentDigestHeader,
  contentDigestSha256,
  parseSignature,
  parseSignatureInput,
  StructuredFieldError,
  serializeSignatureParams,
  signatureBase,
} from '../../../src/domain/crypto/http-message-signature.js';
import { verifyEd25519 } from '../../../src/infrastructure/crypto/ed25519-verifier.js';
import { signHttpRequest } from '../../../src/protocol/http-signer.js';
import { generateKeyPair } from '../../../src/protocol/key-pair.js';

/**
 * RFC 9421 Appendix B.2.6 (Signing a Request Using ed25519) with the key of
 * Appendix B.1.4 (test-key-ed25519, a JWK there). Ed25519 is deterministic,
 * so our signature base must reproduce the RFC's signature byte for byte.
 */
const RFC9421_KEY = {
  kty: 'OKP',
  crv: 'Ed25519',
  d: 'n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU',
  x: 'JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs',
} as const;
const B26_INPUT =
  'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"';
const B26_SIGNATURE =
  'sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:';
const B26_BASE = [
  '"date": Tue, 20 Apr 2021 02:07:55 GMT',
  '"@method": POST',
  '"@path": /foo',
  '"@authority": example.com',
  '"content-type": application/json',
  '"content-length": 18',
  '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
].join('\n');

describe('RFC 9421 known answers', () => {
  const params = parseSignatureInput(B26_INPUT).get('sig-b26')!;
  const values: [string, string][] = [
    ['date', 'Tue, 20 Apr 2021 02:07:55 GMT'],
    ['@method', 'POST'],
    ['@path', '/foo'],
    ['@authority', 'example.com'],
    ['content-type', 'application/json'],
    ['content-length', '18'],
  ];

  it('parses Signature-Input B.2.6 and serialises @signature-params back to the same text', () => {
    expect(params.components).toEqual(values.map(([n]) => n));
    expect(`sig-b26=${serializeSignatureParams(params)}`).toBe(B26_INPUT);
  });

  it('builds the B.2.6 signature base exactly', () => {
    expect(signatureBase(values, params)).toBe(B26_BASE);
  });

  it('reproduces the B.2.6 signature with the B.1.4 key, and verifies it', () => {
    const signature = parseSignature(B26_SIGNATURE).get('sig-b26')!;
    const produced = sign(null, Buffer.from(B26_BASE), createPrivateKey({ key: RFC9421_KEY, format: 'jwk' }));
    expect(Buffer.from(produced).equals(Buffer.from(signature))).toBe(true);
    const publicKey = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: RFC9421_KEY.x },
      format: 'jwk',
    });
    const raw = new Uint8Array(Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url'));
    expect(verifyEd25519(raw, new TextEncoder().encode(B26_BASE), signature)).toBe(true);
    expect(verifyEd25519(raw, new TextEncoder().encode(B26_BASE.replace('POST', 'GET')), signature)).toBe(
      false,
    );
  });

  it('matches the RFC 9530 Content-Digest example for {"hello": "world"}', () => {
    const digest = createHash('sha256').update('{"hello": "world"}\n').digest();
    expect(contentDigestHeader(digest)).toBe('sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:');
    expect(contentDigestSha256('sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:')).toEqual(
      new Uint8Array(digest),
    );
  });
});

describe('structured-field parsing treats headers as hostile', () => {
  it.each([
    ['an unterminated inner list', 'sig1=("@method" "@path"'],
    ['component parameters', 'sig1=("@query-param";name="x");created=1'],
    ['a repeated parameter', 'sig1=("@method");created=1;created=2'],
    ['a repeated label', 'sig1=("@method");created=1, sig1=("@path");created=1'],
    ['a decimal parameter', 'sig1=("@method");created=1.5'],
    ['non-ASCII in a string', 'sig1=("@méthod");created=1'],
    ['a trailing comma', 'sig1=("@method");created=1,'],
    ['an over-long header', `sig1=("${'a'.repeat(9000)}")`],
    ['a component covered twice', 'sig1=("@method" "@method");created=1'],
  ])('refuses %s', (_name, header) => {
    expect(() => parseSignatureInput(header)).toThrow(StructuredFieldError);
  });

  it('refuses non-canonical base64 in a byte sequence', () => {
    expect(() => parseSignature('sig1=:AB==:')).toThrow(StructuredFieldError);
  });

  it('refuses a line break in a component value (it would forge a base line)', () => {
    expect(() =>
      signatureBase([['x-a', 'v\n"@method": GET']], { components: ['x-a'], parameters: [] }),
    ).toThrow(StructuredFieldError);
  });

  it('round-trips any covered-component list and parameters (property)', () => {
    const name = fc.stringMatching(/^[a-z@][a-z0-9-]{0,15}$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(name, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.stringMatching(/^[A-Za-z0-9_:-]{1,40}$/),
        (components, created, keyid) => {
          const params = {
            components,
            parameters: [
              ['created', { kind: 'integer', value: created }],
              ['keyid', { kind: 'string', value: keyid }],
            ] as const,
          };
          const header = `sig1=${serializeSignatureParams(params)}`;
          const parsed = parseSignatureInput(header).get('sig1')!;
          expect(`sig1=${serializeSignatureParams(parsed)}`).toBe(header);
        },
      ),
    );
  });
});

describe('verifyRequestSignature', () => {
  const keyPair = generateKeyPair();
  const identity = {
    identityId: 'HEALTH',
    name: 'Health',
    organisationCode: 'HEALTH',
    parentId: null,
    roles: ['consumer'],
    accreditations: [],
    status: 'active' as 'active' | 'revoked',
    registeredAt: '2026-01-01T00:00:00Z',
    revokedAt: null,
    revocationReason: null,
    keys: [],
    position: 1n,
  };
  const key = {
    keyId: keyPair.keyId,
    identityId: 'HEALTH',
    publicKey: keyPair.publicKeyBase64,
    publicKeyBytes: decodeBase64(keyPair.publicKeyBase64)!,
    activeFrom: '2026-01-01T00:00:00Z',
    retiredAt: null as string | null,
  };
  const now = 1_800_000_000_000;
  const registry = (over: { retiredAt?: string | null; status?: 'active' | 'revoked' } = {}) => ({
    get: () => ({ ...identity, status: over.status ?? 'active' }),
    key: (id: string) => (id === keyPair.keyId ? { ...key, retiredAt: over.retiredAt ?? null } : undefined),
  });
  const target = '/v1/directory/entries/ent_x/versions/latest/data?grant=grt_y';
  const signed = (created = now / 1000, nonce?: string) => ({
    method: 'GET',
    url: target,
    headers: signHttpRequest(
      keyPair,
      { method: 'GET', target, headers: {} },
      { created, ...(nonce ? { nonce } : {}) },
    ),
  });
  const code = (run: () => unknown) => {
    try {
      run();
      return 'verified';
    } catch (error) {
      return error instanceof ProblemError ? error.code : String(error);
    }
  };
  const verify = (
    request: SignableRequest,
    reg: SignatureRegistry = registry(),
    replay = new ReplayCache(600_000),
  ) => verifyRequestSignature(request, { registry: reg, now, maxSkewMs: 300_000, replay, required: [] });

  it('verifies a request our client signed, once', () => {
    const replay = new ReplayCache(600_000);
    const request = signed();
    expect(verify(request, registry(), replay)?.actor.identityId).toBe('HEALTH');
    expect(code(() => verify(request, registry(), replay))).toBe('SIGNATURE_REPLAYED');
  });

  it('answers null (anonymous) without signature headers', () => {
    expect(verify({ method: 'GET', url: target, headers: {} })).toBeNull();
  });

  it.each([
    ['a forged signature', () => verify({ ...signed(), method: 'DELETE' }), 'SIGNATURE_INVALID'],
    [
      'a changed query',
      () => verify({ ...signed(), url: target.replace('grt_y', 'grt_z') }),
      'SIGNATURE_INVALID',
    ],
    ['created outside the skew', () => verify(signed(now / 1000 - 301)), 'ISSUED_AT_SKEW'],
    ['a retired key', () => verify(signed(), registry({ retiredAt: '2026-02-01T00:00:00Z' })), 'KEY_RETIRED'],
    ['a revoked identity', () => verify(signed(), registry({ status: 'revoked' })), 'ACTOR_REVOKED'],
    ['an unknown key', () => verify(signed(), { get: () => undefined, key: () => undefined }), 'KEY_UNKNOWN'],
    [
      'a signature that does not cover @query',
      () => {
        const r = signed();
        const input = r.headers['signature-input'].replace(' "@query"', '');
        return verify({ ...r, headers: { ...r.headers, 'signature-input': input } });
      },
      'SIGNATURE_INPUT_INVALID',
    ],
    [
      'two signatures',
      () => {
        const r = signed();
        return verify({
          ...r,
          headers: {
            ...r.headers,
            'signature-input': `${r.headers['signature-input']}, ${r.headers['signature-input'].replace('sig1', 'sig2')}`,
          },
        });
      },
      'SIGNATURE_INPUT_INVALID',
    ],
    [
      'Signature without Signature-Input',
      () => verify({ ...signed(), headers: { signature: signed().headers.signature } }),
      'SIGNATURE_INPUT_INVALID',
    ],
  ])('refuses %s', (_name, run, expected) => {
    expect(code(run)).toBe(expected);
  });
});
