/**
 * A streamed batch's digest list taken in (domain/certification/batch-digest-intake.ts:
 * one buffer sized by the signed count, refused at the first byte too many or
 * short at the end), hashed into the RFC 6962 root and the tree's stored
 * hashes exactly as leaf by leaf, with the hashing shared by a second core.
 * Checking the root of a million digests is two million SHA-256 calls, the
 * largest part of a bulk upload's time in the node, on one thread while the
 * machine's other core sat idle (issue 14).
 *
 * The digests are cut into aligned blocks of BLOCK_LEAVES. Each block whose
 * bytes are all in is hashed into its own subtree's stored hashes, written
 * straight into the batch tree's slots for it (an aligned subtree's slots are
 * contiguous): by a worker thread while one of its AHEAD buffer pairs is free,
 * else here, at once. The blocks are added to the tree in order (addSubtree),
 * and the leaves after the last whole block one by one, so the root and every
 * stored hash are exactly those of hashing leaf by leaf. A worker that cannot
 * start or fails costs only time: its blocks are hashed here. No worker is
 * started for a batch of fewer than two blocks. The worker's buffers go there
 * and back (transferred), so a batch allocates nothing per block: a buffer a
 * block, freed only by the garbage collector, added some 70 MiB to the node's
 * peak RSS on a million-record batch.
 */

import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import {
  type PackedDigests,
  requireWholeCount,
  requireWithinCount,
} from '../../domain/certification/batch-digest-intake.js';
import { toHex } from '../../domain/crypto/hex.js';
import { HASH_SIZE } from '../../domain/log/rfc6962.js';
import { StoredHashBuilder } from '../../domain/log/stored-hash-builder.js';
import { BLOCK_WORKER_SOURCE, type BlockJob, type KeysJob } from './batch-block-worker.js';
import { NODE_TREE_HASHER } from './node-hashes.js';
import { encodeBase64Natively } from './strict-base64.js';

/** Leaves per block: 2^13, 256 KiB of digests, some 15 ms of hashing, so one block here holds the event loop briefly. */
export const BLOCK_LEVEL = 13;
const BLOCK_LEAVES = 2 ** BLOCK_LEVEL;
const BLOCK_BYTES = BLOCK_LEAVES * HASH_SIZE;
const BLOCK_HASH_BYTES = (2 * BLOCK_LEAVES - 1) * HASH_SIZE;
/** Blocks the worker may have in hand (a buffer pair each): enough that it never waits for the next one. */
const AHEAD = 4;
/**
 * Intakes with a worker thread at once, over the whole node: one per core beside the event loop's.
 * Uploads beyond them hash on the event loop, as a small batch does, so that a hundred uploads at
 * once never start a hundred threads.
 */
export const MAX_INTAKE_WORKERS = Math.max(1, availableParallelism() - 1);
let intakeWorkers = 0;
/** The worker's heap, kept small: it holds a few blocks and a few thousand hashes at a time. */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 };

/** A batch's record keys computed off the event loop: null until they are all in. */
export interface PrecomputedKeys {
  readonly batchId: string;
  entries: Float64Array | null;
}

export class ParallelDigestIntake {
  readonly #packed: Uint8Array;
  readonly #tree: StoredHashBuilder;
  #received = 0;
  /** Blocks handed out (to the worker or hashed here), from the front. */
  #dispatched = 0;
  /** Blocks whose hashes are in the tree's slots but which are not yet added to it. */
  readonly #hashed = new Set<number>();
  /** Blocks sent to the worker and not answered. */
  readonly #outstanding = new Set<number>();
  /** The worker's buffer pairs not in its hands. */
  readonly #free: { digests: Uint8Array<ArrayBuffer>; hashes: Uint8Array<ArrayBuffer> }[] = [];
  #pairs = 0;
  #worker: Worker | null = null;
  /** This intake holds one of the MAX_INTAKE_WORKERS. */
  #holdsWorker = false;
  /** Where the worker's answers arrive. */
  #answers: MessagePort | null = null;
  /** The record keys asked for, filled when the worker answers. */
  #keys: PrecomputedKeys | null = null;
  #broken: boolean;
  #wake: (() => void) | null = null;
  /** Blocks the worker hashed: a test tells from it that the second core was used at all. */
  blocksFromWorker = 0;

