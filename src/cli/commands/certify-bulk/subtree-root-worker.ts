/**
 * A worker thread of batch-root-pipeline.ts: the root of each block of digests it is sent. Imports
 * only tree-edge.ts (node:crypto), so it starts in milliseconds.
 */
import { parentPort } from 'node:worker_threads';
import { DIGEST_SIZE, subtreeRoot } from './tree-edge.js';

export interface BlockJob {
  readonly id: number;
  /** One block of digests, end to end: a power-of-two count × 32 bytes. */
  readonly digests: Uint8Array;
}

export interface BlockAnswer {
  readonly id: number;
  /** The block's subtree root, latin1. */
  readonly root: string;
}

const port = parentPort;
if (port === null) throw new Error('subtree-root-worker runs as a worker thread');

port.on('message', (job: BlockJob) => {
  const digests = Buffer.from(job.digests.buffer, job.digests.byteOffset, job.digests.byteLength);
  const answer: BlockAnswer = { id: job.id, root: subtreeRoot(digests, 0, digests.length / DIGEST_SIZE) };
  port.postMessage(answer);
});
