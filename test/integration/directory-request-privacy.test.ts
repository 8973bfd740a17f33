import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Department, publishEntry, signedGet } from '../support/directory-fixtures.js';
import { expectedProblem } from '../support/expected-problem.js';
import { startTestNode, type TestNode } from '../support/test-node.js';

/**
 * An access request says why one department wants another's data. The
 * adversary is a third department (or anyone on the network) trying to read
 * who asked whom for what: it must learn nothing, whether it asks unsigned,
 * lists with a filter naming the parties, or names a request or grant id.
 */

let t: TestNode;
let transport: Department;
let health: Department;
let police: Department;
let requestId: string;
let grantId: string;

beforeAll(async () => {
  t = await startTestNode();
  transport = await t.issuer('TRANSPORT', [], ['publisher']);
  health = await t.issuer('HEALTH', [], ['consumer']);
  police = await t.issuer('POLICE', [], ['consumer']);
  const entryId = await publishEntry(t, transport);
  const requested = await t.post(
    `/v1/directory/entries/${entryId}/requests`,
    t.sign(health, 'RequestAccess', { entryId, purpose: 'cancer registry linkage', durationSeconds: 86_400 }),
  );
  requestId = JSON.parse(requested.body).requestId;
  const granted = await t.post(
    `/v1/directory/requests/${requestId}/grant`,
    t.sign(transport, 'GrantAccess', {
      requestId,
      scope: { versions: 'all' },
      expiresAt: '2026-11-21T12:00:00Z',
    }),
  );
  expect(granted.statusCode, granted.body).toBe(200);
  grantId = JSON.parse(granted.body).grantId;
});

afterAll(async () => {
  await t.close();
});

const problem = (code: string, status: number, title: string, detail: string, instance: string) =>
  expectedProblem(code, status, title, detail, instance);

const NOT_VISIBLE = "Only the entry's owner and the requester may read an access request";

describe('access requests are visible only to the owner and the requester', () => {
  it('shows the owner and the requester their request, with its purpose', async () => {
    for (const [who, filter] of [
      [transport, 'owner=TRANSPORT'],
      [health, 'requester=HEALTH'],
      [transport, ''],
      [health, ''],
    ] as const) {
      const res = await signedGet(t, who, `/v1/directory/requests?${filter}`);
      expect(res.statusCode, res.body).toBe(200);
      const items = JSON.parse(res.body).items;
      expect(items.map((r: { requestId: string; purpose: string }) => [r.requestId, r.purpose])).toEqual([
        [requestId, 'cancer registry linkage'],
      ]);
    }
    const one = await signedGet(t, transport, `/v1/directory/requests/${requestId}`);
    expect(JSON.parse(one.body)).toMatchObject({ requestId, purpose: 'cancer registry linkage' });
    const grant = await signedGet(t, health, `/v1/directory/grants/${grantId}`);
    expect(JSON.parse(grant.body)).toMatchObject({ requestId, grantId, status: 'granted' });
  });

  it('lists nothing of others to a third department that lists its own', async () => {
    const res = await signedGet(t, police, '/v1/directory/requests');
    expect(JSON.parse(res.body)).toEqual({ items: [], nextCursor: null });
  });

  const refusals = [
    {
      name: 'an unsigned listing',
      as: null,
      target: () => '/v1/directory/requests',
      status: 401,
      code: 'SIGNATURE_MISSING',
      title: 'The request needs an HTTP message signature',
      detail:
        "the list of access requests is for the entry's owner and the requester: sign the request (RFC 9421) with your department's key",
    },
    {
      name: 'an unsigned read of one request',
      as: null,
      target: () => `/v1/directory/requests/${requestId}`,
      status: 401,
      code: 'SIGNATURE_MISSING',
      title: 'The request needs an HTTP message signature',
      detail:
        "an access request is for the entry's owner and the requester: sign the request (RFC 9421) with your department's key",
    },
    {
      name: 'a third department listing by owner',
      as: 'police',
      target: () => '/v1/directory/requests?owner=TRANSPORT',
      status: 403,
      code: 'REQUEST_NOT_VISIBLE',
      title: NOT_VISIBLE,
      detail:
        'owner=TRANSPORT: POLICE may list only requests it made or received (owner=POLICE or requester=POLICE)',
    },
    {
      name: 'a third department listing by requester',
      as: 'police',
      target: () => '/v1/directory/requests?requester=HEALTH&status=granted',
      status: 403,
      code: 'REQUEST_NOT_VISIBLE',
      title: NOT_VISIBLE,
      detail:
        'requester=HEALTH: POLICE may list only requests it made or received (owner=POLICE or requester=POLICE)',
    },
    {
      name: 'a third department naming the request',
      as: 'police',
      target: () => `/v1/directory/requests/${requestId}`,
      status: 403,
      code: 'REQUEST_NOT_VISIBLE',
      title: NOT_VISIBLE,
      detail: () => `access request ${requestId} concerns TRANSPORT and HEALTH; POLICE may not read it`,
    },
    {
      name: 'a third department naming the grant',
      as: 'police',
      target: () => `/v1/directory/grants/${grantId}`,
      status: 403,
      code: 'REQUEST_NOT_VISIBLE',
      title: NOT_VISIBLE,
      detail: () => `access request ${requestId} concerns TRANSPORT and HEALTH; POLICE may not read it`,
    },
  ];

  it.each(refusals)('refuses $name with $code, and nothing is written', async (c) => {
    const before = await t.lastPosition();
    const target = c.target();
    const res = await signedGet(t, c.as === null ? null : police, target);
    expect(res.statusCode, res.body).toBe(c.status);
    expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.body)).toEqual(
      problem(
        c.code,
        c.status,
        c.title,
        typeof c.detail === 'function' ? c.detail() : c.detail,
        target.split('?')[0]!,
      ),
    );
    expect(res.body).not.toContain('cancer registry');
    expect(await t.lastPosition()).toBe(before);
  });
});
