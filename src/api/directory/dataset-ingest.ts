import { createHash, timingSafeEqual } from 'node:crypto';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { DatasetMediaType } from '../../domain/directory/events.js';
import type { JsonValue } from '../../domain/shared/json.js';
import type { BlobStore } from '../../infrastructure/blobs/blob-store.js';
import { ProblemError } from '../problems/problem.js';
import {
  jsonArraySplitter,
  ndjsonSplitter,
  RecordFormatError,
  type RecordSplitter,
} from './record-splitter.js';

export interface IngestOptions {
  readonly mediaType: DatasetMediaType;
  readonly validate: ValidateFunction;
  readonly blobs: BlobStore;
  /** The signed Content-Digest (sha-256): the bytes must hash to it. */
  readonly expectedDigest: Uint8Array;
  /** Content-Length when the client sent one. */
  readonly expectedLength: number | null;
  readonly maxBytes: number;
  readonly maxRecordBytes: number;
  /** How many invalid records to list before validation stops. */
  readonly maxErrors: number;
}

export interface IngestResult {
  readonly digest: string;
  readonly recordCount: number;
  readonly byteCount: number;
}

export interface RecordError {
  readonly index: number;
  readonly pointer: string;
  readonly message: string;
}

/**
 * Streams an upload into a temporary blob while hashing it, splitting it into
 * records and validating each one with the entry's compiled schema. Only when
 * the whole body has arrived, hashes to the signed Content-Digest and every
 * record is valid is the blob fsynced and moved to its address; on any
 * failure the temporary file is removed and nothing is stored.
 *
 * The body is always read to its end (unless too large or aborted), so the
 * client gets its answer instead of a reset; after the first failure bytes
 * are only counted and hashed.
 */
export async function ingestDataset(
  body: AsyncIterable<Buffer>,
  options: IngestOptions,
): Promise<IngestResult> {
  const hash = createHash('sha256');
  const draft = await options.blobs.draft();
  const errors: RecordError[] = [];
  let formatError: RecordFormatError | null = null;
  let byteCount = 0;
  const onRecord = (text: string, index: number) => {
    // Enough errors listed: the rest of this chunk is only split, not parsed or checked.
    if (errors.length >= options.maxErrors) return;
    let record: JsonValue;
    try {
      record = JSON.parse(text) as JsonValue;
    } catch (error) {
      throw new RecordFormatError(
        'BODY_MALFORMED',
        `record ${index} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
        index,
      );
    }
    if (!options.validate(record)) {
      const first = options.validate.errors?.[0];
      const extra =
        first?.keyword === 'additionalProperties' ? `/${String(first.params['additionalProperty'])}` : '';
      errors.push({
        index,
        pointer: `${first?.instancePath ?? ''}${extra}`,
        message: first?.message ?? 'does not match the schema',
      });
    }
  };
  const splitter: RecordSplitter =
    options.mediaType === 'application/x-ndjson'
      ? ndjsonSplitter(onRecord, options.maxRecordBytes)
      : jsonArraySplitter(onRecord, options.maxRecordBytes);
  const healthy = () => formatError === null && errors.length < options.maxErrors;

  try {
    for await (const chunk of body) {
      byteCount += chunk.length;
      if (byteCount > options.maxBytes) {
        throw new ProblemError('BODY_TOO_LARGE', `the upload is larger than ${options.maxBytes} bytes`);
      }
      hash.update(chunk);
      if (!healthy()) continue;
      try {
        splitter.push(chunk);
      } catch (error) {
        if (!(error instanceof RecordFormatError)) throw error;
        formatError = error;
      }
      if (healthy()) await draft.write(chunk);
    }
    if (healthy()) {
      try {
        splitter.end();
      } catch (error) {
        if (!(error instanceof RecordFormatError)) throw error;
        formatError = error;
      }
    }
    if (options.expectedLength !== null && byteCount !== options.expectedLength) {
      throw new ProblemError(
        'UPLOAD_TRUNCATED',
        `received ${byteCount} of the ${options.expectedLength} bytes announced by Content-Length`,
      );
    }
    const digest = hash.digest();
    // The signature covers the digest, not the bytes: bytes that do not hash to it were not what was signed.
    if (!timingSafeEqual(digest, options.expectedDigest)) {
      throw new ProblemError(
        'CONTENT_DIGEST_MISMATCH',
        `the body hashes to sha-256 ${digest.toString('hex')}, not to the signed Content-Digest`,
      );
    }
    if (formatError !== null) {
      const code = formatError.code;
      throw new ProblemError(code, formatError.message, { index: formatError.index });
    }
    if (errors.length > 0) {
      const first = errors[0]!;
      const more =
        errors.length >= options.maxErrors ? `; validation stopped after ${errors.length} errors` : '';
      throw new ProblemError(
        'RECORDS_INVALID',
        `${errors.length === 1 ? 'a record does' : `${errors.length} records do`} not match the schema: record ${first.index} ${first.pointer || '(the record)'} ${first.message}${more}`,
        { errors: errors.map((e) => ({ index: e.index, pointer: e.pointer, message: e.message })) },
      );
    }
    const digestHex = digest.toString('hex');
    await draft.commit(digestHex);
    return { digest: digestHex, recordCount: splitter.count, byteCount };
  } catch (error) {
    await draft.discard();
    if (error instanceof ProblemError) throw error;
    // The client went away or the connection broke mid-body: nothing was stored.
    const code = (error as { code?: unknown }).code;
    if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || /aborted/i.test(String(error))) {
      throw new ProblemError(
        'UPLOAD_TRUNCATED',
        `the upload was cut off after ${byteCount} bytes; nothing was stored`,
      );
    }
    throw error;
  }
}
