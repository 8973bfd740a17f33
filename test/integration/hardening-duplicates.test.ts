import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificationStream } from '../../src/domain/certification/events.js';
import type { Signer } from '../../src/protocol/sign-command.js';
import { ISSUED_AT, startTestNode, type TestNode } from '../support/test-node.js';

/** Issue 11, "silent duplicates", through real HTTP into the one pipeline. */

let t: TestNode;
let dmv: Signer;
const digest = 'ee'.repeat(32);

beforeAll(async () => {
  t = await startTestNode();
  dmv = await t.issuer('DMV', ['driving-licence', 'permit']);
});

afterAll(async () => {
  await t.close();
});

const certify = (fields: Record<string, string> = {}) =>
  t.post(
    '/v1/certifications',
    t.sign(dmv, 'CertifyRecord', {
      recordDigest: digest,
      recordType: 'driving-licence',
      validFrom: ISSUED_AT,
      ...fields,
    }),
  );

function alreadyCertified(existing: string, status: string) {
  return {
    type: 'urn:chancery:problem:record-already-certified',
    title: 'This issuer already certified this record; reissue it explicitly to certify it anew',
    status: 409,
    code: 'RECORD_ALREADY_CERTIFIED',
    detail: `DMV already certified this record (driving-licence, sha256 ${digest}) as ${existing}, which is ${status}; to certify it anew, reissue it: chancery certify --reissue ${existing} (payload reissueOf)`,
    instance: '/v1/certifications',
    certificationId: existing,
    status_: status,
  };
}

/** The problem's `status` member is the HTTP status; the certification's status is an extension. */
function expected(existing: string, status: string) {
  const { status_, ...body } = alreadyCertified(existing, status);
  return { ...body, status: 409, certificationStatus: status_ };
}

let first: string;

describe('one certification per record, issuer and record type', () => {
  it('certifying the same file twice answers 409 RECORD_ALREADY_CERTIFIED with the existing id, and stores nothing', async () => {
    const created = await certify();
    expect(created.statusCode).toBe(201);
    first = JSON.parse(created.body).certificationId;
    const before = await t.lastPosition();
    const again = await certify();
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(again.body)).toEqual(expected(first, 'active'));
    expect(await t.lastPosition()).toBe(before);
  });

  it('the same digest under another record type is another record', async () => {
    expect((await certify({ recordType: 'permit' })).statusCode).toBe(201);
  });

  it('a retry of the first command (same commandId) is still an idempotent replay, not a 409', async () => {
    const envelope = t.sign(
      dmv,
      'CertifyRecord',
      { recordDigest: 'ef'.repeat(32), recordType: 'driving-licence', validFrom: ISSUED_AT },
      { commandId: 'retry-me' },
    );
    expect((await t.post('/v1/certifications', envelope)).statusCode).toBe(201);
    const retried = await t.post('/v1/certifications', envelope);
    expect(retried.statusCode).toBe(201);
    expect(JSON.parse(retried.body)).toMatchObject({ replayed: true });
  });

  it('re-certifying a revoked record is refused too, saying it is revoked and how to reissue', async () => {
    const revoked = await t.post(
      `/v1/certifications/${first}/revoke`,
      t.sign(dmv, 'RevokeCertification', { certificationId: first, reason: 'issued in error' }),
    );
    expect(revoked.statusCode).toBe(200);
    const before = await t.lastPosition();
    const again = await certify();
    expect(JSON.parse(again.body)).toEqual(expected(first, 'revoked'));
    expect(await t.lastPosition()).toBe(before);
  });

  it('an explicit reissue certifies anew and links the old certification in the signed event', async () => {
    const reissued = await certify({ reissueOf: first });
    expect(reissued.statusCode).toBe(201);
    const body = JSON.parse(reissued.body);
    expect(body.certificationId).not.toBe(first);
    const [event] = await t.node.store.readStream(certificationStream(body.certificationId));
    expect(event).toMatchObject({ type: 'RecordCertified', data: { reissueOf: first } });
    // The reissue is now the latest: certifying again names it, not the revoked one.
    expect(JSON.parse((await certify()).body)).toEqual(expected(body.certificationId, 'active'));
  });

  it('a reissue naming a certification of another record is refused and stores nothing', async () => {
    const before = await t.lastPosition();
    const res = await certify({ recordDigest: 'fa'.repeat(32), reissueOf: first });
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body)).toEqual({
      type: 'urn:chancery:problem:certification-not-found',
      title: 'No such certification',
      status: 404,
      code: 'CERTIFICATION_NOT_FOUND',
      detail: `reissueOf ${first} is not a certification of this record (driving-licence, sha256 ${'fa'.repeat(32)}) by DMV; allowed: omit reissueOf for a first certification`,
      instance: '/v1/certifications',
    });
    expect(await t.lastPosition()).toBe(before);
  });
});
