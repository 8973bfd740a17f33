import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Signer } from '../../src/protocol/sign-command.js';
import { ISSUED_AT, startTestNode, type TestNode } from '../support/test-node.js';

/**
 * Issue 11, "retries that cannot be done": SEAL_TIMEOUT says exactly how to
 * repeat the write (its commandId and issuedAt, the CLI flags), and doing so
 * answers from what was stored instead of writing a duplicate.
 */

let t: TestNode;
let dmv: Signer;

beforeAll(async () => {
  // Checkpoints only when the test seals; a sealed wait gives up after 150 ms.
  t = await startTestNode({ sealWaitMs: 150 });
  dmv = await t.issuer('DMV', ['driving-licence']);
});

afterAll(async () => {
  await t.close();
});

describe('a write whose wait timed out can be repeated exactly', () => {
  it('SEAL_TIMEOUT names commandId, issuedAt and the CLI flags; the repeat is answered from the store', async () => {
    const envelope = t.sign(
      dmv,
      'CertifyRecord',
      { recordDigest: '5a'.repeat(32), recordType: 'driving-licence', validFrom: ISSUED_AT },
      { commandId: 'cert-0001' },
    );
    const timedOut = await t.post('/v1/certifications?wait=sealed', envelope);
    expect(timedOut.statusCode).toBe(503);
    expect(timedOut.headers['retry-after']).toBe('1');
    const body = JSON.parse(timedOut.body);
    expect(body).toEqual({
      type: 'urn:chancery:problem:seal-timeout',
      title: 'The write is durable but not sealed yet; retry it later',
      status: 503,
      code: 'SEAL_TIMEOUT',
      detail:
        `leaf ${body.leafIndex} was not sealed within 150 ms; the write is durable. To wait again without writing twice, ` +
        `send the same signed command again (same commandId cert-0001 and issuedAt ${ISSUED_AT}) within 300 s of issuedAt; ` +
        `with the CLI, repeat it with --command-id cert-0001 --issued-at ${ISSUED_AT}`,
      instance: '/v1/certifications',
      position: expect.any(String),
      leafIndex: expect.any(Number),
      commandId: 'cert-0001',
      issuedAt: ISSUED_AT,
    });
    await t.seal();
    const repeated = await t.post('/v1/certifications?wait=sealed', envelope);
    expect(repeated.statusCode).toBe(201);
    expect(JSON.parse(repeated.body)).toMatchObject({ replayed: true, leafIndex: body.leafIndex });
    // Nothing new was written by the repeat: one certification.
    const certified = await t.get('/v1/certifications');
    expect(JSON.parse(certified.body).items).toHaveLength(1);
  });
});
