import { createHash, timingSafeEqual } from 'node:crypto';
import type { DatasetMediaType } from '../../domain/directory/events.js';
import type { BlobDraft, BlobStore } from '../../infrastructure/blobs/blob-store.js';
import { ProblemError } from '../problems/problem.js';
import { type BatchVerdict, checkBatch, type RecordBatch } from './record-batch.js';
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
  /** How many invalid records to list before validation stops. */
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
/** Writes to the temporary blob go out in pieces of this size. */
const WRITE_BYTES = 1024 * 1024;

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
 * Verdicts on batches, merged in the order of the body whatever order the
 * workers answer in: the first maxErrors schema failures by record index, or
 * the first record that is not JSON (or too large) if it comes before them.
 * Once either is known nothing after it counts.
 */
class OrderedVerdicts {
  /** Records in the batches merged so far: the index of the next batch's first record. */
  records = 0;
  readonly errors: RecordError[] = [];
  formatError: RecordFormatError | null = null;
  private readonly queue: { done: boolean; outcome: Outcome | null; settled: Promise<void> }[] = [];

  constructor(private readonly maxErrors: number) {}

  get healthy(): boolean {
    return this.formatError === null && this.errors.length < this.maxErrors;
  }

  /** Queues a verdict (or a format error found while batching), in body order. */
  add(outcome: Outcome | Promise<Outcome>): void {
    if (!(outcome instanceof Promise)) {
      this.queue.push({ done: true, outcome, settled: Promise.resolve() });
      return;
    }
    const entry: { done: boolean; outcome: Outcome | null; settled: Promise<void> } = {
      done: false,
      outcome: null,
      settled: Promise.resolve(),
    };
    // Never rejects: a failed worker becomes an outcome, so an abandoned upload leaves no unhandled rejection.
    entry.settled = outcome.then(
      (o) => {
        entry.outcome = o;
        entry.done = true;
      },
      (error: unknown) => {
        entry.outcome = { failed: error };
        entry.done = true;
      },
    );
    this.queue.push(entry);
  }

  /** Merges the verdicts at the head of the queue that have arrived, without waiting. */
  mergeArrived(): void {
    while (this.queue[0]?.done === true) this.merge(this.queue.shift()!.outcome!);
  }

  /**
   * Waits until at most `left` batches are still being checked, and at most
   * 4 × left + 1 verdicts wait to be merged (0: everything merged). A worker
   * that is done gets its next batch even while an earlier batch, in another
   * worker, holds up the merge.
   */
  async settle(left: number): Promise<void> {
    this.mergeArrived();
    for (;;) {
      const busy = this.queue.filter((e) => !e.done);
      if (busy.length <= left && this.queue.length <= 4 * left + 1) return;
      await (busy.length > left ? Promise.race(busy.map((e) => e.settled)) : this.queue[0]!.settled);
      this.mergeArrived();
    }
  }

  private merge(outcome: Outcome): void {
    // Past the first failure nothing counts, not even a worker that died on a later batch.
    if (!this.healthy) return;
    if ('failed' in outcome) throw outcome.failed;
    if ('stop' in outcome) {
      this.formatError = outcome.stop(this.records);
      return;
    }
    const { verdict } = outcome;
    for (const e of verdict.errors) {
      if (verdict.malformed !== null && e.at >= verdict.malformed.at) break;
      this.errors.push({ index: this.records + e.at, pointer: e.pointer, message: e.message });
      if (this.errors.length >= this.maxErrors) return;
    }
    if (verdict.malformed !== null) {
      const index = this.records + verdict.malformed.at;
      this.formatError = new RecordFormatError(
        verdict.malformed.code,
        `record ${index} ${verdict.malformed.reason}`,
        index,
      );
      return;
    }
    this.records += verdict.records;
  }
}

type Outcome =
  | { verdict: BatchVerdict }
  /** A format error found while batching; given the records before it, which only the verdicts know. */
  | { stop: (recordsBefore: number) => RecordFormatError }
  | { failed: unknown };

/** Writes to the draft in pieces of WRITE_BYTES, one write in flight while the next piece fills. */
class DraftWriter {
  private piece = Buffer.allocUnsafeSlow(WRITE_BYTES);
  private used = 0;
  private inflight: Promise<unknown> | null = null;

