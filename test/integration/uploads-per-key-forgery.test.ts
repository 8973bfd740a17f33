import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOAD_LIMITS } from '../../src/api/hardening/load-shedding.js';
import {
  createdAt,
  type Department,
  ndjson,
  publishEntry,
  signedHeaders,
} from '../support/directory-fixtures.js';
import { startTestNode, type TestNode } from '../support/test-node.js';

/**
 * The per-key upload cap must count only keys whose signature verified. A key
 * id is public: if a request that merely names key K took one of K's upload
 * slots, anyone could lock K's department out of uploading.
 *
 * The forger here holds its requests in flight the cheapest way there is:
 * one connection, many pipelined uploads naming K with a signature that does
 * not verify, and it never reads the refusals. Once the socket's buffers are
 * full, the node's last refusals wait unsent, so those requests stay open.
 */

let t: TestNode;
let owner: Department;
let entryId: string;
let other: Department;
let otherEntryId: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  t = await startTestNode({ listen: true });
  owner = await t.issuer('TRANSPORT', [], ['publisher']);
  entryId = await publishEntry(t, owner);
  other = await t.issuer('HEALTH', [], ['publisher']);
  otherEntryId = await publishEntry(t, other);
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await t.close();
});

/** An upload that names `keyId` in its Signature-Input, with a signature no key made. */
function forgedUpload(keyId: string): string {
  const zeros = Buffer.alloc(64).toString('base64');
  return [
    `POST /v1/directory/entries/${entryId}/versions HTTP/1.1`,
    'host: 127.0.0.1',
    'content-type: application/x-ndjson',
    'content-length: 0',
    `content-digest: sha-256=:${Buffer.alloc(32).toString('base64')}:`,
    `signature-input: sig1=("@method" "@path" "@query" "content-digest" "content-type");created=${createdAt()};keyid="${keyId}";alg="ed25519"`,
    `signature: sig1=:${zeros}:`,
    '',
    '',
  ].join('\r\n');
}

/** SIGNATURE_INVALID refusals the node has made, from its /metrics. */
async function forgeriesRefused(): Promise<number> {
  const text = await (await fetch(new URL('/metrics', t.node.url))).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('chancery_refusals_total{code="SIGNATURE_INVALID"}'));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

/**
 * Opens a connection that never reads, and pipelines on it a few large answers (the OpenAPI document,
 * about 600 KB each, well past what the socket buffers take) and then `count` uploads naming `keyId`:
 * the node refuses those at once, but the refusals wait behind the unread answers, so the uploads stay
 * in flight. As many requests in all as one connection may leave unanswered (a connection with more is
 * closed). Resolves once the node has refused them all.
 */
async function holdForgedUploads(keyId: string, count: number): Promise<void> {
  const { port } = new URL(t.node.url);
  const socket = connect(Number(port), '127.0.0.1');
  sockets.push(socket);
  socket.pause();
  await new Promise<void>((done, fail) => socket.once('connect', done).once('error', fail));
  socket.on('error', () => {});
  const unreadAnswer = 'GET /docs/json HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n';
  const before = await forgeriesRefused();
  const unread = DEFAULT_LOAD_LIMITS.maxUnansweredPerConnection - count;
  socket.write(unreadAnswer.repeat(unread) + forgedUpload(keyId).repeat(count));
  while ((await forgeriesRefused()) < before + count) await new Promise((r) => setTimeout(r, 50));
}

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: string;
}

/**
 * An upload signed with `signer`'s key over its own connection. With `hold`, only half the body is sent
 * and the request stays open until `hold` is called back; the promise then settles with status 0.
 */
function genuineUpload(
  signer: Department,
  entry: string,
  body: string,
  held?: (abort: () => void) => void,
): Promise<Answer> {
  const target = `/v1/directory/entries/${entry}/versions`;
  const headers = signedHeaders(signer.keyPair, 'POST', target, {
    bytes: body,
    contentType: 'application/x-ndjson',
  });
  return new Promise((done, fail) => {
    const req = request(new URL(target, t.node.url), { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        done({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body: text }),
      );
    });
    if (held === undefined) {
      req.on('error', fail);
      req.end(body);
      return;
    }
    req.on('error', () => done({ status: 0, retryAfter: undefined, body: '' }));
    req.write(body.slice(0, body.length / 2));
    held(() => req.destroy());
  });
}

const records = (from: number) => ndjson([{ id: from, name: `person ${from}`, age: 30 }]);

describe('uploads per key under forged requests (a real node over HTTP)', () => {
  it('forged uploads naming key K held in flight do not use up K: its genuine upload still gets through', async () => {
    await holdForgedUploads(owner.keyPair.keyId, DEFAULT_LOAD_LIMITS.maxUploadsPerKey);
    const genuine = await genuineUpload(owner, entryId, records(1));
    expect(genuine.status, genuine.body).toBe(201);
    expect(JSON.parse(genuine.body)).toMatchObject({ entryId, version: 1, replayed: false });
  }, 60_000);

  it('K with its own uploads in flight up to the cap gets 429 + Retry-After, another key does not; the slots come back when they end', async () => {
    const max = DEFAULT_LOAD_LIMITS.maxUploadsPerKey;
    const aborts: (() => void)[] = [];
    const inFlight = Array.from({ length: max }, (_, i) =>
      genuineUpload(owner, entryId, records(10 + i), (abort) => aborts.push(abort)),
    );
    // Each held upload is verified and streaming once the node has read part of its body.
    await new Promise((r) => setTimeout(r, 1_000));
    const refused = await genuineUpload(owner, entryId, records(20));
    expect(refused.status, refused.body).toBe(429);
    expect(refused.retryAfter).toBe('2');
    expect(JSON.parse(refused.body)).toEqual({
      type: 'urn:chancery:problem:uploads-per-key-exceeded',
      title: 'This key has too many uploads in flight; retry later',
      status: 429,
      code: 'UPLOADS_PER_KEY_EXCEEDED',
      detail: `key ${owner.keyPair.keyId} has ${max} uploads in flight; allowed: at most ${max} at once; retry after 2 s`,
      instance: `/v1/directory/entries/${entryId}/versions`,
      keyId: owner.keyPair.keyId,
      maxUploadsPerKey: max,
    });
    // Another key is not held back by K's.
    const another = await genuineUpload(other, otherEntryId, records(40));
    expect(another.status, another.body).toBe(201);
    for (const abort of aborts) abort();
    expect((await Promise.all(inFlight)).map((a) => a.status)).toEqual(Array(max).fill(0));
    await new Promise((r) => setTimeout(r, 100));
    const after = await genuineUpload(owner, entryId, records(30));
    expect(after.status, after.body).toBe(201);
  }, 60_000);
});
