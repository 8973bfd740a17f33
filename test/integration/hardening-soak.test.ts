import { describe, expect, it } from 'vitest';
import { runSoak } from '../../bench/soak-run.js';

/**
 * The 3-kill version of `npm run soak` (bench/soak-run.ts): SIGKILL under
 * concurrent certify load; after every restart every acknowledged write is
 * present and provable and the checkpoint is consistent with the last.
 */
describe('soak (3 kills)', () => {
  it('loses no acknowledged write and keeps every checkpoint consistent across kill -9', async () => {
    const counts = await runSoak({ kills: 3, writers: 4 });
    expect(counts.kills).toBe(3);
    expect(counts.acknowledged).toBeGreaterThan(3);
    expect(counts.proofsChecked).toBe(counts.acknowledged);
    expect(counts.checkpointsChecked).toBe(3);
  }, 180_000);
});