  constructor(private readonly draft: BlobDraft) {}

  async write(chunk: Buffer): Promise<void> {
    let at = 0;
    while (at < chunk.length) {
      const n = Math.min(chunk.length - at, WRITE_BYTES - this.used);
      chunk.copy(this.piece, this.used, at, at + n);
      this.used += n;
      at += n;
      if (this.used === WRITE_BYTES) await this.flush();
    }
  }

  /** Starts writing what is buffered once the previous write is done; throws that write's error. */
  async flush(): Promise<void> {
    await this.wait();
    if (this.used === 0) return;
    const out = this.piece.subarray(0, this.used);
    this.piece = Buffer.allocUnsafeSlow(WRITE_BYTES);
    this.used = 0;
    // Caught at once and rethrown on the next wait, so a failed write is never an unhandled rejection.
    this.inflight = this.draft.write(out).then(
      () => null,
      (error: unknown) => ({ error }),
    );
  }

  async wait(): Promise<void> {
    const previous = await this.inflight;
    this.inflight = null;
    if (previous !== null && typeof previous === 'object' && 'error' in previous) throw previous.error;
  }

  /** Everything written. */
  async finish(): Promise<void> {
    await this.flush();
    await this.wait();
  }
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
  const hash = createHash('sha256');
  const draft = await options.blobs.draft();
  const writer = new DraftWriter(draft);
  const verdicts = new OrderedVerdicts(options.maxErrors);
  const pool = options.pool ?? null;
  const poolFrom = options.poolFromBytes ?? DEFAULT_POOL_FROM_BYTES;
  const limits = { maxErrors: options.maxErrors, maxRecordBytes: options.maxRecordBytes };
  /** Batches in the workers at most; the next chunk is read once fewer are (backpressure). */
  const inFlight = pool === null ? 1 : 2 * pool.size;
  let batched = 0;
  let byteCount = 0;
  /** Splitting stopped at a format error: the batcher's state is no longer usable. */
  let cut = false;

  const onBatch = (batch: RecordBatch) => {
    batched += batch.bytes.length;
    if (pool !== null && (batched >= poolFrom || (options.expectedLength ?? 0) >= poolFrom))
      verdicts.add(pool.check(options.schema, batch, limits).then((verdict) => ({ verdict })));
    else verdicts.add({ verdict: checkBatch(batch, options.schema.validate, limits) });
  };
  const batchBytes = options.batchBytes ?? DEFAULT_BATCH_BYTES;
  const batcher: RecordBatcher =
    options.mediaType === 'application/x-ndjson'
      ? ndjsonBatcher(onBatch, options.maxRecordBytes, batchBytes)
      : jsonArrayBatcher(onBatch, options.maxRecordBytes, batchBytes);
  const stopAt = (error: unknown) => {
    cut = true;
    if (error instanceof RecordFormatError) verdicts.add({ stop: () => error });
    else if (error instanceof LineTooLong)
      verdicts.add({
        stop: (index) =>
          new RecordFormatError(
            'RECORD_TOO_LARGE',
            `record ${index} is larger than ${error.maxRecordBytes} bytes`,
            index,
          ),
      });
    else throw error;
  };
  const healthy = () => !cut && verdicts.healthy;

  try {
    for await (const chunk of body) {
      byteCount += chunk.length;
      if (byteCount > options.maxBytes) {
        throw new ProblemError('BODY_TOO_LARGE', `the upload is larger than ${options.maxBytes} bytes`);
      }
      hash.update(chunk);
      verdicts.mergeArrived();
      if (!healthy()) continue;
      try {
        batcher.push(chunk);
      } catch (error) {
        stopAt(error);
      }
      if (healthy()) await writer.write(chunk);
      await verdicts.settle(inFlight - 1);
    }
    if (healthy()) {
      try {
        batcher.end();
      } catch (error) {
        stopAt(error);
      }
    }
    await verdicts.settle(0);
    const { formatError, errors } = verdicts;
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
    await writer.finish();
    const digestHex = digest.toString('hex');
    await draft.commit(digestHex);
    return { digest: digestHex, recordCount: verdicts.records, byteCount };
  } catch (error) {
    await writer.wait().catch(() => undefined);
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
