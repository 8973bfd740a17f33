import { isAscii } from 'node:buffer';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { issueMessageWithValue, issuePointer } from '../problems/schema-issue.js';

/**
 * Checking a batch of records: JSON.parse and the compiled schema, record by
 * record, stopping at the first record that is not JSON (or too large) or
 * once enough records failed the schema. The same function runs on the main
 * thread for small uploads and in the validation workers for large ones, so
 * both paths check exactly the same way.
 *
 * A batch is either whole NDJSON lines (`ranges` null: the lines are found
 * here, blank ones skipped) or the elements of a JSON array that the main
 * thread's scanner cut out (`ranges`: [start, end) byte pairs).
 */

export interface RecordBatch {
  readonly bytes: Buffer;
  /** [start, end) byte pairs, one per record; null for NDJSON lines. */
  readonly ranges: Int32Array | null;
}

export interface BatchLimits {
  /** Schema errors to list in all: checking stops once one more than this is found. */
  readonly maxErrors: number;
  readonly maxRecordBytes: number;
}

/** One schema error of a record (a record may have several); `at` counts records from the start of the batch, from 0. */
export interface BatchRecordError {
  readonly at: number;
  readonly pointer: string;
  readonly message: string;
}

/** A record that cannot be checked at all; everything after it in the batch was not looked at. */
export interface BatchMalformed {
  readonly at: number;
  readonly code: 'BODY_MALFORMED' | 'RECORD_TOO_LARGE';
  /** Completes "record N …". */
  readonly reason: string;
}

export interface BatchVerdict {
  /** Records in the batch (when checking stopped early, the records before the stop). */
  readonly records: number;
  /** Schema errors in record order, at most maxErrors + 1. */
  readonly errors: BatchRecordError[];
  readonly malformed: BatchMalformed | null;
}

/** Every ajv error of the last validation (allErrors) as a JSON pointer into the record and a message naming the value. */
export function schemaErrors(validate: ValidateFunction): { pointer: string; message: string }[] {
  const issues = validate.errors ?? [];
  if (issues.length === 0) return [{ pointer: '', message: 'does not match the schema' }];
  return issues.map((issue) => ({ pointer: issuePointer(issue), message: issueMessageWithValue(issue) }));
}

const WS = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0d]) WS[c] = 1;

export function checkBatch(
  batch: RecordBatch,
  validate: ValidateFunction,
  limits: BatchLimits,
): BatchVerdict {
  const { bytes, ranges } = batch;
  const errors: BatchRecordError[] = [];
  // ASCII (the common case) decodes once for the whole batch and byte offsets are string offsets;
  // otherwise each record is decoded on its own, from its bytes.
  const text = isAscii(bytes) ? bytes.toString('latin1') : null;
  let records = 0;
  const check = (start: number, end: number): BatchMalformed | null => {
    let record: unknown;
    try {
      record = JSON.parse(text === null ? bytes.toString('utf8', start, end) : text.slice(start, end));
    } catch (error) {
      return {
        at: records,
        code: 'BODY_MALFORMED',
        reason: `is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    if (validate(record)) return null;
    for (const e of schemaErrors(validate)) errors.push({ at: records, ...e });
    // One past the limit is enough to tell the listing was cut.
    if (errors.length > limits.maxErrors + 1) errors.length = limits.maxErrors + 1;
    return null;
  };

  if (ranges !== null) {
    for (let r = 0; r < ranges.length && errors.length <= limits.maxErrors; r += 2) {
      const malformed = check(ranges[r]!, ranges[r + 1]!);
      if (malformed !== null) return { records, errors, malformed };
      records++;
    }
    return { records, errors, malformed: null };
  }

  // NDJSON: one JSON text per line (\n or \r\n); blank lines are skipped and not counted.
  const n = bytes.length;
  let lineStart = 0;
  while (lineStart < n && errors.length <= limits.maxErrors) {
    let nl = bytes.indexOf(0x0a, lineStart);
    if (nl < 0) nl = n;
    let end = nl;
    if (end > lineStart && bytes[end - 1] === 0x0d) end--;
    let start = lineStart;
    while (start < end && WS[bytes[start]!] === 1) start++;
    lineStart = nl + 1;
    if (start === end) continue;
    if (end - start > limits.maxRecordBytes) {
      return {
        records,
        errors,
        malformed: {
          at: records,
          code: 'RECORD_TOO_LARGE',
          reason: `is larger than ${limits.maxRecordBytes} bytes`,
        },
      };
    }
    const malformed = check(start, end);
    if (malformed !== null) return { records, errors, malformed };
    records++;
  }
  return { records, errors, malformed: null };
}
