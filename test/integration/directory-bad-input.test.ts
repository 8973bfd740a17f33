import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createdAt,
  type Department,
  entryFields,
  ndjson,
  plusSeconds,
  publishEntry,
  signedGet,
  signedHeaders,
  upload,
} from '../support/directory-fixtures.js';
import { startTestNode, type TestNode } from '../support/test-node.js';

/**
 * The directory's bad-input table: every refusal is RFC 9457 problem+json
 * with a stable code, the whole body is asserted, the event store does not
 * move, and no blob (not even a temporary one) is left behind.
 */

let t: TestNode;
let transport: Department;
let health: Department;
let finance: Department;
let dmv: Department;
let entryId: string;
/** An entry whose schema has an enum and a pattern, for refusals that name the allowed values. */
let statusEntryId: string;
let expiredGrant: string;
let revokedGrant: string;
let activeGrant: string;
let pendingRequest: string;

const RECORD = { id: 1, name: 'Ada', age: 36 };
const STATUS_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['station', 'status'],
  properties: {
    station: { type: 'string', pattern: '^ST-[0-9]{3}$' },
    status: { enum: ['open', 'closed'] },
    count: { type: 'integer' },
  },
};

async function request(who: Department, purpose: string): Promise<string> {
  const res = await t.post(
    `/v1/directory/entries/${entryId}/requests`,
    t.sign(who, 'RequestAccess', { entryId, purpose, durationSeconds: 3600 }),
  );
  expect(res.statusCode, res.body).toBe(201);
  return JSON.parse(res.body).requestId;
}

async function grant(requestId: string, expiresAt: string): Promise<string> {
  const res = await t.post(
    `/v1/directory/requests/${requestId}/grant`,
    t.sign(transport, 'GrantAccess', { requestId, scope: { versions: 'all' }, expiresAt }),
  );
  expect(res.statusCode, res.body).toBe(200);
  return JSON.parse(res.body).grantId;
}

