import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  BatchRootPipeline,
  BLOCK_LEAVES,
} from '../../../src/cli/commands/certify-bulk/batch-root-pipeline.js';
import { batchRootHex } from '../../../src/cli/commands/certify-bulk/batch-tree.js';

/**
 * The root hashed in blocks on a worker thread while digests arrive equals the root hashed in one
 * pass, for counts around whole blocks, offered in reads of any size or not at all.
 */

/** Offers `packed` as a reader would: `step` digests more each time, in a buffer that grows. */
async function pipelineRoot(packed: Buffer, count: number, step: number): Promise<string> {
  const pipeline = new BatchRootPipeline();
  try {
    for (let read = step; read < count; read += step) {
      // A fresh buffer each time, as the manifest reader's grows: blocks must be copied when offered.
      pipeline.offer(Buffer.from(packed.subarray(0, read * 32)), read);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return await pipeline.root(packed, count);
  } finally {
    pipeline.close();
  }
}

describe('BatchRootPipeline', () => {
  const packed = randomBytes((5 * BLOCK_LEAVES + 100) * 32);

  it('gives batchRootHex for counts around whole blocks', async () => {
    for (const count of [
      1,
      3,
      BLOCK_LEAVES - 1,
      BLOCK_LEAVES,
      2 * BLOCK_LEAVES,
      2 * BLOCK_LEAVES + 1,
      3 * BLOCK_LEAVES - 1,
      5 * BLOCK_LEAVES + 100,
    ]) {
      const digests = packed.subarray(0, count * 32);
      const expected = batchRootHex(digests, count);
      expect(await pipelineRoot(digests, count, 50_000), `count ${count}`).toBe(expected);
      expect(await new BatchRootPipeline().root(digests, count), `count ${count}, nothing offered`).toBe(
        expected,
      );
    }
  }, 120_000);

  it('hashes every block itself once closed (a failed worker) and still gives the root', async () => {
    const count = 3 * BLOCK_LEAVES + 7;
    const digests = packed.subarray(0, count * 32);
    const pipeline = new BatchRootPipeline();
    pipeline.offer(digests, count);
    pipeline.close();
    expect(await pipeline.root(digests, count)).toBe(batchRootHex(digests, count));
  }, 60_000);
});
