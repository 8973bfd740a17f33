/**
 * A validation worker (see record-validation-pool.ts): checks batches of
 * records with checkBatch, against schemas it compiles once with the same
 * RecordSchemas as the main thread and caches by digest.
 */
import { parentPort } from 'node:worker_threads';
import type { JsonObject } from '../../domain/shared/json.js';
import { checkBatch } from './record-batch.js';
import { RecordSchemas } from './record-schemas.js';

export interface ValidationJob {
  readonly id: number;
  readonly digest: string;
  /** Sent when the pool does not know this worker to have the schema compiled already. */
  readonly schema: JsonObject | null;
  readonly bytes: Uint8Array;
  readonly ranges: Int32Array | null;
  readonly maxErrors: number;
  readonly maxRecordBytes: number;
}

const port = parentPort;
if (port === null) throw new Error('record-validation-worker runs as a worker thread');
const schemas = new RecordSchemas();

port.on('message', (job: ValidationJob) => {
  try {
    let validate = schemas.compiled(job.digest);
    if (validate === undefined) {
      if (job.schema === null) throw new Error(`schema ${job.digest} is not compiled in this worker`);
      const checked = schemas.check(job.schema);
      if (checked.digest !== job.digest) throw new Error(`schema digest ${checked.digest} ≠ ${job.digest}`);
      validate = checked.validate;
    }
    const bytes = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
    const verdict = checkBatch({ bytes, ranges: job.ranges }, validate, job);
    port.postMessage({ id: job.id, verdict });
  } catch (error) {
    port.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) });
  }
});