  /** `signedCount` is the command's count: the list may be neither longer nor, at finish, shorter. */
  constructor(private readonly signedCount: number) {
    this.#packed = new Uint8Array(signedCount * HASH_SIZE);
    this.#tree = new StoredHashBuilder(signedCount, NODE_TREE_HASHER);
    this.#broken = signedCount < 2 * BLOCK_LEAVES;
  }

  /** Bytes taken so far. */
  get byteCount(): number {
    return this.#received;
  }

  /** Takes the next bytes (any split); throws BATCH_COUNT_MISMATCH as soon as they exceed the signed count. */
  push(chunk: Uint8Array): void {
    requireWithinCount(this.signedCount, this.#received + chunk.length);
    this.#packed.set(chunk, this.#received);
    this.#received += chunk.length;
    const complete = Math.floor(this.#received / BLOCK_BYTES);
    while (this.#dispatched < complete) {
      const block = this.#dispatched++;
      if (!this.#post(block)) this.#hashHere(block);
    }
    this.#fold();
  }

  /** The whole list and its tree; throws BATCH_COUNT_MISMATCH unless it is exactly the signed count. */
  async finish(): Promise<PackedDigests> {
    requireWholeCount(this.signedCount, this.#received);
    while (this.#outstanding.size > 0 && !this.#broken)
      await new Promise<void>((resolve) => (this.#wake = resolve));
    // A block the worker never answered (it failed) is hashed here.
    for (const block of this.#outstanding) this.#hashHere(block);
    this.#outstanding.clear();
    this.#fold();
    for (let at = this.#dispatched * BLOCK_BYTES; at < this.#packed.length; at += HASH_SIZE)
      this.#tree.add(NODE_TREE_HASHER.leafHash(this.#packed.subarray(at, at + HASH_SIZE)));
    return {
      packed: this.#packed,
      count: this.signedCount,
      root: toHex(this.#tree.root()),
      storedHashes: this.#tree.hashes,
      encodeBase64: encodeBase64Natively,
    };
  }

  /**
   * Has the worker compute the batch's record keys (KeysJob) while the caller goes on: `entries` of the
   * answer is filled once they are in, and stays null without a working worker. The keys depend on the
   * batch id alone, which the signed command fixes before any digest is read.
   */
  recordKeys(batchId: string): PrecomputedKeys {
    const keys: PrecomputedKeys = { batchId, entries: null };
    if (this.#broken || this.#worker === null) return keys;
    const job: KeysJob = { batchId, entries: new Float64Array(this.signedCount) };
    this.#keys = keys;
    this.#worker.postMessage(job, [job.entries.buffer]);
    return keys;
  }

  /** Stops the worker, if any; every upload must call it once done with the intake. */
  close(): void {
    if (this.#worker !== null) void this.#worker.terminate();
    this.#releaseWorker();
    this.#answers?.close();
    this.#answers = null;
    this.#worker = null;
    this.#broken = true;
    this.#free.length = 0;
    this.#wake?.();
  }

  #releaseWorker(): void {
    if (!this.#holdsWorker) return;
    this.#holdsWorker = false;
    intakeWorkers--;
  }

  #blockBytes(block: number): Uint8Array {
    return this.#packed.subarray(block * BLOCK_BYTES, (block + 1) * BLOCK_BYTES);
  }

  #slots(block: number): Uint8Array {
    return this.#tree.slotsOfSubtree(BLOCK_LEVEL, block * BLOCK_LEAVES);
  }

  /** Hashes a block here, straight into its slots of the batch's tree, to be added to it in order by #fold. */
  #hashHere(block: number): void {
    const digests = this.#blockBytes(block);
    const subtree = new StoredHashBuilder(BLOCK_LEAVES, NODE_TREE_HASHER, this.#slots(block));
    for (let at = 0; at < digests.length; at += HASH_SIZE)
      subtree.add(NODE_TREE_HASHER.leafHash(digests.subarray(at, at + HASH_SIZE)));
    this.#hashed.add(block);
  }

  /** Adds the hashed blocks that come next to the tree, in order. */
  #fold(): void {
    for (let next = this.#tree.leaves / BLOCK_LEAVES; this.#hashed.delete(next); next++)
      this.#tree.addSubtree(BLOCK_LEVEL, this.#slots(next));
  }

  /** Sends block `block` to the worker; false when there is none working or it has AHEAD in hand. */
  #post(block: number): boolean {
    if (this.#broken) return false;
    if (this.#worker === null) {
      if (intakeWorkers >= MAX_INTAKE_WORKERS || !this.#start()) {
        this.#broken = true;
        return false;
      }
    }
    // The answers that are in, taken now: while the upload streams in, this thread's event loop may not
    // turn between chunks, and a worker whose answers wait has no buffer for its next block.
    for (let answer = this.#take(); answer !== undefined; answer = this.#take()) this.#answered(answer);
    if (this.#free.length === 0 && this.#pairs < AHEAD) {
      this.#free.push({ digests: new Uint8Array(BLOCK_BYTES), hashes: new Uint8Array(BLOCK_HASH_BYTES) });
      this.#pairs++;
    }
    const pair = this.#free.pop();
    if (pair === undefined) return false;
    // A copy: the worker never sees the buffer the upload keeps filling.
    pair.digests.set(this.#blockBytes(block));
    const job: BlockJob = { id: block, ...pair };
    this.#worker!.postMessage(job, [pair.digests.buffer, pair.hashes.buffer]);
    this.#outstanding.add(block);
    return true;
  }

  #take(): BlockJob | KeysJob | undefined {
    return this.#answers === null ? undefined : receiveMessageOnPort(this.#answers)?.message;
  }

  /** A block the worker hashed: its hashes into the tree's slots, its buffers free again. Or the keys. */
  #answered(job: BlockJob | KeysJob): void {
    if ('batchId' in job) {
      if (this.#keys?.batchId === job.batchId) this.#keys.entries = job.entries;
      // The keys are the worker's last job: its memory goes back before the batch's append peaks.
      this.close();
      return;
    }
    if (!this.#outstanding.delete(job.id)) return;
    this.#slots(job.id).set(job.hashes);
    this.#hashed.add(job.id);
    this.#free.push({ digests: job.digests, hashes: job.hashes });
    this.blocksFromWorker++;
  }

  /** Starts this intake's worker; false when the thread cannot be made (the blocks are hashed here). */
  #start(): boolean {
    const channel = new MessageChannel();
    let worker: Worker;
    try {
      worker = new Worker(BLOCK_WORKER_SOURCE, {
        eval: true,
        workerData: { answers: channel.port2 },
        transferList: [channel.port2],
        resourceLimits: WORKER_LIMITS,
      });
    } catch {
      channel.port1.close();
      return false;
    }
    intakeWorkers++;
    this.#holdsWorker = true;
    channel.port1.on('message', (job: BlockJob | KeysJob) => {
      this.#answered(job);
      this.#fold();
      this.#wake?.();
    });
    // Its blocks are hashed here instead (finish() hashes any block left unanswered).
    const lost = () => {
      this.#broken = true;
      this.#releaseWorker();
      this.#wake?.();
    };
    worker.on('error', lost);
    // An exit with blocks outstanding (stopped from outside) must not leave finish() waiting.
    worker.on('exit', lost);
    this.#worker = worker;
    this.#answers = channel.port1;
    return true;
  }
}
