import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { contentDigestHeader, signHttpRequest } from '../../src/protocol/http-signer.js';
import type { KeyPair } from '../../src/protocol/key-pair.js';
import type { Signer } from '../../src/protocol/sign-command.js';
import { FIXED_NOW, ISSUED_AT, type TestNode } from './test-node.js';

export const PERSON_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['id', 'name', 'age'],
  additionalProperties: false,
  properties: {
    id: { type: 'integer', minimum: 1 },
    name: { type: 'string', minLength: 1 },
    age: { type: 'integer', minimum: 0 },
  },
} as const;

export function entryFields(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Road traffic counts',
    description: 'Hourly vehicle counts at every counting station on provincial roads.',
    keywords: ['traffic', 'roads'],
    themes: ['TRAN'],
    license: 'CC-BY-4.0',
    accessRights: 'restricted',
    updateFrequency: 'monthly',
    distributions: [{ format: 'NDJSON', mediaType: 'application/x-ndjson' }],
    conformsTo: PERSON_SCHEMA,
    ...overrides,
  };
}

export type Department = Signer & { keyPair: KeyPair };

/** Publishes an entry and returns its id; throws with the body on refusal. */
export async function publishEntry(t: TestNode, publisher: Signer, overrides: Record<string, unknown> = {}) {
  const res = await t.post(
    '/v1/directory/entries',
    t.sign(publisher, 'PublishCatalogEntry', entryFields(overrides) as never),
  );
  if (res.statusCode !== 201) throw new Error(`publish: ${res.statusCode} ${res.body}`);
  return JSON.parse(res.body).entryId as string;
}

/** FIXED_NOW in Unix seconds, plus an offset: what a test signs as `created`. */
export const createdAt = (offsetSeconds = 0) => Math.floor(FIXED_NOW / 1000) + offsetSeconds;

/** Adds RFC 9421 headers (and Content-Digest for a body) to a request, signed with the test clock. */
export function signedHeaders(
  keyPair: KeyPair,
  method: string,
  target: string,
  body?: { bytes: Buffer | string; contentType: string },
  options: { created?: number; nonce?: string } = {},
): Record<string, string> {
  const headers: Record<string, string> = {};
  const covered: string[] = [];
  if (body !== undefined) {
    headers['content-type'] = body.contentType;
    headers['content-digest'] = contentDigestHeader(createHash('sha256').update(body.bytes).digest());
    covered.push('content-digest', 'content-type');
  }
  return {
    ...headers,
    ...signHttpRequest(
      keyPair,
      { method, target, headers, covered },
      {
        created: options.created ?? createdAt(),
        ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
      },
    ),
  };
}

export function upload(
  t: TestNode,
  signer: Department,
  entryId: string,
  body: Buffer | string,
  contentType = 'application/x-ndjson',
  query = '',
): Promise<LightMyRequestResponse> {
  const target = `/v1/directory/entries/${entryId}/versions${query}`;
  return t.node.app.inject({
    method: 'POST',
    url: target,
    payload: body,
    headers: signedHeaders(signer.keyPair, 'POST', target, { bytes: body, contentType }),
  });
}

export function signedGet(t: TestNode, signer: Department | null, target: string, created?: number) {
  return t.node.app.inject({
    method: 'GET',
    url: target,
    headers:
      signer === null
        ? {}
        : signedHeaders(signer.keyPair, 'GET', target, undefined, created === undefined ? {} : { created }),
  });
}

export const ndjson = (records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

export function plusSeconds(seconds: number): string {
  return new Date(Date.parse(ISSUED_AT) + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
