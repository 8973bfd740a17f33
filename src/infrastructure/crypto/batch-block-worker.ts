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
/**
 * The record keys of a batch (batch-record-key.ts), asked for once its digests are in: entry i is
 * key × 2^20 + i, key the first 32 bits, big-endian, of SHA-256("chancery/batch-record\n" ‖ batch id ‖
 * "\n" ‖ i in decimal), as BatchRecordKeys.fillTo computes them. Computed here while the node appends the
 * batch, so that its projection need not hash a million ids on the event loop.
 */
export interface KeysJob {
  readonly batchId: string;
  /** count entries to fill; transferred there and back. */
  readonly entries: Float64Array<ArrayBuffer>;
}

export const BLOCK_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { hash } = require('node:crypto');
const answers = workerData.answers;
const leafInput = Buffer.alloc(33, 0x00);
const nodeInput = Buffer.alloc(65, 0x01);
function recordKeys(job) {
  const prefix = Buffer.from('chancery/batch-record\\n' + job.batchId + '\\n', 'utf8');
  const input = Buffer.alloc(prefix.length + 16);
  prefix.copy(input);
  const entries = job.entries;
  for (let index = 0; index < entries.length; index++) {
    let digits = 1;
    for (let rest = Math.floor(index / 10); rest > 0; rest = Math.floor(rest / 10)) digits++;
    for (let i = prefix.length + digits - 1, n = index; i >= prefix.length; i--, n = Math.floor(n / 10))
      input[i] = 0x30 + (n % 10);
    const d = hash('sha256', input.subarray(0, prefix.length + digits), 'binary');
    const key = d.charCodeAt(0) * 2 ** 24 + ((d.charCodeAt(1) << 16) | (d.charCodeAt(2) << 8) | d.charCodeAt(3));
    entries[index] = key * 2 ** 20 + index;
  }
  answers.postMessage(job, [entries.buffer]);
}
parentPort.on('message', (job) => {
  if ('batchId' in job) return recordKeys(job);
  const { digests, hashes } = job;
  const count = digests.length / 32;
  // Hashes as latin1 strings, written into the buffers: a Buffer per hash is memory this thread's
  // allocator keeps, beside the node's, until long after the batch.
  const slots = Buffer.from(hashes.buffer, hashes.byteOffset, hashes.byteLength);
  // The complete subtrees not yet paired, lowest level on top: a binary counter of the leaves.
  const pending = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    leafInput.set(digests.subarray(i * 32, i * 32 + 32), 1);
    let node = hash('sha256', leafInput, 'latin1');
    slots.write(node, at, 'latin1');
    at += 32;
    for (let n = i; n % 2 === 1; n = (n - 1) / 2) {
      nodeInput.write(pending.pop(), 1, 'latin1');
      nodeInput.write(node, 33, 'latin1');
      node = hash('sha256', nodeInput, 'latin1');
      slots.write(node, at, 'latin1');
      at += 32;
    }
    pending.push(node);
  }
  answers.postMessage(job, [digests.buffer, hashes.buffer]);
});
`;
