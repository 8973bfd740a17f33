import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { JsonObject } from '../../domain/shared/json.js';
import { startModuleWorker } from '../../infrastructure/workers/module-worker.js';
import type { BatchLimits, BatchVerdict, RecordBatch } from './record-batch.js';
import { MAX_CACHED_SCHEMAS } from './record-schemas.js';
import type { ValidationJob } from './record-validation-worker.js';

/** What a worker needs to compile a schema: its digest (the cache key) and the schema. */
export interface SchemaSource {
  readonly digest: string;
  readonly source: JsonObject;
}

interface Pending {
  readonly resolve: (verdict: BatchVerdict) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  /**
   * Digests this worker has compiled, least recently used first. Half the
   * worker's own cache and touched in the same order (jobs are handled in the
   * order sent), so every digest here is still in the worker's cache.
   */
  readonly known: Map<string, true>;
}

const KNOWN_SCHEMAS = Math.floor(MAX_CACHED_SCHEMAS / 2);

function spawn(): Worker {
  return startModuleWorker(import.meta.url, 'record-validation-worker');
}

/**
 * Worker threads that parse and validate batches of upload records in
 * parallel (record-batch.ts), so a large upload uses every core while the
 * main thread reads, hashes and writes. Started on first use, one per core
 * (at most 4); a worker is referenced only while it has work, and all of them
 * stop after idleMs without any. A worker that fails rejects its batches (the
 * upload fails, nothing is stored) and is replaced on the next batch.
 */
export class RecordValidationPool {
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly size = Math.max(1, Math.min(4, availableParallelism())),
    private readonly idleMs = 30_000,
  ) {}

  /** Checks one batch in a worker; `bytes` is transferred (the caller must not use it afterwards). */
  check(schema: SchemaSource, batch: RecordBatch, limits: BatchLimits): Promise<BatchVerdict> {
    if (this.idleTimer !== null) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    const slot = this.pick();
    const id = this.nextId++;
    const knows = slot.known.delete(schema.digest);
    slot.known.set(schema.digest, true);
    if (slot.known.size > KNOWN_SCHEMAS) slot.known.delete(slot.known.keys().next().value!);
    // Only a buffer that is the whole of its memory can be transferred without taking others' bytes along.
    const { bytes } = batch;
    const owned =
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : Buffer.from(bytes);
    const job: ValidationJob = {
      id,
      digest: schema.digest,
      schema: knows ? null : schema.source,
      bytes: owned,
      ranges: batch.ranges,
      maxErrors: limits.maxErrors,
      maxRecordBytes: limits.maxRecordBytes,
    };
    return new Promise<BatchVerdict>((resolve, reject) => {
      if (slot.pending.size === 0) slot.worker.ref();
      slot.pending.set(id, { resolve, reject });
      const transfer: ArrayBuffer[] = [owned.buffer as ArrayBuffer];
      if (batch.ranges !== null) transfer.push(batch.ranges.buffer as ArrayBuffer);
      slot.worker.postMessage(job, transfer);
    });
  }

  /** Workers running now (tests). */
  get running(): number {
    return this.slots.length;
  }

  async close(): Promise<void> {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => this.retire(s, new Error('validation pool closed'))));
  }

  private pick(): Slot {
    let best: Slot | undefined;
    for (const slot of this.slots)
      if (best === undefined || slot.pending.size < best.pending.size) best = slot;
    if (best !== undefined && (best.pending.size === 0 || this.slots.length >= this.size)) return best;
    const worker = spawn();
    const slot: Slot = { worker, pending: new Map(), known: new Map() };
    worker.unref();
    worker.on('message', (message: { id: number; verdict?: BatchVerdict; error?: string }) => {
      const pending = slot.pending.get(message.id);
      if (pending === undefined) return;
      slot.pending.delete(message.id);
      if (slot.pending.size === 0) {
        worker.unref();
        this.idleSoon();
      }
      if (message.verdict !== undefined) pending.resolve(message.verdict);
      else pending.reject(new Error(`record validation worker: ${message.error ?? 'no verdict'}`));
    });
    const fail = (error: Error) => {
      const at = this.slots.indexOf(slot);
      if (at >= 0) this.slots.splice(at, 1);
      void this.retire(slot, error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`record validation worker exited with code ${code}`)));
    this.slots.push(slot);
    return slot;
  }

  private async retire(slot: Slot, error: Error): Promise<void> {
    const pending = [...slot.pending.values()];
    slot.pending.clear();
    for (const p of pending) p.reject(error);
    await slot.worker.terminate();
  }

  private idleSoon(): void {
    if (this.idleTimer !== null || this.slots.some((s) => s.pending.size > 0)) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.slots.some((s) => s.pending.size > 0)) return;
      void this.close();
    }, this.idleMs);
    this.idleTimer.unref();
  }
}

let shared: RecordValidationPool | null = null;

/** The process's validation pool: its workers are stateless but for compiled schemas, so nodes share it. */
export function sharedRecordValidationPool(): RecordValidationPool {
  shared ??= new RecordValidationPool();
  return shared;
}
