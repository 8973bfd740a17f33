/**
 * GET /v1/operations/certifications on a real node after real signed writes:
 * counts per time bucket by record type, issuer and status change (certified,
 * suspended, reinstated, revoked), each cut to the top N keys plus "(other)",
 * and a bad query refused with a problem.
 */

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CertificationSeries } from '../../src/protocol/certification-series.js';
import { generateKeyPair } from '../../src/protocol/key-pair.js';
import type { Signer } from '../../src/protocol/sign-command.js';
import { authorityOf, type LiveNode, startLiveNode } from '../support/federation-nodes.js';
import { postSigned } from '../support/metrics-network.js';

async function issuer(node: LiveNode, code: string, recordTypes: string[]): Promise<Signer> {
  const keyPair = generateKeyPair();
  await postSigned(node, '/v1/identities', authorityOf(node), 'RegisterIdentity', {
    identityId: code,
    name: code,
    roles: ['issuer'],
    publicKeys: [keyPair.publicKeyBase64],
  });
  await postSigned(node, `/v1/identities/${code}/accredit`, authorityOf(node), 'AccreditIdentity', {
    identityId: code,
    recordTypes,
  });
  return { actor: code, keyPair };
}

async function certify(node: LiveNode, by: Signer, recordType: string): Promise<string> {
  const body = await postSigned(node, '/v1/certifications', by, 'CertifyRecord', {
    recordDigest: createHash('sha256').update(`${by.actor} ${Math.random()}`).digest('hex'),
    recordType,
    validFrom: '2026-01-01T00:00:00Z',
  });
  return String(body['certificationId']);
}

describe('certifications over time', () => {
  let node: LiveNode;

  beforeAll(async () => {
    node = await startLiveNode();
    const a = await issuer(node, 'ALPHA', ['licence', 'permit']);
    const b = await issuer(node, 'BETA', ['licence']);
    const c = await issuer(node, 'GAMMA', ['licence']);
    const alpha = [];
    for (let i = 0; i < 3; i++) alpha.push(await certify(node, a, 'licence'));
    await certify(node, a, 'permit');
    const beta = [await certify(node, b, 'licence'), await certify(node, b, 'licence')];
    await certify(node, c, 'licence');
    const change = (by: Signer, id: string, action: string, type: string) =>
      postSigned(node, `/v1/certifications/${id}/${action}`, by, type, {
        certificationId: id,
        reason: 'test',
      });
    await change(a, alpha[0]!, 'suspend', 'SuspendCertification');
    await change(a, alpha[0]!, 'reinstate', 'ReinstateCertification');
    await change(b, beta[0]!, 'revoke', 'RevokeCertification');
  }, 60_000);

  afterAll(async () => {
    await node?.close();
  });

  const total = (series: CertificationSeries['byType']) =>
    Object.fromEntries(series.map((s) => [s.key, s.total]));

  it('counts by type, issuer and status change per bucket, up to now', async () => {
    const before = Math.floor(Date.now() / 1000 / 60) * 60;
    const s = await node.json<CertificationSeries>('/v1/operations/certifications?bucket=minute&buckets=5');
    expect(s.bucket).toBe('minute');
    expect(s.bucketSeconds).toBe(60);
    expect(s.buckets).toHaveLength(5);
    expect(s.buckets.at(-1)).toBeGreaterThanOrEqual(before);
    expect(s.buckets.slice(1).map((b, i) => b - s.buckets[i]!)).toEqual([60, 60, 60, 60]);
    expect(total(s.byType)).toEqual({ licence: 6, permit: 1 });
    expect(total(s.byIssuer)).toEqual({ ALPHA: 4, BETA: 2, GAMMA: 1 });
    expect(total(s.byStatus)).toEqual({ certified: 7, suspended: 1, reinstated: 1, revoked: 1 });
    for (const list of [s.byType, s.byIssuer, s.byStatus])
      for (const c of list) {
        expect(c.counts).toHaveLength(5);
        expect(c.counts.reduce((x, y) => x + y, 0)).toBe(c.total);
      }
    // Biggest first.
    expect(s.byIssuer.map((c) => c.key)).toEqual(['ALPHA', 'BETA', 'GAMMA']);
  });

  it('keeps the top N keys per dimension and sums the rest as (other)', async () => {
    const s = await node.json<CertificationSeries>(
      '/v1/operations/certifications?bucket=hour&buckets=2&top=1',
    );
    expect(s.byIssuer.map((c) => [c.key, c.total])).toEqual([
      ['ALPHA', 4],
      ['(other)', 3],
    ]);
    expect(s.byType.map((c) => [c.key, c.total])).toEqual([
      ['licence', 6],
      ['(other)', 1],
    ]);
    expect(s.byStatus.map((c) => [c.key, c.total])).toEqual([
      ['certified', 7],
      ['(other)', 3],
    ]);
  });

  it('refuses a bucket it does not know, with a problem naming what is allowed', async () => {
    const response = await node.get('/v1/operations/certifications?bucket=week');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toEqual({
      type: 'urn:chancery:problem:body-invalid',
      title: 'The request does not match its schema',
      status: 400,
      code: 'BODY_INVALID',
      detail: "querystring/bucket is 'week'; allowed: minute, hour, day",
      instance: '/v1/operations/certifications',
      errors: [{ pointer: '/bucket', message: "is 'week'; allowed: minute, hour, day" }],
    });
    const tooMany = await node.get('/v1/operations/certifications?buckets=1001');
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { detail: string }).detail).toBe('querystring/buckets must be <= 1000');
  });
});
