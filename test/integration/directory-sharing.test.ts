import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../src/domain/canonical/canonical-json.js';
import { decodeBase64 } from '../../src/domain/crypto/base64.js';
import { isInclusionValid, leafHash } from '../../src/domain/log/index.js';
import {
  type Department,
  ndjson,
  plusSeconds,
  publishEntry,
  signedGet,
  upload,
} from '../support/directory-fixtures.js';
import { startTestNode, type TestNode } from '../support/test-node.js';

/**
 * The sharing workflow end to end over the API: request → grant → fetch
 * (recorded) → audit; deny; revoke; public data read anonymously; versions
 * and a grant proven by its inclusion proof under a signed checkpoint.
 */

let t: TestNode;
let transport: Department;
let health: Department;
let entryId: string;
let requestId: string;
let grantId: string;
const V1 = ndjson([{ id: 1, name: 'Ada', age: 36 }]);
const V2 = JSON.stringify([
  { id: 1, name: 'Ada', age: 37 },
  { id: 2, name: 'Bob', age: 41 },
]);

beforeAll(async () => {
  t = await startTestNode();
  transport = await t.issuer('TRANSPORT', [], ['publisher']);
  health = await t.issuer('HEALTH', [], ['consumer']);
  entryId = await publishEntry(t, transport);
});

afterAll(async () => {
  await t.close();
});

const data = (version: string) => `/v1/directory/entries/${entryId}/versions/${version}/data`;

