import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  jsonArraySplitter,
  ndjsonSplitter,
  RecordFormatError,
  type RecordSplitter,
} from '../../../src/api/directory/record-splitter.js';

function split(make: (on: (t: string) => void) => RecordSplitter, chunks: Buffer[]): unknown[] {
  const out: unknown[] = [];
  const splitter = make((text) => out.push(JSON.parse(text)));
  for (const c of chunks) splitter.push(c);
  splitter.end();
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

function failure(run: () => unknown): { code: string; index: number } | null {
  try {
    run();
    return null;
  } catch (error) {
    if (!(error instanceof RecordFormatError)) throw error;
    return { code: error.code, index: error.index };
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

  it('split NDJSON into lines wherever the chunks are cut, with \\n or \\r\\n (property)', () => {
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.boolean(),
        (records, cuts, crlf) => {
          const bytes = Buffer.from(records.map((r) => JSON.stringify(r)).join(crlf ? '\r\n' : '\n'));
          expect(split((on) => ndjsonSplitter(on, MAX), cut(bytes, cuts))).toEqual(
            JSON.parse(JSON.stringify(records)),
          );
        },
      ),
    );
  });

  it('keeps strings with brackets, quotes and escapes inside one record', () => {
    const records = [{ a: '[{"}]\\' }, '"]', { b: ['\\"', '}'] }];
    expect(split((on) => jsonArraySplitter(on, MAX), [Buffer.from(JSON.stringify(records))])).toEqual(
      records,
    );
  });

  it.each([
    ['an unclosed array', '[{"a":1},{"a":2}', 'UPLOAD_TRUNCATED', 2],
    ['a record cut in half', '[{"a":1},{"a":', 'UPLOAD_TRUNCATED', 1],
    ['an empty body', '', 'BODY_MALFORMED', 0],
    ['an object instead of an array', '{"a":1}', 'BODY_MALFORMED', 0],
    ['a trailing comma', '[{"a":1},]', 'BODY_MALFORMED', 1],
    ['data after the array', '[{"a":1}] x', 'BODY_MALFORMED', 1],
    ['a missing comma', '[{"a":1} {"a":2}]', 'BODY_MALFORMED', 1],
  ])('refuses %s', (_name, body, code, index) => {
    expect(failure(() => split((on) => jsonArraySplitter(on, MAX), [Buffer.from(body)]))).toEqual({
      code,
      index,
    });
  });

  it('refuses a record above the limit as soon as it is seen, in either format', () => {
    const big = JSON.stringify({ pad: 'x'.repeat(2000) });
    const chunks = [Buffer.from(`[{"a":1},${big.slice(0, 1500)}`)];
    expect(failure(() => jsonArraySplitter(() => undefined, MAX).push(chunks[0]!))).toEqual({
      code: 'RECORD_TOO_LARGE',
      index: 1,
    });
    expect(
      failure(() => ndjsonSplitter(() => undefined, MAX).push(Buffer.from(`{"a":1}\n${big.slice(0, 1500)}`))),
    ).toEqual({
      code: 'RECORD_TOO_LARGE',
      index: 1,
    });
  });

  it('skips blank NDJSON lines and counts records', () => {
    const splitter = ndjsonSplitter(() => undefined, MAX);
    splitter.push(Buffer.from('{"a":1}\n\n  \n{"a":2}'));
    splitter.end();
    expect(splitter.count).toBe(2);
  });
});
