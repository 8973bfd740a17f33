import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedEnvelope } from '../../src/domain/crypto/envelope.js';
import { generateKeyPair } from '../../src/protocol/key-pair.js';
import type { Signer } from '../../src/protocol/sign-command.js';
import { ISSUED_AT, startTestNode, type TestNode } from '../support/test-node.js';

/**
 * The bad-input table: every refusal answers RFC 9457 problem+json with a
 * stable code, the whole body is asserted, and the store must not move.
 */

let t: TestNode;
let dmv: Signer;
let stats: Signer;
let revoked: Signer;
let rotatedOld: Signer;
let certificationId: string;
const digest = 'ab'.repeat(32);

beforeAll(async () => {
  t = await startTestNode();
  dmv = await t.issuer('DMV', ['driving-licence']);
  stats = await t.issuer('STATS', [], ['consumer']);
  revoked = await t.issuer('OLDDEPT', ['diploma']);
  await t.post(
    '/v1/identities/OLDDEPT/revoke',
    t.sign(t.authority, 'RevokeIdentity', { identityId: 'OLDDEPT', reason: 'merged' }),
  );
  rotatedOld = await t.issuer('ROT', ['diploma']);
  const rotated = await t.post(
    '/v1/identities/ROT/rotate-key',
    t.sign(rotatedOld, 'RotateIdentityKey', {
      identityId: 'ROT',
      newPublicKey: generateKeyPair().publicKeyBase64,
    }),
  );
  expect(rotated.statusCode).toBe(200);
  const certified = await t.post(
    '/v1/certifications',
    t.sign(dmv, 'CertifyRecord', {
      recordDigest: digest,
      recordType: 'driving-licence',
      validFrom: ISSUED_AT,
    }),
  );
  expect(certified.statusCode).toBe(201);
  certificationId = JSON.parse(certified.body).certificationId;
});

afterAll(async () => {
  await t.close();
});

interface Case {
  name: string;
  send: () => Promise<LightMyRequestResponse>;
  status: number;
  code: string;
  title: string;
  detail: string | RegExp;
  instance?: string;
  errors?: { pointer: string; message: string }[];
}

const certify = (signer: Signer, fields: Record<string, unknown> = {}, commandId?: string) =>
  t.sign(
    signer,
    'CertifyRecord',
    { recordDigest: digest, recordType: 'driving-licence', validFrom: ISSUED_AT, ...fields } as never,
    commandId === undefined ? {} : { commandId },
  );

function mutate(
  envelope: SignedEnvelope,
  change: (e: { payload: Record<string, unknown>; signature: Record<string, unknown> }) => void,
) {
  const copy = structuredClone(envelope) as unknown as {
    payload: Record<string, unknown>;
    signature: Record<string, unknown>;
  };
  change(copy);
  return copy;
}

const register = (fields: Record<string, unknown>) =>
  t.sign(t.authority, 'RegisterIdentity', {
    identityId: 'NEWDEPT',
    name: 'New department',
    roles: ['issuer'],
    publicKeys: [generateKeyPair().publicKeyBase64],
    ...fields,
  } as never);

