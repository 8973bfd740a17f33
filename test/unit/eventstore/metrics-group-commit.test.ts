/**
 * The group-commit observer behind chancery_store_group_commit_size: it is told
 * each committed batch's size, and an observer that throws never turns a
 * committed batch into rejected appends (metrics must not cost a write).
 */

import { describe, expect, it } from 'vitest';
import { GroupCommitQueue } from '../../../src/infrastructure/eventstore/group-commit.js';

function queue() {
  return new GroupCommitQueue<number, number>((batch) =>
    batch.map((n) => ({ ok: true as const, value: n * 2 })),
  );
}

describe('GroupCommitQueue.observe', () => {
  it('reports each batch with the number of requests committed together', async () => {
    const q = queue();
    const sizes: number[] = [];
    q.observe((size, durationMs) => {
      sizes.push(size);
      expect(durationMs).toBeGreaterThanOrEqual(0);
    });
    expect(await Promise.all([q.enqueue(1), q.enqueue(2), q.enqueue(3)])).toEqual([2, 4, 6]);
    expect(await q.enqueue(4)).toBe(8);
    expect(sizes).toEqual([3, 1]);
  });

  it('still resolves the committed appends when an observer throws', async () => {
    const q = queue();
    q.observe(() => {
      throw new Error('a broken metric');
    });
    await expect(Promise.all([q.enqueue(5), q.enqueue(6)])).resolves.toEqual([10, 12]);
  });

  it('is not told about a batch whose commit failed', async () => {
    const q = new GroupCommitQueue<number, number>(() => {
      throw new Error('disk full');
    });
    const sizes: number[] = [];
    q.observe((size) => sizes.push(size));
    await expect(q.enqueue(1)).rejects.toThrow('disk full');
    expect(sizes).toEqual([]);
  });
});
