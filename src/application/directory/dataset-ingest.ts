import { createHash, timingSafeEqual } from 'node:crypto';
import type { DatasetMediaType } from '../../domain/directory/events.js';
import type { BlobDraft, BlobStore } from '../../infrastructure/blobs/blob-store.js';
import { ProblemError } from '../problems/problem.js';
import { DraftWriter } from './draft-writer.js';
import { OrderedVerdicts, type RecordError } from './ordered-verdicts.js';
import { checkBatch, type RecordBatch } from './record-batch.js';
import type { CheckedSchema } from './record-schemas.js';
import {
  jsonArrayBatcher,
  LineTooLong,
  ndjsonBatcher,
  type RecordBatcher,
  RecordFormatError,
} from './record-splitter.js';
import type { RecordValidationPool } from './record-validation-pool.js';

export interface IngestOptions {
  readonly mediaType: DatasetMediaType;
  /** The entry's schema, compiled and cached (RecordSchemas.check). */
  readonly schema: CheckedSchema;
  readonly blobs: BlobStore;
  /** The signed Content-Digest (sha-256): the bytes must hash to it. */
  readonly expectedDigest: Uint8Array;
  /** Content-Length when the client sent one. */
  readonly expectedLength: number | null;
  readonly maxBytes: number;
  readonly maxRecordBytes: number;
  /** How many schema errors (every error of a record counts) to list before validation stops. */
  readonly maxErrors: number;
  /** Worker threads for large uploads; without one every batch is checked on this thread. */
  readonly pool?: RecordValidationPool | null;
  /** Records are checked in batches of about this many bytes (default 256 KiB). */
  readonly batchBytes?: number;
  /** Uploads of at least this many bytes (announced, or seen so far) are checked in the pool (default 1 MiB). */
  readonly poolFromBytes?: number;
}

const DEFAULT_BATCH_BYTES = 256 * 1024;
const DEFAULT_POOL_FROM_BYTES = 1024 * 1024;

export interface IngestResult {
  readonly digest: string;
  readonly recordCount: number;
  readonly byteCount: number;
}

/**
 * Streams an upload into a temporary blob while hashing it, splitting it into
 * batches of records and checking each record (JSON.parse, then the entry's
 * compiled schema). Small uploads are checked on this thread; from
 * poolFromBytes on, batches go to the validation workers, at most two per
 * worker in flight (reading the body waits for them: backpressure), and
 * their verdicts are merged in body order. Only when the whole body has
 * arrived, hashes to the signed Content-Digest and every record is valid is
 * the blob fsynced and moved to its address; on any failure the temporary
 * file is removed and nothing is stored.
 *
 * The body is always read to its end (unless too large or aborted), so the
 * client gets its answer instead of a reset; after the first failure bytes
 * are only counted and hashed.
 */
export async function ingestDataset(
  body: AsyncIterable<Buffer>,
  options: IngestOptions,
): Promise<IngestResult> {
  const run = new IngestRun(options, await options.blobs.draft());
  try {
    for await (const chunk of body) await run.take(chunk);
    return await run.finish();
  } catch (error) {
    await run.abandon();
    throw asIngestProblem(error, run.byteCount);
  }
}

/** The client went away or the connection broke mid-body: nothing was stored, and the problem says so. */
export function asIngestProblem(error: unknown, byteCount: number): unknown {
  if (error instanceof ProblemError) return error;
  const code = (error as { code?: unknown }).code;
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || /aborted/i.test(String(error))) {
    return new ProblemError(
      'UPLOAD_TRUNCATED',
      `the upload was cut off after ${byteCount} bytes; nothing was stored`,
    );
  }
  return error;
}

/** One upload on its way in: hashed, batched, checked and written, chunk by chunk. */
class IngestRun {
  byteCount = 0;
  private readonly hash = createHash('sha256');
  private readonly writer: DraftWriter;
  private readonly verdicts: OrderedVerdicts;
  private readonly batcher: RecordBatcher;
  /** Batches in the workers at most; the next chunk is read once fewer are (backpressure). */
  private readonly inFlight: number;
  private batched = 0;
  /** Splitting stopped at a format error: the batcher's state is no longer usable. */
  private cut = false;

  constructor(
    private readonly options: IngestOptions,
    private readonly draft: BlobDraft,
  ) {
    this.writer = new DraftWriter(draft);
    this.verdicts = new OrderedVerdicts(options.maxErrors);
    this.inFlight = options.pool == null ? 1 : 2 * options.pool.size;
    const batchBytes = options.batchBytes ?? DEFAULT_BATCH_BYTES;
    const onBatch = (batch: RecordBatch) => this.check(batch);
    this.batcher =
      options.mediaType === 'application/x-ndjson'
        ? ndjsonBatcher(onBatch, options.maxRecordBytes, batchBytes)
        : jsonArrayBatcher(onBatch, options.maxRecordBytes, batchBytes);
  }

