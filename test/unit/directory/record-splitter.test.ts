import type { ValidateFunction } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkBatch, type RecordBatch } from '../../../src/application/directory/record-batch.js';
import {
  jsonArrayBatcher,
  jsonArraySplitter,
  LineTooLong,
  ndjsonBatcher,
  RecordFormatError,
  type RecordSplitter,
} from '../../../src/application/directory/record-splitter.js';

function split(make: (on: (bytes: Buffer) => void) => RecordSplitter, chunks: Buffer[]): unknown[] {
  const out: unknown[] = [];
  const splitter = make((bytes) => out.push(JSON.parse(bytes.toString('utf8'))));
  for (const c of chunks) splitter.push(c);
  splitter.end();
  return out;
}

/** Every record the batches hold, parsed by checkBatch with a validator that keeps what it sees. */
function records(batches: RecordBatch[]): { records: unknown[]; count: number } {
  const seen: unknown[] = [];
  const keep = ((record: unknown) => {
    seen.push(record);
    return true;
  }) as unknown as ValidateFunction;
  let count = 0;
  for (const batch of batches) {
    const verdict = checkBatch(batch, keep, { maxErrors: 10, maxRecordBytes: MAX });
    expect(verdict.malformed).toBeNull();
    count += verdict.records;
  }
  return { records: seen, count };
}

function batchNdjson(chunks: Buffer[], batchBytes: number): RecordBatch[] {
  const out: RecordBatch[] = [];
  const batcher = ndjsonBatcher((b) => out.push(b), MAX, batchBytes);
  for (const c of chunks) batcher.push(c);
  batcher.end();
  return out;
}

function batchArray(chunks: Buffer[], batchBytes: number): RecordBatch[] {
  const out: RecordBatch[] = [];
  const batcher = jsonArrayBatcher((b) => out.push(b), MAX, batchBytes);
  for (const c of chunks) batcher.push(c);
  batcher.end();
  return out;
}

/** Cuts bytes at the given offsets: records must come out the same wherever the chunks end. */
function cut(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let at = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(at, p));
    at = p;
  }
  chunks.push(bytes.subarray(at));
  return chunks;
}

function failure(run: () => unknown): { code: string; record: number } | null {
  try {
    run();
    return null;
  } catch (error) {
    if (!(error instanceof RecordFormatError)) throw error;
    return { code: error.code, record: error.record };
  }
}

const MAX = 1024;
const record = fc.jsonValue({ maxDepth: 3 }).filter((v) => JSON.stringify(v).length < 500);