beforeAll(async () => {
  t = await startTestNode();
  transport = await t.issuer('TRANSPORT', [], ['publisher']);
  health = await t.issuer('HEALTH', [], ['consumer']);
  finance = await t.issuer('FINANCE', [], ['consumer']);
  dmv = await t.issuer('DMV', ['driving-licence']);
  entryId = await publishEntry(t, transport);
  statusEntryId = await publishEntry(t, transport, { conformsTo: STATUS_SCHEMA });
  expect((await upload(t, transport, entryId, ndjson([RECORD]))).statusCode).toBe(201);
  expiredGrant = await grant(await request(health, 'short study'), plusSeconds(30));
  activeGrant = await grant(await request(health, 'long study'), plusSeconds(3600));
  revokedGrant = await grant(await request(finance, 'audit'), plusSeconds(3600));
  const revoked = await t.post(
    `/v1/directory/grants/${revokedGrant}/revoke`,
    t.sign(transport, 'RevokeGrant', { grantId: revokedGrant, reason: 'audit finished' }),
  );
  expect(revoked.statusCode, revoked.body).toBe(200);
  pendingRequest = await request(finance, 'pending');
  const denied = await request(finance, 'to be granted');
  await grant(denied, plusSeconds(60));
  pendingRequest = `${pendingRequest} ${denied}`;
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
  extra?: Record<string, unknown>;
  /** The case makes one successful (recorded) request first. */
  writesFirst?: boolean;
}

const data = (version = 'latest', query = '') =>
  `/v1/directory/entries/${entryId}/versions/${version}/data${query}`;

function blobFiles(): string[] {
  const root = join(t.dataDir, 'blobs');
  return [
    ...readdirSync(join(root, 'tmp')),
    ...readdirSync(join(root, 'sha256'), { recursive: true, encoding: 'utf8' }),
  ].sort();
}

const PUBLISHER_TYPE_REFUSAL =
  "is 'Province'; allowed: Academia-ScientificOrganisation, Company, IndustryConsortium, LocalAuthority, NationalAuthority, NonGovernmentalOrganisation, NonProfitOrganisation, PrivateIndividual(s), RegionalAuthority, StandardisationBody, SupraNationalAuthority";

const cases: Case[] = [
  {
    name: 'an invalid JSON Schema in conformsTo',
    send: () =>
      t.post(
        '/v1/directory/entries',
        t.sign(transport, 'PublishCatalogEntry', entryFields({ conformsTo: { type: 'objekt' } }) as never),
      ),
    status: 422,
    code: 'SCHEMA_INVALID',
    title: 'conformsTo is not a valid JSON Schema (2020-12)',
    detail:
      /^conformsTo is not a valid JSON Schema: conformsTo\/type must be equal to one of the allowed values/,
    extra: {
      errors: expect.arrayContaining([
        { pointer: '/conformsTo/type', message: 'must be equal to one of the allowed values' },
      ]),
    },
  },
  {
    name: 'a language that is not in the EU language table',
    send: () =>
      t.post(
        '/v1/directory/entries',
        t.sign(transport, 'PublishCatalogEntry', entryFields({ languages: ['ENG', 'XYZ'] }) as never),
      ),
    status: 422,
    code: 'LANGUAGE_UNKNOWN',
    title: 'A language is not a known EU language authority code',
    detail:
      /^language XYZ is not an EU language authority code this node accepts; allowed: BUL, CES, .*, ZHO$/,
  },
  {
    name: 'a language that is not a code at all',
    send: () =>
      t.post(
        '/v1/directory/entries',
        t.sign(transport, 'PublishCatalogEntry', entryFields({ languages: ['english'] }) as never),
      ),
    status: 400,
    code: 'BODY_INVALID',
    title: 'The request does not match its schema',
    detail: 'body/payload/languages/0 must match pattern "^[A-Z][A-Z0-9]{2}$"',
    extra: {
      errors: [{ pointer: '/payload/languages/0', message: 'must match pattern "^[A-Z][A-Z0-9]{2}$"' }],
    },
  },
  {
    name: 'a catalog description by a department, not the authority',
    send: () => t.post('/v1/directory/catalog', t.sign(transport, 'DescribeCatalog', { languages: ['ENG'] })),
    status: 403,
    code: 'ROLE_MISSING',
    title: 'The actor lacks the role this command needs',
    detail: 'only the authority describes the catalog; TRANSPORT is not the authority',
  },
  {
    name: 'a catalog description with an unknown language',
    send: () =>
      t.post('/v1/directory/catalog', t.sign(t.authority, 'DescribeCatalog', { languages: ['QQQ'] })),
    status: 422,
    code: 'LANGUAGE_UNKNOWN',
    title: 'A language is not a known EU language authority code',
    detail: /^language QQQ is not an EU language authority code/,
  },
  {
    name: 'a catalog description with a publisher type outside ADMS',
    send: () =>
      t.post('/v1/directory/catalog', t.sign(t.authority, 'DescribeCatalog', { publisherType: 'Province' })),
    status: 400,
    code: 'BODY_INVALID',
    title: 'The request does not match its schema',
    detail: `body/payload/publisherType ${PUBLISHER_TYPE_REFUSAL}`,
    extra: {
      errors: [{ pointer: '/payload/publisherType', message: PUBLISHER_TYPE_REFUSAL }],
    },
  },
  {
    name: 'a schema that does not compile (unresolvable $ref)',
    send: () =>
      t.post(
        '/v1/directory/entries',
        t.sign(
          transport,
          'PublishCatalogEntry',
          entryFields({ conformsTo: { $ref: 'https://elsewhere.example/s.json' } }) as never,
        ),
      ),
    status: 422,
    code: 'SCHEMA_INVALID',
    title: 'conformsTo is not a valid JSON Schema (2020-12)',
    detail: /^conformsTo does not compile: can't resolve reference https:\/\/elsewhere\.example\/s\.json/,
  },
  {
    name: 'a draft-07 schema',
    send: () =>
      t.post(
        '/v1/directory/entries',
        t.sign(
          transport,
          'PublishCatalogEntry',
          entryFields({ conformsTo: { $schema: 'http://json-schema.org/draft-07/schema#' } }) as never,
        ),
      ),
    status: 422,
    code: 'SCHEMA_INVALID',
    title: 'conformsTo is not a valid JSON Schema (2020-12)',
    detail:
      'conformsTo must be a JSON Schema 2020-12 ($schema https://json-schema.org/draft/2020-12/schema), not "http://json-schema.org/draft-07/schema#"',
  },
  {
    name: 'records that violate the schema',
    send: () =>
      upload(
        t,
        transport,
        entryId,
        ndjson([
          RECORD,
          { id: 2, name: 'Bob', age: -1 },
          RECORD,
          { id: 4, name: 'Cy' },
          { ...RECORD, extra: 1 },
        ]),
      ),
    status: 422,
    code: 'RECORDS_INVALID',
    title: "Records do not match the entry's schema; nothing was stored",
    detail: '3 errors in 3 records: record 2 /age is -1; must be >= 0',
    extra: {
      errors: [
        { record: 2, pointer: '/age', message: 'is -1; must be >= 0' },
        { record: 4, pointer: '', message: "must have required property 'age'" },
        { record: 5, pointer: '/extra', message: 'must NOT have additional properties' },
      ],
      truncated: false,
    },
  },
  {
    name: 'a record with three errors, each naming the bad value and what is allowed',
    send: () =>
      upload(
        t,
        transport,
        statusEntryId,
        ndjson([
          { station: 'ST-001', status: 'open' },
          { station: 'north', status: 'ajar', count: 1.5 },
        ]),
      ),
    status: 422,
    code: 'RECORDS_INVALID',
    title: "Records do not match the entry's schema; nothing was stored",
    detail: `3 errors in 1 record: record 2 /station is 'north'; must match pattern "^ST-[0-9]{3}$"`,
    extra: {
      errors: [
        { record: 2, pointer: '/station', message: `is 'north'; must match pattern "^ST-[0-9]{3}$"` },
        { record: 2, pointer: '/status', message: "is 'ajar'; allowed: open, closed" },
        { record: 2, pointer: '/count', message: 'is 1.5; must be integer' },
      ],
      truncated: false,
    },
  },
  {
    name: 'errors past maxErrors: a record with three errors lists them all, the record after it is past the limit',
    send: () =>
      upload(
        t,
        transport,
        statusEntryId,
        ndjson([
          { station: 'north', status: 'ajar', count: 1.5 },
          { station: 'ST-002', status: 'open' },
          { station: 'ST-003', status: 'shut' },
        ]),
        undefined,
        '?maxErrors=3',
      ),
    status: 422,
    code: 'RECORDS_INVALID',
    title: "Records do not match the entry's schema; nothing was stored",
    detail: `more than 3 errors in at least 1 record: record 1 /station is 'north'; must match pattern "^ST-[0-9]{3}$"; only the first 3 are listed (maxErrors), checking stopped there`,
    extra: {
      errors: [
        { record: 1, pointer: '/station', message: `is 'north'; must match pattern "^ST-[0-9]{3}$"` },
        { record: 1, pointer: '/status', message: "is 'ajar'; allowed: open, closed" },
        { record: 1, pointer: '/count', message: 'is 1.5; must be integer' },
      ],
      truncated: true,
    },
  },
  {
    name: 'validation stops after maxErrors errors',
    send: () =>
      upload(
        t,
        transport,
        entryId,
        ndjson(Array.from({ length: 50 }, (_, i) => ({ id: i + 1 }))),
        undefined,
        '?maxErrors=2',
      ),
    status: 422,
    code: 'RECORDS_INVALID',
    title: "Records do not match the entry's schema; nothing was stored",
    detail:
      "more than 2 errors in at least 1 record: record 1 (the record) must have required property 'name'; only the first 2 are listed (maxErrors), checking stopped there",
    extra: {
      errors: [
        { record: 1, pointer: '', message: "must have required property 'name'" },
        { record: 1, pointer: '', message: "must have required property 'age'" },
      ],
      truncated: true,
    },
  },
  {
    name: 'a record that is not JSON',
    send: () => upload(t, transport, entryId, `${JSON.stringify(RECORD)}\n{"id": 2,\n`),
    status: 400,
    code: 'BODY_MALFORMED',
    title: 'The request body is not valid JSON',
    detail: /^record 2 is not valid JSON: /,
    extra: { record: 2 },
  },
  {
    name: 'an unterminated JSON array (truncated upload)',
    send: () =>
      upload(
        t,
        transport,
        entryId,
        `[${JSON.stringify(RECORD)},${JSON.stringify(RECORD)}`,
        'application/json',
      ),
    status: 400,
    code: 'UPLOAD_TRUNCATED',
    title: 'The upload ended before its records did; nothing was stored',
    detail: 'the JSON array is not closed: the upload ended after 2 complete record(s)',
    extra: { record: 3 },
  },
  {
    name: 'a JSON upload that is not an array',
    send: () => upload(t, transport, entryId, JSON.stringify(RECORD), 'application/json'),
    status: 400,
    code: 'BODY_MALFORMED',
    title: 'The request body is not valid JSON',
    detail: 'a JSON upload must be an array of records; it starts at byte 0 with {',
    extra: { record: 1 },
  },
  {
    name: 'a record above the per-record limit',
    send: () =>
      upload(t, transport, entryId, `${JSON.stringify({ ...RECORD, name: 'x'.repeat(1024 * 1024) })}\n`),
    status: 413,
    code: 'RECORD_TOO_LARGE',
    title: 'A record is larger than the per-record limit',
    detail: 'record 1 is larger than 1048576 bytes',
    extra: { record: 1 },
  },
  {
    name: 'an upload announced larger than the limit (refused before reading)',
    send: () => {
      const target = `/v1/directory/entries/${entryId}/versions`;
      const body = ndjson([RECORD]);
      return t.node.app.inject({
        method: 'POST',
        url: target,
        payload: body,
        headers: {
          ...signedHeaders(transport.keyPair, 'POST', target, {
            bytes: body,
            contentType: 'application/x-ndjson',
          }),
          'content-length': String(5 * 1024 ** 3),
        },
      });
    },
    status: 413,
    code: 'BODY_TOO_LARGE',
    title: 'The request body is too large',
    detail: `the upload is larger than ${4 * 1024 ** 3} bytes`,
  },
  {
    name: 'an oversized publish body (over 256 KiB)',
    send: () =>
      t.post(
        '/v1/directory/entries',
        t.sign(
          transport,
          'PublishCatalogEntry',
          entryFields({ description: 'x'.repeat(300 * 1024) }) as never,
        ),
      ),
    status: 413,
    code: 'BODY_TOO_LARGE',
    title: 'The request body is too large',
    detail: /^the body is 3\d{5} bytes; allowed: at most 262144 bytes on this route$/,
  },
  {
    name: 'a body that does not match its signed Content-Digest',
    send: () => {
      const target = `/v1/directory/entries/${entryId}/versions`;
      const headers = signedHeaders(transport.keyPair, 'POST', target, {
        bytes: ndjson([RECORD]),
        contentType: 'application/x-ndjson',
      });
      return t.node.app.inject({
        method: 'POST',
        url: target,
        payload: ndjson([{ ...RECORD, age: 37 }]),
        headers,
      });
    },
    status: 400,
    code: 'CONTENT_DIGEST_MISMATCH',
    title: 'The body does not match its Content-Digest',
    detail: /^the body hashes to sha-256 [0-9a-f]{64}, not to the signed Content-Digest$/,
  },
  {
    name: 'a forged upload signature (Content-Digest changed after signing)',
    send: () => {
      const target = `/v1/directory/entries/${entryId}/versions`;
      const forged = ndjson([{ ...RECORD, age: 99 }]);
      const headers = signedHeaders(transport.keyPair, 'POST', target, {
        bytes: ndjson([RECORD]),
        contentType: 'application/x-ndjson',
      });
      const real = signedHeaders(transport.keyPair, 'POST', target, {
        bytes: forged,
        contentType: 'application/x-ndjson',
      });
      return t.node.app.inject({
        method: 'POST',
        url: target,
        payload: forged,
        headers: { ...headers, 'content-digest': real['content-digest']! },
      });
    },
    status: 401,
    code: 'SIGNATURE_INVALID',
    title: 'The signature does not verify',
    detail: 'the HTTP message signature does not verify over the signature base',
  },
  {
    name: 'a forged fetch signature (signed by another key)',
    send: () => {
      const headers = signedHeaders(finance.keyPair, 'GET', data());
      const keyid = headers['signature-input']!.replace(/keyid="[^"]+"/, `keyid="${health.keyPair.keyId}"`);
      return t.node.app.inject({
        method: 'GET',
        url: data(),
        headers: { ...headers, 'signature-input': keyid },
      });
    },
    status: 401,
    code: 'SIGNATURE_INVALID',
    title: 'The signature does not verify',
    detail: 'the HTTP message signature does not verify over the signature base',
  },
  {
    name: 'a replayed fetch signature',
    send: async () => {
      const headers = signedHeaders(health.keyPair, 'GET', data('1'), undefined, { nonce: 'replay-me' });
      await t.node.app.inject({ method: 'GET', url: data('1'), headers });
      return t.node.app.inject({ method: 'GET', url: data('1'), headers });
    },
    writesFirst: true,
    status: 401,
    code: 'SIGNATURE_REPLAYED',
    title: 'The signature was already used',
    detail: 'this signature was already used; sign each request afresh',
  },
  {
    name: 'a signature created outside the clock skew',
    send: () => signedGet(t, health, data(), createdAt(-301)),
    status: 400,
    code: 'ISSUED_AT_SKEW',
    title: 'issuedAt is outside the allowed clock skew',
    detail: /^signature created \d+ is more than 300 s from the server time \d+$/,
  },
  {
    name: 'an unsigned upload',
    send: () =>
      t.node.app.inject({
        method: 'POST',
        url: `/v1/directory/entries/${entryId}/versions`,
        payload: ndjson([RECORD]),
        headers: { 'content-type': 'application/x-ndjson' },
      }),
    status: 401,
    code: 'SIGNATURE_MISSING',
    title: 'The request needs an HTTP message signature',
    detail: 'an upload must be signed (RFC 9421 Signature-Input and Signature)',
  },
  {
    name: 'an anonymous fetch of restricted data',
    send: () => signedGet(t, null, data()),
    status: 401,
    code: 'SIGNATURE_MISSING',
    title: 'The request needs an HTTP message signature',
    detail: `catalog entry ${'ENTRY'} is restricted: sign the request (RFC 9421) as a grant holder`,
  },
  {
    name: 'an upload to another department’s entry',
    send: () => upload(t, health, entryId, ndjson([RECORD])),
    status: 403,
    code: 'NOT_OWNER',
    title: 'Only the publishing department may do this',
    detail: `catalog entry ${'ENTRY'} belongs to TRANSPORT, not HEALTH`,
  },
  {
    name: 'an expired grant',
    send: () => signedGet(t, health, data('latest', `?grant=${expiredGrant}`), createdAt(60)),
    status: 403,
    code: 'GRANT_EXPIRED',
    title: 'The grant has expired',
    detail: `grant ${'EXPIRED'} expired at ${plusSeconds(30)}`,
  },
  {
    name: 'a revoked grant',
    send: () => signedGet(t, finance, data('latest', `?grant=${revokedGrant}`)),
    status: 403,
    code: 'GRANT_REVOKED',
    title: 'The grant was revoked',
    detail: `grant ${'REVOKED'} was revoked`,
  },
  {
    name: 'a fetch from the wrong department (another department’s grant)',
    send: () => signedGet(t, finance, data('latest', `?grant=${activeGrant}`)),
    status: 403,
    code: 'GRANT_HOLDER_MISMATCH',
    title: 'The grant was given to another department',
    detail: `grant ${'ACTIVE'} was given to HEALTH, not FINANCE`,
  },
  {
    name: 'a grant decided by the wrong department',
    send: () => {
      const requestId = pendingRequest.split(' ')[0]!;
      return t.post(
        `/v1/directory/requests/${requestId}/grant`,
        t.sign(health, 'GrantAccess', { requestId, scope: { versions: 'all' }, expiresAt: plusSeconds(60) }),
      );
    },
    status: 403,
    code: 'NOT_OWNER',
    title: 'Only the publishing department may do this',
    detail: /^only TRANSPORT, which publishes ent_[a-z2-7]{24}, may decide request req_[a-z2-7]{24}$/,
  },
  {
    name: 'a grant longer than the requested duration',
    send: () => {
      const requestId = pendingRequest.split(' ')[0]!;
      return t.post(
        `/v1/directory/requests/${requestId}/grant`,
        t.sign(transport, 'GrantAccess', {
          requestId,
          scope: { versions: 'all' },
          expiresAt: plusSeconds(3601),
        }),
      );
    },
    status: 422,
    code: 'EXPIRY_INVALID',
    title: 'The grant expiry is not within the requested duration',
    detail: `expiresAt must be after 2026-11-21T10:00:00Z and at most the requested 3600 s later`,
  },
  {
    name: 'denying a request that was already granted',
    send: () => {
      const requestId = pendingRequest.split(' ')[1]!;
      return t.post(
        `/v1/directory/requests/${requestId}/deny`,
        t.sign(transport, 'DenyAccess', { requestId }),
      );
    },
    status: 409,
    code: 'REQUEST_NOT_PENDING',
    title: 'The access request was already decided',
    detail: /^access request req_[a-z2-7]{24} is already granted$/,
  },
  {
    name: 'revoking a revoked grant',
    send: () =>
      t.post(
        `/v1/directory/grants/${revokedGrant}/revoke`,
        t.sign(transport, 'RevokeGrant', { grantId: revokedGrant, reason: 'again' }),
      ),
    status: 409,
    code: 'GRANT_NOT_ACTIVE',
    title: 'The grant is already revoked or expired',
    detail: `grant ${'REVOKED'} is already revoked`,
  },
  {
    name: 'a department asking for its own dataset',
    send: () =>
      t.post(
        `/v1/directory/entries/${entryId}/requests`,
        t.sign(transport, 'RequestAccess', { entryId, purpose: 'x', durationSeconds: 60 }),
      ),
    status: 422,
    code: 'OWN_DATASET',
    title: 'A department cannot request access to its own dataset',
    detail: `TRANSPORT publishes ${'ENTRY'} itself`,
  },
  {
    name: 'a department without a sharing role requesting access',
    send: () =>
      t.post(
        `/v1/directory/entries/${entryId}/requests`,
        t.sign(dmv, 'RequestAccess', { entryId, purpose: 'x', durationSeconds: 60 }),
      ),
    status: 403,
    code: 'ROLE_MISSING',
    title: 'The actor lacks the role this command needs',
    detail: 'actor DMV holds neither the consumer nor the publisher role',
  },
  {
    name: 'publishing without the publisher role',
    send: () =>
      t.post('/v1/directory/entries', t.sign(health, 'PublishCatalogEntry', entryFields() as never)),
    status: 403,
    code: 'ROLE_MISSING',
    title: 'The actor lacks the role this command needs',
    detail: 'actor HEALTH lacks the publisher role',
  },
  {
    name: 'a request for an unknown entry',
    send: () => {
      const ghost = 'ent_aaaaaaaaaaaaaaaaaaaaaaaa';
      return t.post(
        `/v1/directory/entries/${ghost}/requests`,
        t.sign(health, 'RequestAccess', { entryId: ghost, purpose: 'x', durationSeconds: 60 }),
      );
    },
    status: 404,
    code: 'ENTRY_NOT_FOUND',
    title: 'No such catalog entry',
    detail: 'catalog entry ent_aaaaaaaaaaaaaaaaaaaaaaaa does not exist',
  },
  {
    name: 'a version that does not exist',
    send: () => signedGet(t, health, data('7')),
    status: 404,
    code: 'VERSION_NOT_FOUND',
    title: 'No such dataset version',
    detail: `catalog entry ${'ENTRY'} has no version 7`,
  },
  {
    name: 'an upload with an unsupported content type',
    send: () => upload(t, transport, entryId, 'id,name\n1,Ada\n', 'text/csv'),
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    title: 'The request content type is not supported',
    detail: /^content type text\/csv is not accepted/,
  },
  {
    name: 'a search query with an unclosed quote',
    send: () => t.get('/v1/directory/search?q=%22traffic'),
    status: 400,
    code: 'QUERY_INVALID',
    title: 'The search query cannot be read',
    detail: 'q has an unclosed quote',
  },
  {
    name: 'a search cursor that was not issued',
    send: () => t.get('/v1/directory/search?cursor=bm9wZQ'),
    status: 400,
    code: 'CURSOR_INVALID',
    title: 'The cursor does not belong to this search',
    detail: 'cursor is not a nextCursor of this search (with this sort)',
  },
  {
    name: 'an audit request by a department that is not the publisher',
    send: () => signedGet(t, health, `/v1/directory/entries/${entryId}/audit`),
    status: 403,
    code: 'NOT_OWNER',
    title: 'Only the publishing department may do this',
    detail: `catalog entry ${'ENTRY'} belongs to TRANSPORT, not HEALTH`,
  },
];

describe('directory bad input is refused with a whole problem body and nothing is written', () => {
  it.each(cases)('$name → $code', async (c) => {
    const before = await t.lastPosition();
    const blobsBefore = blobFiles();
    const res = await c.send();
    const body = JSON.parse(res.body);
    expect(res.statusCode, res.body).toBe(c.status);
    expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
    const detail =
      typeof c.detail === 'string'
        ? c.detail
            .replace('ENTRY', entryId)
            .replace('EXPIRED', expiredGrant)
            .replace('REVOKED', revokedGrant)
            .replace('ACTIVE', activeGrant)
        : expect.stringMatching(c.detail);
    expect(body).toEqual({
      type: `urn:chancery:problem:${c.code.toLowerCase().replaceAll('_', '-')}`,
      title: c.title,
      status: c.status,
      code: c.code,
      detail,
      instance: res.raw.req.url?.split('?')[0],
      ...c.extra,
    });
    expect(await t.lastPosition()).toBe(c.writesFirst ? (before ?? 0n) + 1n : before);
    expect(blobFiles()).toEqual(blobsBefore);
  });
});