  private get healthy(): boolean {
    return !this.cut && this.verdicts.healthy;
  }

  async take(chunk: Buffer): Promise<void> {
    this.byteCount += chunk.length;
    if (this.byteCount > this.options.maxBytes) {
      throw new ProblemError('BODY_TOO_LARGE', `the upload is larger than ${this.options.maxBytes} bytes`);
    }
    this.hash.update(chunk);
    this.verdicts.mergeArrived();
    if (!this.healthy) return;
    try {
      this.batcher.push(chunk);
    } catch (error) {
      this.stopAt(error);
    }
    if (this.healthy) await this.writer.write(chunk);
    await this.verdicts.settle(this.inFlight - 1);
  }

  /** The whole body has arrived: every check must hold before the blob is stored under its digest. */
  async finish(): Promise<IngestResult> {
    if (this.healthy) {
      try {
        this.batcher.end();
      } catch (error) {
        this.stopAt(error);
      }
    }
    await this.verdicts.settle(0);
    const digest = this.checkBytes();
    this.checkRecords();
    await this.writer.finish();
    const digestHex = digest.toString('hex');
    await this.draft.commit(digestHex);
    return { digest: digestHex, recordCount: this.verdicts.records, byteCount: this.byteCount };
  }

  async abandon(): Promise<void> {
    await this.writer.wait().catch(() => undefined);
    await this.draft.discard();
  }

  private check(batch: RecordBatch): void {
    const { options } = this;
    const limits = { maxErrors: options.maxErrors, maxRecordBytes: options.maxRecordBytes };
    const poolFrom = options.poolFromBytes ?? DEFAULT_POOL_FROM_BYTES;
    this.batched += batch.bytes.length;
    const pool = options.pool ?? null;
    if (pool !== null && (this.batched >= poolFrom || (options.expectedLength ?? 0) >= poolFrom))
      this.verdicts.add(pool.check(options.schema, batch, limits).then((verdict) => ({ verdict })));
    else this.verdicts.add({ verdict: checkBatch(batch, options.schema.validate, limits) });
  }

  private stopAt(error: unknown): void {
    this.cut = true;
    if (error instanceof RecordFormatError) this.verdicts.add({ stop: () => error });
    else if (error instanceof LineTooLong)
      this.verdicts.add({
        // The line too long is the record after every one batched before it; numbers start at 1.
        stop: (recordsBefore) =>
          new RecordFormatError(
            'RECORD_TOO_LARGE',
            `record ${recordsBefore + 1} is larger than ${error.maxRecordBytes} bytes`,
            recordsBefore + 1,
          ),
      });
    else throw error;
  }

  /** The body is as long as announced and hashes to the signed digest; returns the digest. */
  private checkBytes(): Buffer {
    const { expectedLength, expectedDigest } = this.options;
    if (expectedLength !== null && this.byteCount !== expectedLength) {
      throw new ProblemError(
        'UPLOAD_TRUNCATED',
        `received ${this.byteCount} of the ${expectedLength} bytes announced by Content-Length`,
      );
    }
    const digest = this.hash.digest();
    // The signature covers the digest, not the bytes: bytes that do not hash to it were not what was signed.
    if (!timingSafeEqual(digest, expectedDigest)) {
      throw new ProblemError(
        'CONTENT_DIGEST_MISMATCH',
        `the body hashes to sha-256 ${digest.toString('hex')}, not to the signed Content-Digest`,
      );
    }
    return digest;
  }

  /** Every record is JSON, small enough, and valid under the schema. */
  private checkRecords(): void {
    const { formatError, errors, truncated } = this.verdicts;
    if (formatError !== null) {
      throw new ProblemError(formatError.code, formatError.message, { record: formatError.record });
    }
    if (errors.length === 0) return;
    throw new ProblemError('RECORDS_INVALID', recordsInvalidDetail(errors, truncated), {
      errors: errors.map((e) => ({ record: e.record, pointer: e.pointer, message: e.message })),
      truncated,
    });
  }
}

/** How many records failed, with how many errors, the first of them, and whether the listing was cut. */
function recordsInvalidDetail(errors: readonly RecordError[], truncated: boolean): string {
  const first = errors[0]!;
  const records = new Set(errors.map((e) => e.record)).size;
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const subject = truncated
    ? `more than ${plural(errors.length, 'error')} in at least ${plural(records, 'record')}`
    : `${plural(errors.length, 'error')} in ${plural(records, 'record')}`;
  const cut = truncated
    ? `; only the first ${errors.length} are listed (maxErrors), checking stopped there`
    : '';
  return `${subject}: record ${first.record} ${first.pointer || '(the record)'} ${first.message}${cut}`;
}

export type { RecordError } from './ordered-verdicts.js';