describe('record splitters', () => {
  it('split a JSON array into its elements wherever the chunks are cut (property)', () => {
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (records, cuts) => {
          const bytes = Buffer.from(JSON.stringify(records, null, records.length % 2 === 0 ? 0 : 1));
          expect(split((on) => jsonArraySplitter(on, MAX), cut(bytes, cuts))).toEqual(
            JSON.parse(JSON.stringify(records)),
          );
        },
      ),
    );
  });

  it('batch NDJSON into whole lines wherever the chunks are cut, with \\n or \\r\\n (property)', () => {
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 300 }),
        (list, cuts, crlf, batchBytes) => {
          const bytes = Buffer.from(list.map((r) => JSON.stringify(r)).join(crlf ? '\r\n' : '\n'));
          const batches = batchNdjson(cut(bytes, cuts), batchBytes);
          // Batches are the body's bytes, in order, each ending at a line end (but the last).
          expect(Buffer.concat(batches.map((b) => b.bytes))).toEqual(bytes);
          for (const b of batches.slice(0, -1)) expect(b.bytes[b.bytes.length - 1]).toBe(0x0a);
          expect(records(batches)).toEqual({ records: JSON.parse(JSON.stringify(list)), count: list.length });
        },
      ),
    );
  });

  it('batch a JSON array into its elements wherever the chunks are cut (property)', () => {
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.integer({ min: 1, max: 300 }),
        (list, cuts, batchBytes) => {
          const bytes = Buffer.from(JSON.stringify(list, null, list.length % 2 === 0 ? 0 : 1));
          expect(records(batchArray(cut(bytes, cuts), batchBytes))).toEqual({
            records: JSON.parse(JSON.stringify(list)),
            count: list.length,
          });
        },
      ),
    );
  });

  it('batches the records before a format error first, then throws it', () => {
    const out: RecordBatch[] = [];
    const batcher = jsonArrayBatcher((b) => out.push(b), MAX, 1 << 20);
    expect(() => batcher.push(Buffer.from('[{"a":1},{"a":2} {"a":3}]'))).toThrow(RecordFormatError);
    expect(records(out)).toEqual({ records: [{ a: 1 }, { a: 2 }], count: 2 });
  });

  it('keeps strings with brackets, quotes and escapes inside one record', () => {
    const records = [{ a: '[{"}]\\' }, '"]', { b: ['\\"', '}'] }];
    expect(split((on) => jsonArraySplitter(on, MAX), [Buffer.from(JSON.stringify(records))])).toEqual(
      records,
    );
  });

  it.each([
    ['an unclosed array', '[{"a":1},{"a":2}', 'UPLOAD_TRUNCATED', 3],
    ['a record cut in half', '[{"a":1},{"a":', 'UPLOAD_TRUNCATED', 2],
    ['an empty body', '', 'BODY_MALFORMED', 1],
    ['an object instead of an array', '{"a":1}', 'BODY_MALFORMED', 1],
    ['a trailing comma', '[{"a":1},]', 'BODY_MALFORMED', 2],
    ['data after the array', '[{"a":1}] x', 'BODY_MALFORMED', 2],
    ['a missing comma', '[{"a":1} {"a":2}]', 'BODY_MALFORMED', 2],
    // record: the number (from 1) of the record the problem is in, or where the next one was due.
  ])('refuses %s', (_name, body, code, record) => {
    expect(failure(() => split((on) => jsonArraySplitter(on, MAX), [Buffer.from(body)]))).toEqual({
      code,
      record,
    });
  });

  it('refuses a record above the limit as soon as it is seen, in either format', () => {
    const big = JSON.stringify({ pad: 'x'.repeat(2000) });
    const chunks = [Buffer.from(`[{"a":1},${big.slice(0, 1500)}`)];
    expect(failure(() => jsonArraySplitter(() => undefined, MAX).push(chunks[0]!))).toEqual({
      code: 'RECORD_TOO_LARGE',
      record: 2,
    });
    // An NDJSON line still open: refused as it grows (its index is known once the lines before it are counted).
    const batcher = ndjsonBatcher(() => undefined, MAX, 1 << 20);
    expect(() => batcher.push(Buffer.from(`{"a":1}\n${big.slice(0, 1500)}`))).toThrow(LineTooLong);
    // A whole line above the limit inside a batch: refused by checkBatch with its index.
    const verdict = checkBatch(
      { bytes: Buffer.from(`{"a":1}\n\n${big}\n{"a":2}`), ranges: null },
      (() => true) as unknown as ValidateFunction,
      { maxErrors: 10, maxRecordBytes: MAX },
    );
    expect(verdict.malformed).toMatchObject({ at: 1, code: 'RECORD_TOO_LARGE' });
  });

  it('skips blank NDJSON lines and counts records', () => {
    const verdict = checkBatch(
      { bytes: Buffer.from('{"a":1}\n\n  \n \r\n{"a":2}'), ranges: null },
      (() => true) as unknown as ValidateFunction,
      { maxErrors: 10, maxRecordBytes: MAX },
    );
    expect(verdict).toEqual({ records: 2, errors: [], malformed: null });
  });

  it('decodes records that are not ASCII as UTF-8, one by one', () => {
    const seen: unknown[] = [];
    const keep = ((r: unknown) => seen.push(r) > 0) as unknown as ValidateFunction;
    checkBatch({ bytes: Buffer.from('{"n":"Zürich"}\n{"n":"東京"}\n'), ranges: null }, keep, {
      maxErrors: 10,
      maxRecordBytes: MAX,
    });
    expect(seen).toEqual([{ n: 'Zürich' }, { n: '東京' }]);
  });
});