const cases: Case[] = [
  {
    name: 'malformed JSON',
    send: () => t.postRaw('/v1/certifications', '{"payload": {'),
    status: 400,
    code: 'BODY_MALFORMED',
    title: 'The request body is not valid JSON',
    detail: "Body is not valid JSON but content-type is set to 'application/json'",
  },
  {
    name: 'empty JSON body',
    send: () => t.postRaw('/v1/certifications', ''),
    status: 400,
    code: 'BODY_MALFORMED',
    title: 'The request body is not valid JSON',
    detail: "Body cannot be empty when content-type is set to 'application/json'",
  },
  {
    name: 'wrong content type',
    send: () => t.postRaw('/v1/certifications', 'hello', 'text/plain'),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    title: 'The request content type is not supported',
    detail: 'content type text/plain is not accepted; send application/json',
  },
  {
    name: 'oversized body',
    send: () => t.postRaw('/v1/certifications', JSON.stringify({ pad: 'x'.repeat(70 * 1024) })),
    status: 413,
    code: 'BODY_TOO_LARGE',
    title: 'The request body is too large',
    detail: `the body is ${JSON.stringify({ pad: 'x'.repeat(70 * 1024) }).length} bytes; allowed: at most 65536 bytes on this route`,
  },
  {
    // The streamed bulk route takes raw bytes; that must not make its neighbours take them too.
    name: 'raw bytes to a JSON route beside the streamed one',
    send: () => t.postRaw('/v1/certifications', 'hello', 'application/octet-stream'),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    title: 'The request content type is not supported',
    detail: 'content type application/octet-stream is not accepted; send application/json',
  },
  {
    name: 'prototype poisoning',
    send: () => t.postRaw('/v1/certifications', '{"__proto__": {"admin": true}}'),
    status: 400,
    code: 'BODY_MALFORMED',
    title: 'The request body is not valid JSON',
    detail: "Body is not valid JSON but content-type is set to 'application/json'",
  },
  {
    name: 'body is an array',
    send: () => t.post('/v1/certifications', []),
    status: 400,
    code: 'BODY_INVALID',
    title: 'The request does not match its schema',
    detail: 'body must be object',
    errors: [{ pointer: '', message: 'must be object' }],
  },
  {
    name: 'missing signature',
    send: () => t.post('/v1/certifications', { payload: certify(dmv).payload }),
    status: 400,
    code: 'BODY_INVALID',
    title: 'The request does not match its schema',
    detail: "body must have required property 'signature'",
    errors: [{ pointer: '', message: "must have required property 'signature'" }],
  },
  {
    name: 'missing commandId',
    send: () =>
      t.post(
        '/v1/certifications',
        mutate(certify(dmv), (e) => delete e.payload['commandId']),
      ),
    status: 400,
    code: 'BODY_INVALID',
    title: 'The request does not match its schema',
    detail: "body/payload must have required property 'commandId'",
    errors: [{ pointer: '/payload', message: "must have required property 'commandId'" }],
  },
  {
    name: 'wrong type: roles is a string',
    send: () => t.post('/v1/identities', register({ roles: 'issuer' })),
    status: 400,
    code: 'BODY_INVALID',
    title: 'The request does not match its schema',
    detail: 'body/payload/roles must be array',
    errors: [{ pointer: '/payload/roles', message: 'must be array' }],
  },
  {
    name: 'unknown field in payload',
    send: () => t.post('/v1/certifications', certify(dmv, { holderName: 'Jane Doe' })),
    status: 400,
    code: 'BODY_INVALID',
    title: 'The request does not match its schema',
    detail: 'body/payload/holderName must NOT have additional properties',
    errors: [{ pointer: '/payload/holderName', message: 'must NOT have additional properties' }],
  },
  {
    name: 'record digest not lower-case hex',
    send: () => t.post('/v1/certifications', certify(dmv, { recordDigest: 'AB'.repeat(32) })),
    status: 400,
    code: 'BODY_INVALID',
    title: 'The request does not match its schema',
    detail: 'body/payload/recordDigest must match pattern "^[0-9a-f]{64}$"',
    errors: [{ pointer: '/payload/recordDigest', message: 'must match pattern "^[0-9a-f]{64}$"' }],
  },
  {
    name: 'issuedAt is not a date-time',
    send: () =>
      t.post(
        '/v1/certifications',
        t.sign(
          dmv,
          'CertifyRecord',
          { recordDigest: digest, recordType: 'driving-licence', validFrom: ISSUED_AT },
          { issuedAt: 'yesterday' },
        ),
      ),
    status: 400,
    code: 'BODY_INVALID',
    title: 'The request does not match its schema',
    detail: 'body/payload/issuedAt must match format "date-time"',
    errors: [{ pointer: '/payload/issuedAt', message: 'must match format "date-time"' }],
  },
  {
    name: 'signature algorithm other than Ed25519',
    send: () =>
      t.post(
        '/v1/certifications',
        mutate(certify(dmv), (e) => (e.signature['alg'] = 'RS256')),
      ),
    status: 400,
    code: 'BODY_INVALID',
    title: 'The request does not match its schema',
    detail: "body/signature/alg is 'RS256'; allowed: Ed25519",
    errors: [{ pointer: '/signature/alg', message: "is 'RS256'; allowed: Ed25519" }],
  },
  {
    name: 'signature is not base64',
    send: () =>
      t.post(
        '/v1/certifications',
        mutate(certify(dmv), (e) => (e.signature['value'] = '!'.repeat(86) + '==')),
      ),
    status: 400,
    code: 'BODY_INVALID',
    title: 'The request does not match its schema',
    detail: 'body/signature/value must match pattern "^[A-Za-z0-9+/]{86}==$"',
    errors: [{ pointer: '/signature/value', message: 'must match pattern "^[A-Za-z0-9+/]{86}==$"' }],
  },
  {
    name: 'signature base64 with non-zero trailing bits',
    send: () =>
      t.post(
        '/v1/certifications',
        mutate(certify(dmv), (e) => {
          const v = e.signature['value'] as string;
          e.signature['value'] = v.slice(0, 85) + 'B==';
        }),
      ),
    status: 400,
    code: 'ENCODING_INVALID',
    title: 'A key, digest or signature is not correctly encoded',
    detail: 'signature.value must be canonical base64 of 64 bytes',
  },
  {
    name: 'public key of the wrong length',
    send: () => t.post('/v1/identities', register({ publicKeys: ['AAAA'] })),
    status: 400,
    code: 'BODY_INVALID',
    title: 'The request does not match its schema',
    detail: 'body/payload/publicKeys/0 must match pattern "^[A-Za-z0-9+/]{43}=$"',
    errors: [{ pointer: '/payload/publicKeys/0', message: 'must match pattern "^[A-Za-z0-9+/]{43}=$"' }],
  },
  {
    name: 'public key base64 with non-zero trailing bits',
    send: () => t.post('/v1/identities', register({ publicKeys: [`${'A'.repeat(42)}B=`] })),
    status: 400,
    code: 'ENCODING_INVALID',
    title: 'A key, digest or signature is not correctly encoded',
    detail: 'publicKey must be canonical base64 of a 32-byte Ed25519 key',
  },
  {
    name: 'command type posted to the wrong action',
    send: () =>
      t.post(
        `/v1/certifications/${certificationId}/revoke`,
        t.sign(dmv, 'SuspendCertification', { certificationId, reason: 'x' }),
      ),
    status: 400,
    code: 'COMMAND_TYPE_MISMATCH',
    title: 'The command type does not belong to this route',
    detail: 'this route accepts RevokeCertification, not SuspendCertification',
  },
  {
    name: 'payload names another resource than the path',
    send: () =>
      t.post(
        '/v1/certifications/crt_aaaaaaaaaaaaaaaaaaaaaaaa/revoke',
        t.sign(dmv, 'RevokeCertification', { certificationId, reason: 'x' }),
      ),
    status: 400,
    code: 'PATH_MISMATCH',
    title: 'The command names a different resource than the path',
    detail: 'payload.certificationId must equal the id in the path (crt_aaaaaaaaaaaaaaaaaaaaaaaa)',
  },
  {
    name: 'signature key id differs from payload key id',
    send: () =>
      t.post(
        '/v1/certifications',
        mutate(certify(dmv), (e) => (e.signature['keyId'] = generateKeyPair().keyId)),
      ),
    status: 400,
    code: 'SIGNATURE_KEY_MISMATCH',
    title: 'The signature key id differs from the payload key id',
    detail: 'signature.keyId must equal payload.keyId',
  },
  {
    name: 'unknown actor',
    send: () => t.post('/v1/certifications', certify({ actor: 'NOBODY', keyPair: generateKeyPair() })),
    status: 401,
    code: 'ACTOR_UNKNOWN',
    title: 'The actor is not a registered identity',
    detail: 'no identity NOBODY',
  },
  {
    name: 'key not registered to the actor',
    send: () => {
      const stranger = generateKeyPair();
      return t.post('/v1/certifications', certify({ actor: 'DMV', keyPair: stranger }));
    },
    status: 401,
    code: 'KEY_UNKNOWN',
    title: 'The key is not registered to the actor',
    detail: /^key ed25519:[A-Za-z0-9_-]{22} is not registered to DMV$/,
  },
  {
    name: 'forged signature (made by another key)',
    send: () => {
      const forger = generateKeyPair();
      const genuine = certify(dmv);
      const forged = t.sign({ actor: 'DMV', keyPair: forger }, 'CertifyRecord', {}, {});
      return t.post(
        '/v1/certifications',
        mutate(genuine, (e) => (e.signature['value'] = forged.signature.value)),
      );
    },
    status: 401,
    code: 'SIGNATURE_INVALID',
    title: 'The signature does not verify',
    detail: 'the signature does not verify over the RFC 8785 form of the payload',
  },
  {
    name: 'payload tampered after signing',
    send: () =>
      t.post(
        '/v1/certifications',
        mutate(certify(dmv), (e) => (e.payload['recordDigest'] = 'cd'.repeat(32))),
      ),
    status: 401,
    code: 'SIGNATURE_INVALID',
    title: 'The signature does not verify',
    detail: 'the signature does not verify over the RFC 8785 form of the payload',
  },
  {
    name: 'issuedAt too far in the past',
    send: () =>
      t.post(
        '/v1/certifications',
        t.sign(
          dmv,
          'CertifyRecord',
          { recordDigest: digest, recordType: 'driving-licence', validFrom: ISSUED_AT },
          { issuedAt: '2026-11-21T09:50:00Z' },
        ),
      ),
    status: 400,
    code: 'ISSUED_AT_SKEW',
    title: 'issuedAt is outside the allowed clock skew',
    detail: 'issuedAt 2026-11-21T09:50:00Z is more than 300 s from the server time 2026-11-21T10:00:00.000Z',
  },
  {
    name: 'issuedAt in the future',
    send: () =>
      t.post(
        '/v1/certifications',
        t.sign(
          dmv,
          'CertifyRecord',
          { recordDigest: digest, recordType: 'driving-licence', validFrom: ISSUED_AT },
          { issuedAt: '2026-11-21T10:06:00Z' },
        ),
      ),
    status: 400,
    code: 'ISSUED_AT_SKEW',
    title: 'issuedAt is outside the allowed clock skew',
    detail: 'issuedAt 2026-11-21T10:06:00Z is more than 300 s from the server time 2026-11-21T10:00:00.000Z',
  },
  {
    name: 'replay: command id reused with a different payload',
    send: async () => {
      // A digest of its own: the table's usual digest is certified already (a duplicate is its own refusal).
      const first = await t.post(
        '/v1/certifications',
        certify(dmv, { recordDigest: '12'.repeat(32) }, 'replay-0001'),
      );
      expect(first.statusCode).toBe(201);
      return t.post('/v1/certifications', certify(dmv, { recordDigest: 'cd'.repeat(32) }, 'replay-0001'));
    },
    status: 409,
    code: 'COMMAND_ID_REUSED',
    title: 'The command id was already used for a different command',
    detail: 'command id replay-0001 was already used for a different command',
  },
  {
    name: 'wrong role: an issuer registers an identity',
    send: () =>
      t.post(
        '/v1/identities',
        t.sign(dmv, 'RegisterIdentity', {
          identityId: 'ROGUE',
          name: 'Rogue',
          roles: ['issuer'],
          publicKeys: [generateKeyPair().publicKeyBase64],
        }),
      ),
    status: 403,
    code: 'ROLE_MISSING',
    title: 'The actor lacks the role this command needs',
    detail: 'actor DMV lacks the authority role',
  },
  {
    name: 'wrong role: a consumer certifies',
    send: () => t.post('/v1/certifications', certify(stats)),
    status: 403,
    code: 'ROLE_MISSING',
    title: 'The actor lacks the role this command needs',
    detail: 'actor STATS lacks the issuer role',
  },
  {
    name: 'accreditation missing for the record type',
    send: () => t.post('/v1/certifications', certify(dmv, { recordType: 'diploma' })),
    status: 403,
    code: 'ACCREDITATION_MISSING',
    title: 'The actor is not accredited for this record type',
    detail: 'actor DMV is not accredited for record type diploma',
  },
  {
    name: 'revoked actor',
    send: () => t.post('/v1/certifications', certify(revoked, { recordType: 'diploma' })),
    status: 403,
    code: 'ACTOR_REVOKED',
    title: 'The actor identity is revoked',
    detail: 'identity OLDDEPT is revoked',
  },
  {
    name: 'key retired by rotation',
    send: () => t.post('/v1/certifications', certify(rotatedOld, { recordType: 'diploma' })),
    status: 401,
    code: 'KEY_RETIRED',
    title: 'The key was retired by a rotation',
    detail: /^key ed25519:[A-Za-z0-9_-]{22} was retired at 2026-11-21T10:00:00Z$/,
  },
  {
    name: 'a third party revokes a certification',
    send: () =>
      t.post(
        `/v1/certifications/${certificationId}/revoke`,
        t.sign(stats, 'RevokeCertification', { certificationId, reason: 'no' }),
      ),
    status: 403,
    code: 'NOT_ISSUER',
    title: 'Only the issuer or the authority may change this certification',
    detail: /^only the issuer or the authority may change certification crt_[a-z2-7]{24}$/,
  },
  {
    name: 'organisation code already registered',
    send: () => t.post('/v1/identities', register({ identityId: 'DMV' })),
    status: 409,
    code: 'IDENTITY_ALREADY_EXISTS',
    title: 'The organisation code is already registered',
    detail: 'organisation code DMV is already registered',
  },
  {
    name: 'parent does not exist',
    send: () => t.post('/v1/identities', register({ parentId: 'GHOST' })),
    status: 422,
    code: 'PARENT_NOT_FOUND',
    title: 'The parent identity does not exist',
    detail: 'parent identity GHOST does not exist',
  },
  {
    name: 'key already registered to another identity',
    send: () => t.post('/v1/identities', register({ publicKeys: [dmv.keyPair.publicKeyBase64] })),
    status: 409,
    code: 'KEY_ALREADY_REGISTERED',
    title: 'The key is already registered',
    detail: `key ${'KEYID'} is already registered`,
  },
  {
    name: 'accrediting an identity without the issuer role',
    send: () =>
      t.post(
        '/v1/identities/STATS/accredit',
        t.sign(t.authority, 'AccreditIdentity', { identityId: 'STATS', recordTypes: ['census'] }),
      ),
    status: 422,
    code: 'NOT_AN_ISSUER',
    title: 'The identity does not hold the issuer role',
    detail: 'identity STATS does not hold the issuer role',
  },
  {
    name: 'validity window reversed',
    send: () => t.post('/v1/certifications', certify(dmv, { validUntil: '2026-01-01T00:00:00Z' })),
    status: 422,
    code: 'VALIDITY_WINDOW_INVALID',
    title: 'The validity window is empty or reversed',
    detail: 'validFrom must be an instant and validUntil a later one',
  },
  {
    name: 'reinstating an active certification',
    send: () =>
      t.post(
        `/v1/certifications/${certificationId}/reinstate`,
        t.sign(dmv, 'ReinstateCertification', { certificationId, reason: 'x' }),
      ),
    status: 409,
    code: 'INVALID_STATUS_TRANSITION',
    title: 'The certification cannot make this status change',
    detail: 'cannot reinstate a certification that is active',
  },
  {
    name: 'status change of an unknown certification',
    send: () =>
      t.post(
        '/v1/certifications/crt_aaaaaaaaaaaaaaaaaaaaaaaa/suspend',
        t.sign(dmv, 'SuspendCertification', { certificationId: 'crt_aaaaaaaaaaaaaaaaaaaaaaaa', reason: 'x' }),
      ),
    status: 404,
    code: 'CERTIFICATION_NOT_FOUND',
    title: 'No such certification',
    detail: 'certification crt_aaaaaaaaaaaaaaaaaaaaaaaa does not exist',
  },
  {
    name: 'unknown route',
    send: () => t.post('/v1/nothing-here', {}),
    status: 404,
    code: 'ROUTE_NOT_FOUND',
    title: 'No such route',
    detail: 'no route POST /v1/nothing-here',
    instance: '/v1/nothing-here',
  },
];

describe('bad input is refused with a whole problem body and nothing is written', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('$name → $code', async (c) => {
    const before = await t.lastPosition();
    const res = await c.send();
    // The replay case writes its first (valid) command on purpose; measure from after it.
    const baseline = c.code === 'COMMAND_ID_REUSED' ? (before ?? 0n) + 1n : before;
    expect(res.statusCode).toBe(c.status);
    expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
    const body = JSON.parse(res.body);
    const detail =
      typeof c.detail === 'string'
        ? c.detail.replace('KEYID', dmv.keyPair.keyId)
        : expect.stringMatching(c.detail);
    expect(body).toEqual({
      type: `urn:chancery:problem:${c.code.toLowerCase().replaceAll('_', '-')}`,
      title: c.title,
      status: c.status,
      code: c.code,
      detail,
      instance: c.instance ?? res.raw.req.url?.split('?')[0],
      ...(c.errors === undefined ? {} : { errors: c.errors }),
    });
    expect(await t.lastPosition()).toBe(baseline);
  });
});