describe('sharing workflow', () => {
  it('publishes versions from NDJSON and from a JSON array; re-uploading the same bytes is a replay', async () => {
    const first = await upload(t, transport, entryId, V1);
    expect(first.statusCode, first.body).toBe(201);
    expect(JSON.parse(first.body)).toMatchObject({
      version: 1,
      recordCount: 1,
      mediaType: 'application/x-ndjson',
    });
    const again = await upload(t, transport, entryId, V1);
    expect(again.statusCode).toBe(200);
    expect(JSON.parse(again.body)).toMatchObject({ version: 1, replayed: true });
    const second = await upload(t, transport, entryId, V2, 'application/json');
    expect(JSON.parse(second.body)).toMatchObject({
      version: 2,
      recordCount: 2,
      byteCount: Buffer.byteLength(V2),
    });
    const versions = JSON.parse((await t.get(`/v1/directory/entries/${entryId}/versions`)).body);
    expect(versions.items.map((v: { version: number }) => v.version)).toEqual([1, 2]);
  });

  it('requests, grants and fetches, and every fetch is in the audit trail', async () => {
    const requested = await t.post(
      `/v1/directory/entries/${entryId}/requests`,
      t.sign(health, 'RequestAccess', {
        entryId,
        purpose: 'accident epidemiology',
        durationSeconds: 7 * 86_400,
      }),
    );
    expect(requested.statusCode).toBe(201);
    requestId = JSON.parse(requested.body).requestId;
    expect((await signedGet(t, health, data('latest'))).statusCode).toBe(403);
    const granted = await t.post(
      `/v1/directory/requests/${requestId}/grant`,
      t.sign(transport, 'GrantAccess', {
        requestId,
        scope: { versions: [1] },
        expiresAt: plusSeconds(86_400),
      }),
    );
    expect(granted.statusCode, granted.body).toBe(200);
    grantId = JSON.parse(granted.body).grantId;
    expect(grantId).toBe(`grt_${requestId.slice(4)}`);

    const v1 = await signedGet(t, health, data('1'));
    expect(v1.statusCode).toBe(200);
    expect(v1.body).toBe(V1);
    expect(v1.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(v1.headers['content-digest']).toMatch(/^sha-256=:[A-Za-z0-9+/]{43}=:$/);
    // Scope [1]: the latest (2) is not covered.
    expect(JSON.parse((await signedGet(t, health, data('latest'))).body).code).toBe(
      'VERSION_NOT_IN_GRANT_SCOPE',
    );

    const audit = JSON.parse((await signedGet(t, transport, `/v1/directory/entries/${entryId}/audit`)).body);
    expect(audit.items).toEqual([
      expect.objectContaining({
        consumerId: 'HEALTH',
        version: 1,
        grantId,
        fetchedAt: '2026-11-21T10:00:00Z',
      }),
    ]);
    const view = JSON.parse((await signedGet(t, health, `/v1/directory/grants/${grantId}`)).body);
    expect(view).toMatchObject({ requestId, status: 'granted', active: true, scope: { versions: [1] } });
    const listed = JSON.parse((await signedGet(t, health, `/v1/directory/requests?requester=HEALTH`)).body);
    expect(listed.items.map((r: { requestId: string }) => r.requestId)).toEqual([requestId]);
  });

  it('proves the grant with an inclusion proof under a signed checkpoint', async () => {
    const unsealed = await t.get(`/v1/directory/grants/${grantId}/proof`);
    expect(JSON.parse(unsealed.body).code).toBe('PROOF_NOT_SEALED');
    await t.seal();
    const proof = JSON.parse((await t.get(`/v1/directory/grants/${grantId}/proof`)).body);
    expect(proof).toMatchObject({ grantId, status: 'granted', revocation: null });
    expect(proof.grant.entry).toMatchObject({
      type: 'AccessGranted',
      data: { grantId, requesterId: 'HEALTH' },
    });
    // The owner's signed command is in the leaf: the grant is the owner's word, not the node's.
    expect(proof.grant.entry.envelope.payload).toMatchObject({
      type: 'GrantAccess',
      actor: 'TRANSPORT',
      requestId,
    });
    const log = JSON.parse((await t.get('/v1/log')).body);
    expect(log.treeSize).toBe(proof.treeSize);
    const hash = leafHash(canonicalBytes(proof.grant.entry));
    expect(
      isInclusionValid(
        proof.grant.leafIndex,
        proof.treeSize,
        hash,
        proof.grant.inclusionProof.map((p: string) => decodeBase64(p)!),
        decodeBase64(log.rootHash)!,
      ),
    ).toBe(true);
  });

  it('keeps the RFC 9421 signature of an upload in its log leaf', async () => {
    await t.seal();
    const log = JSON.parse((await t.get('/v1/log/entries?start=0')).body);
    const leaf = log.entries.find(
      (e: { leaf: { type: string } }) => e.leaf.type === 'DatasetVersionPublished',
    ).leaf;
    expect(leaf.envelope).toMatchObject({
      scheme: 'rfc9421',
      actor: 'TRANSPORT',
      keyId: transport.keyPair.keyId,
    });
    expect(leaf.envelope.signatureBase).toContain(`"content-digest": sha-256=:`);
    expect(leaf.envelope.signatureBase).toContain(`"@path": /v1/directory/entries/${entryId}/versions`);
  });

  it('refuses fetches after the owner revokes the grant', async () => {
    const revoked = await t.post(
      `/v1/directory/grants/${grantId}/revoke`,
      t.sign(transport, 'RevokeGrant', { grantId, reason: 'study finished' }),
    );
    expect(revoked.statusCode).toBe(200);
    expect(JSON.parse((await signedGet(t, health, data('1'))).body).code).toBe('GRANT_REVOKED');
    expect(JSON.parse((await signedGet(t, transport, `/v1/directory/grants/${grantId}`)).body)).toMatchObject(
      {
        status: 'revoked',
        active: false,
        revocationReason: 'study finished',
      },
    );
  });

  it('records a denial', async () => {
    const requested = await t.post(
      `/v1/directory/entries/${entryId}/requests`,
      t.sign(health, 'RequestAccess', { entryId, purpose: 'again', durationSeconds: 3600 }),
    );
    const id = JSON.parse(requested.body).requestId;
    const denied = await t.post(
      `/v1/directory/requests/${id}/deny`,
      t.sign(transport, 'DenyAccess', { requestId: id, reason: 'no legal basis' }),
    );
    expect(denied.statusCode).toBe(200);
    expect(JSON.parse((await signedGet(t, transport, `/v1/directory/requests/${id}`)).body)).toMatchObject({
      status: 'denied',
      denialReason: 'no legal basis',
      decidedBy: 'TRANSPORT',
      grantId: null,
    });
  });

  it('serves public data anonymously without recording it', async () => {
    const open = await publishEntry(t, transport, { accessRights: 'public' });
    expect((await upload(t, transport, open, V1)).statusCode).toBe(201);
    const before = await t.lastPosition();
    const res = await t.get(`/v1/directory/entries/${open}/versions/latest/data`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(V1);
    expect(await t.lastPosition()).toBe(before);
  });
});
