/**
 * The batch root of a large manifest, hashed on a second core while the manifest is still being read
 * (issue 14: two million hashes were the largest part of certify-bulk's own time, and the CLI's
 * thread is busy parsing meanwhile). The digests are cut into blocks of 2^16; a worker thread hashes
 * whole blocks as they are read, the CLI's thread shares the blocks left once reading is done, and
 * the block roots and the last leaves are folded into the root by TreeEdge (tree-edge.ts says why
 * that is RFC 6962's root). Nothing is started for a batch smaller than two blocks, and a worker that
 * fails only costs its blocks being hashed here instead.
 */

import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../../../infrastructure/workers/module-worker.js';
import type { BlockAnswer, BlockJob } from './subtree-root-worker.js';
import { DIGEST_SIZE, subtreeRoot, TreeEdge } from './tree-edge.js';

/** Leaves per block: 2 MiB of digests, some 0.1 s of hashing. */
export const BLOCK_LEAVES = 1 << 16;
/** Blocks the worker is given ahead: enough that it never waits, few enough to share at the end. */
const AHEAD = 2;

function spawn(): Worker {
  return startModuleWorker(import.meta.url, 'subtree-root-worker');
}

export class BatchRootPipeline {
  private worker: Worker | null = null;
  private broken = false;
  /** Block roots by block number, latin1; undefined while not hashed. */
  private readonly roots: (string | undefined)[] = [];
  /** Blocks sent to the worker and not answered, by block number. */
  private readonly outstanding = new Set<number>();
  /** Blocks handed out so far (from the front), to the worker or hashed here. */
  private front = 0;
  private wake: (() => void) | null = null;
  private answered = 0;

  /**
   * Blocks whose root the worker hashed. A worker that cannot start costs nothing but time (its blocks
   * are hashed here), so this is how a test tells that the second core was used at all.
   */
  get blocksFromWorker(): number {
    return this.answered;
  }

  /** Gives the worker blocks of the digests read so far (count of them, in `packed`). */
  offer(packed: Uint8Array, count: number): void {
    const complete = Math.floor(count / BLOCK_LEAVES);
    if (complete < 2 && this.worker === null) return;
    while (this.front < complete && this.outstanding.size < AHEAD && this.post(packed, this.front))
      this.front++;
  }

  /** The lower-case hex root of all `count` digests in `packed`; stops the worker. */
  async root(packed: Uint8Array, count: number): Promise<string> {
    try {
      const bytes = Buffer.from(packed.buffer, packed.byteOffset, count * DIGEST_SIZE);
      const complete = Math.floor(count / BLOCK_LEAVES);
      // Share the blocks left: the worker takes them from the front, this thread from the back.
      let back = complete;
      while (this.front < back) {
        this.offer(packed, count);
        if (this.front >= back) break;
        back--;
        this.roots[back] = subtreeRoot(bytes, back * BLOCK_LEAVES, BLOCK_LEAVES);
        await new Promise((resolve) => setImmediate(resolve));
      }
      while (this.outstanding.size > 0 && !this.broken)
        await new Promise<void>((resolve) => (this.wake = resolve));
      const edge = new TreeEdge();
      for (let block = 0; block < complete; block++) {
        // A block the worker never answered (it failed) is hashed here.
        this.roots[block] ??= subtreeRoot(bytes, block * BLOCK_LEAVES, BLOCK_LEAVES);
        edge.addSubtree(this.roots[block]!, BLOCK_LEAVES);
      }
      edge.addLeaves(bytes, complete * BLOCK_LEAVES, count);
      return Buffer.from(edge.root(), 'latin1').toString('hex');
    } finally {
      this.close();
    }
  }

  /** Stops the worker, if any (also when the manifest turned out bad). */
  close(): void {
    if (this.worker !== null) void this.worker.terminate();
    this.worker = null;
    this.broken = true;
    this.wake?.();
  }

  /** Sends block `block` to the worker; false when there is no working worker. */
  private post(packed: Uint8Array, block: number): boolean {
    if (this.broken) return false;
    if (this.worker === null) this.start();
    const from = block * BLOCK_LEAVES * DIGEST_SIZE;
    // A copy (not a Buffer view, whose memory may be shared), transferred: `packed` may be grown meanwhile.
    const digests = new Uint8Array(packed.subarray(from, from + BLOCK_LEAVES * DIGEST_SIZE));
    const job: BlockJob = { id: block, digests };
    this.worker!.postMessage(job, [digests.buffer]);
    this.outstanding.add(block);
    return true;
  }

  private start(): void {
    const worker = spawn();
    worker.on('message', (answer: BlockAnswer) => {
      this.roots[answer.id] = answer.root;
      this.outstanding.delete(answer.id);
      this.answered++;
      this.wake?.();
    });
    // Its blocks are hashed on this thread instead (root() hashes any block left without a root).
    const lost = () => {
      this.broken = true;
      this.outstanding.clear();
      this.wake?.();
    };
    worker.on('error', lost);
    // An exit with blocks outstanding (it was stopped from outside) must not leave root() waiting.
    worker.on('exit', lost);
    this.worker = worker;
  }
}
