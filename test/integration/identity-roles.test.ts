import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Department, publishEntry } from '../support/directory-fixtures.js';
import { expectedProblem } from '../support/expected-problem.js';
import { startTestNode, type TestNode } from '../support/test-node.js';

/**
 * The authority changes a department's roles: a signed command through the
 * one write pipeline, an IdentityRolesChanged event in the log, and the new
 * role honoured by the ordered state machine. The cheater is the department
 * itself, trying to hand itself a role.
 */

let t: TestNode;
let transport: Department;

beforeAll(async () => {
  t = await startTestNode();
  transport = await t.issuer('TRANSPORT', ['driving-licence']);
});

afterAll(async () => {
  await t.close();
});

const problem = (code: string, status: number, title: string, detail: string, instance: string) =>
  expectedProblem(code, status, title, detail, instance);

describe('identity roles', () => {
  it('refuses a department handing itself a role, and nothing is written', async () => {
    const before = await t.lastPosition();
    const res = await t.post(
      '/v1/identities/TRANSPORT/roles',
      t.sign(transport, 'UpdateIdentityRoles', { identityId: 'TRANSPORT', add: ['publisher'] }),
    );
    expect(JSON.parse(res.body)).toEqual(
      problem(
        'ROLE_MISSING',
        403,
        'The actor lacks the role this command needs',
        'actor TRANSPORT lacks the authority role',
        '/v1/identities/TRANSPORT/roles',
      ),
    );
    expect(await t.lastPosition()).toBe(before);
  });

  it('refuses the authority role itself at the schema, and nothing is written', async () => {
    const before = await t.lastPosition();
    const res = await t.post(
      '/v1/identities/TRANSPORT/roles',
      t.sign(t.authority, 'UpdateIdentityRoles', { identityId: 'TRANSPORT', add: ['authority'] }),
    );
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'BODY_INVALID' });
    expect(await t.lastPosition()).toBe(before);
  });

  it('lets the authority add publisher and remove issuer; the event is in the log and the role works', async () => {
    const publishBefore = await publishEntry(t, transport).catch((error: Error) => error);
    expect(String(publishBefore)).toContain('ROLE_MISSING');
    const res = await t.post(
      '/v1/identities/TRANSPORT/roles',
      t.sign(t.authority, 'UpdateIdentityRoles', {
        identityId: 'TRANSPORT',
        add: ['publisher'],
        remove: ['issuer'],
      }),
    );
    expect(res.statusCode, res.body).toBe(200);
    const identity = JSON.parse((await t.get('/v1/identities/TRANSPORT')).body);
    expect(identity.roles).toEqual(['publisher']);
    const position = await t.lastPosition();
    const entries = JSON.parse((await t.get(`/v1/log/entries?start=0&limit=100`)).body);
    const changed = JSON.stringify(entries).includes('IdentityRolesChanged');
    expect(changed, `position ${position}`).toBe(true);
    expect(await publishEntry(t, transport)).toMatch(/^ent_/);
  });
});
