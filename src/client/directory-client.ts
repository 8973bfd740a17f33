import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream/promises';
import { contentDigestHeader, signHttpRequest } from '../protocol/http-signer.js';
import type { KeyPair } from '../protocol/key-pair.js';
import { ChanceryProblemError, type Problem } from './chancery-client.js';

/** Bytes moved so far, and the total when known; called as chunks go by. */
export type Progress = (done: number, total: number | null) => void;

export interface UploadResult {
  entryId: string;
  version: number;
  digest: string;
  mediaType: string;
  recordCount: number;
  byteCount: number;
  schemaDigest: string;
  publishedAt: string;
  publishedBy: string;
  position: string;
  replayed: boolean;
}

export interface FetchResult {
  version: number;
  byteCount: number;
  digest: string;
}

/** SHA-256 of a file, streamed. */
export async function sha256OfFile(path: string, onProgress?: Progress): Promise<Buffer> {
  const hash = createHash('sha256');
  const total = statSync(path).size;
  let done = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    done += (chunk as Buffer).length;
    onProgress?.(done, total);
  }
  return hash.digest();
}

async function problemOf(res: IncomingMessage): Promise<ChanceryProblemError> {
  let text = '';
  for await (const chunk of res) text += String(chunk);
  try {
    const parsed = JSON.parse(text) as Problem;
    if (typeof parsed.code === 'string') return new ChanceryProblemError(parsed);
  } catch {
    // Not problem+json: described below.
  }
  return new ChanceryProblemError({
    type: 'about:blank',
    title: res.statusMessage ?? 'error',
    status: res.statusCode ?? 0,
    code: `HTTP_${res.statusCode}`,
    detail: text.slice(0, 500),
  });
}

/**
 * The directory's streamed, RFC 9421-signed calls: dataset uploads and
 * fetches move files of any size without holding them in memory, and every
 * request is signed with the department's key (Content-Digest binds an
 * upload's bytes to the signature). Signed commands (publish, request, grant…)
 * go through ChanceryClient.submit like any other command.
 */
export class DirectoryClient {
  constructor(
    readonly baseUrl: string,
    private readonly keyPair: KeyPair | null,
  ) {}

  private signed(method: string, target: string, headers: Record<string, string>, covered: string[] = []) {
    if (this.keyPair === null) return headers;
    return { ...headers, ...signHttpRequest(this.keyPair, { method, target, headers, covered }) };
  }

  private send(
    method: string,
    target: string,
    headers: Record<string, string>,
  ): ReturnType<typeof httpRequest> {
    const url = new URL(target, this.baseUrl);
    return (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method, headers });
  }

  /** Uploads FILE as a new dataset version; hashes it first (the digest is signed), then streams it. */
  async upload(
    entryId: string,
    file: string,
    mediaType: 'application/json' | 'application/x-ndjson',
    progress: { hashing?: Progress; sending?: Progress } = {},
  ): Promise<UploadResult> {
    const digest = await sha256OfFile(file, progress.hashing);
    const size = statSync(file).size;
    const target = `/v1/directory/entries/${encodeURIComponent(entryId)}/versions`;
    const headers = this.signed(
      'POST',
      target,
      {
        'content-type': mediaType,
        'content-digest': contentDigestHeader(digest),
        'content-length': String(size),
      },
      ['content-digest', 'content-type'],
    );
    return new Promise<UploadResult>((resolve, reject) => {
      const req = this.send('POST', target, headers);
      req.on('error', reject);
      req.on('response', (res) => {
        if ((res.statusCode ?? 500) >= 400) {
          problemOf(res).then(reject, reject);
          return;
        }
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve(JSON.parse(text) as UploadResult));
      });
      let sent = 0;
      const source = createReadStream(file);
      source.on('data', (chunk) => {
        sent += chunk.length;
        progress.sending?.(sent, size);
      });
      pipeline(source, req).catch(reject);
    });
  }

  /** Streams a dataset version to FILE; `version` is a number or 'latest'. */
  async fetch(
    entryId: string,
    version: string,
    out: string,
    grantId?: string,
    onProgress?: Progress,
  ): Promise<FetchResult> {
    const query = grantId === undefined ? '' : `?grant=${encodeURIComponent(grantId)}`;
    const target = `/v1/directory/entries/${encodeURIComponent(entryId)}/versions/${encodeURIComponent(version)}/data${query}`;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = this.send('GET', target, this.signed('GET', target, {}));
      req.on('error', reject);
      req.on('response', resolve);
      req.end();
    });
    if ((res.statusCode ?? 500) >= 400) throw await problemOf(res);
    const total = Number(res.headers['content-length'] ?? Number.NaN);
    const hash = createHash('sha256');
    let done = 0;
    res.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      done += chunk.length;
      onProgress?.(done, Number.isFinite(total) ? total : null);
    });
    await pipeline(res, createWriteStream(out));
    const digest = hash.digest();
    // The node states the digest it stored (RFC 9530); bytes that differ were damaged on the way.
    if (res.headers['content-digest'] !== contentDigestHeader(digest))
      throw new Error(`the data written to ${out} does not match the node's Content-Digest`);
    return {
      version: Number(res.headers['x-chancery-dataset-version']),
      byteCount: done,
      digest: digest.toString('hex'),
    };
  }

  /** A signed GET returning JSON (the audit trail). */
  async getSigned<T>(target: string): Promise<T> {
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = this.send('GET', target, this.signed('GET', target, { accept: 'application/json' }));
      req.on('error', reject);
      req.on('response', resolve);
      req.end();
    });
    if ((res.statusCode ?? 500) >= 400) throw await problemOf(res);
    let text = '';
    for await (const chunk of res) text += String(chunk);
    return JSON.parse(text) as T;
  }
}
