/**
 * The worker thread of parallel-digest-intake.ts, as the source it is started from: for each block of
 * a batch's digests it is sent, it fills the buffer sent along with the stored hashes of the block's
 * own RFC 6962 tree (what StoredHashBuilder holds after the block's leaves: each leaf's hash, then
 * each subtree it completes, the block's root last), through node:crypto, and sends both back.
 *
 * Plain JavaScript needing nothing but node:, so the thread starts bare and small: a worker importing
 * our TypeScript would boot a TypeScript loader of its own whenever the node runs from source. Every
 * hash it returns is checked: the root over them must equal the signed one (and the tests compare
 * every slot with StoredHashBuilder's).
 */

/** A block to hash, and where to put its hashes; both buffers are transferred there and back. */
export interface BlockJob {
  readonly id: number;
  /** One block's digests, end to end: a power-of-two count × 32 bytes. */
  readonly digests: Uint8Array<ArrayBuffer>;
  /** Room for its stored hashes: (2 × count − 1) × 32 bytes, filled with them, the block's root last. */
  readonly hashes: Uint8Array<ArrayBuffer>;
}

/**
 * The worker's source. It takes jobs on its parent port and answers on the port it is given in
 * workerData, so that the intake can take the answers synchronously (receiveMessageOnPort) while its
 * event loop is busy reading the upload.
 */
export const BLOCK_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { hash } = require('node:crypto');
const answers = workerData.answers;
const leafInput = Buffer.alloc(33, 0x00);
const nodeInput = Buffer.alloc(65, 0x01);
parentPort.on('message', (job) => {
  const { digests, hashes } = job;
  const count = digests.length / 32;
  // The complete subtrees not yet paired, lowest level on top: a binary counter of the leaves.
  const pending = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    leafInput.set(digests.subarray(i * 32, i * 32 + 32), 1);
    let node = hash('sha256', leafInput, 'buffer');
    hashes.set(node, at);
    at += 32;
    for (let n = i; n % 2 === 1; n = (n - 1) / 2) {
      nodeInput.set(pending.pop(), 1);
      nodeInput.set(node, 33);
      node = hash('sha256', nodeInput, 'buffer');
      hashes.set(node, at);
      at += 32;
    }
    pending.push(node);
  }
  answers.postMessage(job, [digests.buffer, hashes.buffer]);
});
`;
