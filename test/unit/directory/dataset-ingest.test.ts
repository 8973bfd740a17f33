import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestOptions, ingestDataset } from '../../../src/application/directory/dataset-ingest.js';
import type {
  BatchLimits,
  BatchVerdict,
  RecordBatch,
} from '../../../src/application/directory/record-batch.js';
import { RecordSchemas } from '../../../src/application/directory/record-schemas.js';
import {
  RecordValidationPool,
  type SchemaSource,
} from '../../../src/application/directory/record-validation-pool.js';
import { ProblemError } from '../../../src/application/problems/problem.js';
import { BlobStore } from '../../../src/infrastructure/blobs/blob-store.js';

/**
 * The ingest pipeline with its validation workers: whatever the chunking, the
 * batch size and the order in which workers answer, an upload checked in the
 * pool must end exactly as one checked on the event loop — the same records,
 * the same first errors in record order, the same format error, the same
 * truncation — and the stored bytes are the uploaded bytes.
 */

const schema = new RecordSchemas().check({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['id', 'name'],
  additionalProperties: false,
  properties: { id: { type: 'integer', minimum: 1 }, name: { type: 'string' } },
});

/** Counts the batches in flight, to check the pipeline's backpressure. */
class CountingPool extends RecordValidationPool {
  inFlight = 0;
  maxInFlight = 0;
  batches = 0;
  override async check(s: SchemaSource, batch: RecordBatch, limits: BatchLimits): Promise<BatchVerdict> {
    this.batches++;
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    try {
      return await super.check(s, batch, limits);
    } finally {
      this.inFlight--;
    }
  }
}

let dir: string;
let blobs: BlobStore;
const pool = new CountingPool(2);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'chancery-ingest-'));
  blobs = new BlobStore(dir);
});

afterAll(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

const good = (i: number) => JSON.stringify({ id: i + 1, name: `record ${i} ${'x'.repeat(i % 13)}` });
/** Invalid records at the given indexes, each failing in its own way. */
function lines(count: number, bad: Record<number, string> = {}): string[] {
  return Array.from({ length: count }, (_, i) => bad[i] ?? good(i));
}

function chunked(body: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) out.push(body.subarray(at, at + size));
  return out;
}

async function* stream(chunks: Buffer[], failAfter?: number): AsyncGenerator<Buffer> {
  let i = 0;
  for (const c of chunks) {
    if (failAfter !== undefined && i++ === failAfter)
      throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    // Let the workers answer in between, in whatever order they do.
    if (i % 3 === 0) await new Promise((r) => setImmediate(r));
    yield c;
  }
}

type Outcome =
  | { ok: { digest: string; recordCount: number; byteCount: number } }
  | { code: string; detail: string; extensions: unknown };

async function ingest(
  body: Buffer,
  options: {
    ndjson?: boolean;
    chunk?: number;
    pool?: RecordValidationPool | null;
  } & Partial<IngestOptions> = {},
  failAfter?: number,
): Promise<Outcome> {
  const { ndjson = true, chunk = 97, pool: usePool = pool, ...rest } = options;
  try {
    const ok = await ingestDataset(stream(chunked(body, chunk), failAfter), {
      mediaType: ndjson ? 'application/x-ndjson' : 'application/json',
      schema,
      blobs,
      expectedDigest: createHash('sha256').update(body).digest(),
      expectedLength: body.length,
      maxBytes: 1 << 30,
      maxRecordBytes: 512,
      maxErrors: 5,
      pool: usePool,
      batchBytes: 300,
      poolFromBytes: 0,
      ...rest,
    });
    return { ok };
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    return { code: error.code, detail: error.detail, extensions: error.extensions };
  }
}

/** The same upload through the workers and on the event loop. */
async function both(body: Buffer, options: Parameters<typeof ingest>[1] = {}) {
  const inPool = await ingest(body, options);
  const inline = await ingest(body, { ...options, pool: null });
  expect(inPool).toEqual(inline);
  return inPool;
}

