import { describe, expect, it } from 'vitest';
import { depthBeyond, firstNonIJson } from '../../../src/api/hardening/json-limits.js';
import { authenticate } from '../../../src/application/auth/authenticate.js';
import { ProblemError } from '../../../src/application/problems/problem.js';
import type { SignedEnvelope } from '../../../src/domain/crypto/envelope.js';
import type { RegistryIdentity } from '../../../src/infrastructure/projections/identity-registry.js';
import { generateKeyPair } from '../../../src/protocol/key-pair.js';

describe('depthBeyond (the scan that runs before JSON.parse)', () => {
  it.each([
    ['[]', 1, null],
    ['[[]]', 1, 2],
    ['{"a":{"b":[]}}', 3, null],
    ['{"a":{"b":[]}}', 2, 3],
    ['"[[[[[["', 1, null],
    ['["\\"[[[["]', 1, null],
    ['{"a\\\\":[[]]}', 2, 3],
  ])('%s with max %i → %s', (text, max, expected) => {
    expect(depthBeyond(text, max)).toBe(expected);
  });

  it('stops at the first level beyond the bound, so a 20,000-level body costs one short scan', () => {
    expect(depthBeyond('['.repeat(20_000), 64)).toBe(65);
  });
});

describe('firstNonIJson', () => {
  it('names a number that overflowed to Infinity', () => {
    expect(firstNonIJson(JSON.parse('{"a":[1,{"n":1e400}]}'))).toEqual({
      pointer: '/a/1/n',
      reason: 'a number outside the IEEE 754 double range',
    });
  });
  it('names a lone surrogate in a value or a key, and accepts a proper pair', () => {
    expect(firstNonIJson({ s: 'ok \ud83d\ude00' })).toBeNull();
    expect(firstNonIJson({ 'a/b': '\ud800' })?.pointer).toBe('/a~1b');
    expect(firstNonIJson({ '\udfff': 1 })?.reason).toBe('a key with a lone UTF-16 surrogate');
  });
});

describe('authenticate canonicalises inside a refusal, never an uncaught throw', () => {
  it('a payload holding Infinity (as a replay or a direct caller could pass) is BODY_NOT_I_JSON', async () => {
    const keys = generateKeyPair();
    const key = {
      keyId: 'k1',
      identityId: 'DMV',
      publicKey: keys.publicKeyBase64,
      publicKeyBytes: keys.publicKey,
      activeFrom: '2026-01-01T00:00:00Z',
      retiredAt: null,
    };
    const actor = { identityId: 'DMV', status: 'active', keys: [key] } as unknown as RegistryIdentity;
    const envelope = {
      payload: { type: 'CertifyRecord', actor: 'DMV', keyId: 'k1', n: Number.POSITIVE_INFINITY },
      signature: { keyId: 'k1', alg: 'Ed25519', value: Buffer.alloc(64).toString('base64') },
    } as unknown as SignedEnvelope;
    const refusal = await authenticate(envelope, { get: () => actor }, 0, 1000).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ProblemError);
    expect((refusal as ProblemError).code).toBe('BODY_NOT_I_JSON');
  });
});