describe('dataset ingest through the validation workers', () => {
  it('stores exactly the uploaded bytes, counting every record, with bounded batches in flight', async () => {
    const body = Buffer.from(`${lines(2000).join('\n')}\n`);
    const before = pool.batches;
    const outcome = await both(body, { chunk: 1000 });
    expect(outcome).toEqual({
      ok: {
        digest: createHash('sha256').update(body).digest('hex'),
        recordCount: 2000,
        byteCount: body.length,
      },
    });
    if (!('ok' in outcome)) throw new Error('unreachable');
    expect(readFileSync(blobs.pathOf(outcome.ok.digest))).toEqual(body);
    expect(pool.batches - before).toBeGreaterThan(50);
    expect(pool.maxInFlight).toBeLessThanOrEqual(2 * pool.size);
    expect(blobs.temporaryFiles()).toEqual([]);
  });

  it('lists the first maxErrors errors in record order across batches and chunks, numbered from 1', async () => {
    const bad = {
      3: '{"id":0,"name":"zero"}',
      17: '{"id":18}',
      18: '{"id":19,"name":"x","extra":true}',
      250: '{"id":"251","name":"x"}',
      251: '{"id":252,"name":7}',
      900: '{"id":901}',
    };
    const body = Buffer.from(lines(1000, bad).join('\r\n'));
    const outcome = await both(body);
    expect(outcome).toMatchObject({ code: 'RECORDS_INVALID' });
    if ('ok' in outcome) throw new Error('unreachable');
    expect(outcome.extensions).toEqual({
      errors: [
        { record: 4, pointer: '/id', message: 'is 0; must be >= 1' },
        { record: 18, pointer: '', message: "must have required property 'name'" },
        { record: 19, pointer: '/extra', message: 'must NOT have additional properties' },
        { record: 251, pointer: '/id', message: "is '251'; must be integer" },
        { record: 252, pointer: '/name', message: 'is 7; must be string' },
      ],
      truncated: true,
    });
    expect(outcome.detail).toBe(
      'more than 5 errors in at least 5 records: record 4 /id is 0; must be >= 1; only the first 5 are listed (maxErrors), checking stopped there',
    );
    expect(blobs.temporaryFiles()).toEqual([]);
  });

  it('names a record that is not JSON after the schema failures before it, and not after maxErrors', async () => {
    const early = await both(Buffer.from(lines(600, { 10: '{"id":0}', 400: '{"id":401,' }).join('\n')));
    expect(early).toMatchObject({ code: 'BODY_MALFORMED', extensions: { record: 401 } });
    const late = await both(
      Buffer.from(lines(600, { 1: '{}', 2: '{}', 3: '{}', 4: '{}', 5: '{}', 400: 'nope' }).join('\n')),
    );
    expect(late).toMatchObject({ code: 'RECORDS_INVALID' });
  });

  it('counts blank lines out of record numbers, and finds a long line with its number', async () => {
    const body = Buffer.from(
      `${lines(300).join('\n\n  \n')}\n${JSON.stringify({ id: 1, name: 'y'.repeat(2000) })}\n${good(1)}`,
    );
    expect(await both(body)).toMatchObject({ code: 'RECORD_TOO_LARGE', extensions: { record: 301 } });
    // A long line that is still open when the chunk ends is refused as it grows; its number is the same.
    const open = Buffer.from(`${lines(300).join('\n')}\n{"id":1,"name":"${'y'.repeat(5000)}`);
    expect(await both(open, { chunk: 700 })).toMatchObject({
      code: 'RECORD_TOO_LARGE',
      extensions: { record: 301 },
    });
  });

  it('checks JSON arrays in the workers too, and still detects an unclosed array', async () => {
    const records = lines(800, { 500: '{"id":501,"name":null}' });
    const invalid = await both(Buffer.from(`[${records.join(',\n ')}]`), { ndjson: false });
    expect(invalid).toMatchObject({ code: 'RECORDS_INVALID', extensions: { errors: [{ record: 501 }] } });
    const valid = await both(Buffer.from(`[${lines(800).join(',')}]`), { ndjson: false });
    expect(valid).toMatchObject({ ok: { recordCount: 800 } });
    const truncated = await both(Buffer.from(`[${lines(800).join(',')}`), { ndjson: false });
    expect(truncated).toMatchObject({ code: 'UPLOAD_TRUNCATED', extensions: { record: 801 } });
    const cut = await both(Buffer.from(`[${lines(800).join(',')},{"id":801,"na`), { ndjson: false });
    expect(cut).toMatchObject({ code: 'UPLOAD_TRUNCATED', extensions: { record: 801 } });
  });

  it('detects a body shorter than announced, and a connection cut mid-body, storing nothing', async () => {
    const body = Buffer.from(lines(1000).join('\n'));
    expect(await ingest(body.subarray(0, 20_000), { expectedLength: body.length })).toMatchObject({
      code: 'UPLOAD_TRUNCATED',
    });
    expect(await ingest(body, {}, 50)).toMatchObject({ code: 'UPLOAD_TRUNCATED' });
    expect(blobs.temporaryFiles()).toEqual([]);
  });

  it('fails the upload (storing nothing) when a worker fails, and replaces the worker', async () => {
    class FailingPool extends RecordValidationPool {
      calls = 0;
      override check(s: SchemaSource, batch: RecordBatch, limits: BatchLimits): Promise<BatchVerdict> {
        if (++this.calls === 3) return Promise.reject(new Error('worker died'));
        return super.check(s, batch, limits);
      }
    }
    const failing = new FailingPool(1);
    try {
      await expect(ingest(Buffer.from(lines(500).join('\n')), { pool: failing })).rejects.toThrow(
        'worker died',
      );
      expect(blobs.temporaryFiles()).toEqual([]);
    } finally {
      await failing.close();
    }
    // A worker that exits takes its batches with it; the next batch gets a new worker.
    const single = new RecordValidationPool(1);
    try {
      const body = Buffer.from(lines(50).join('\n'));
      const batch = () => ({ bytes: Buffer.from(body), ranges: null });
      const limits = { maxErrors: 5, maxRecordBytes: 512 };
      expect(await single.check(schema, batch(), limits)).toEqual({
        records: 50,
        errors: [],
        malformed: null,
      });
      const { slots } = single as unknown as { slots: { worker: { terminate(): Promise<number> } }[] };
      // A batch long enough that the worker is still on it when it is terminated (a short one may finish first).
      const long = { bytes: Buffer.from(lines(200_000).join('\n')), ranges: null };
      const pending = single.check(schema, long, { ...limits, maxErrors: 1 });
      await slots[0]!.worker.terminate();
      await expect(pending).rejects.toThrow(/exited|closed/);
      expect(await single.check(schema, batch(), limits)).toEqual({
        records: 50,
        errors: [],
        malformed: null,
      });
      expect(single.running).toBe(1);
    } finally {
      await single.close();
    }
  });

  it('ends the same in the pool and on the event loop, wherever the chunks and batches end (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 400 }),
        fc.dictionary(
          fc.integer({ min: 0, max: 399 }).map(String),
          fc.constantFrom('{"id":0,"name":"a"}', '{"id":1}', '[]', 'not json', '', '  '),
          { maxKeys: 12 },
        ),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.boolean(),
        async (count, bad, chunk, batchBytes, ndjson) => {
          const records = lines(count, bad as Record<number, string>).filter(
            (l) => ndjson || l.trim() !== '',
          );
          const body = Buffer.from(ndjson ? records.join('\n') : `[${records.join(',')}]`);
          await both(body, { chunk, batchBytes, ndjson });
        },
      ),
      { numRuns: 40 },
    );
    expect(blobs.temporaryFiles()).toEqual([]);
  });
});
