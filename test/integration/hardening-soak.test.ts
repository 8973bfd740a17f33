import { describe, expect, it } from 'vitest';
import { runSoak } from '../../bench/soak-run.js';

/**
 * The 3-kill version of `npm run soak` (bench/soak-run.ts): SIGKILL under
 * concurrent certify, bulk certification and dataset upload load; after every
 * restart every acknowledged write is present and provable (proof bundles
 * verify, batches read back, dataset bytes hash to the acknowledged digest)
 * and the checkpoint is consistent with the last.
 */
describe('soak (3 kills)', () => {
  it('loses no acknowledged write and keeps every checkpoint consistent across kill -9', async () => {
    const counts = await runSoak({ kills: 3, writers: 4 });
    expect(counts.kills).toBe(3);
    // Each kind of load got writes acknowledged (and so checked) before the kills.
    expect(counts.certifications).toBeGreaterThan(3);
    expect(counts.batches).toBeGreaterThan(0);
    expect(counts.uploads).toBeGreaterThan(0);
    expect(counts.acknowledged).toBe(counts.certifications + counts.batches + counts.uploads);
    expect(counts.proofsChecked).toBe(counts.certifications);
    expect(counts.batchesChecked).toBe(counts.batches);
    // Every version is read back after every later restart.
    expect(counts.uploadsChecked).toBeGreaterThanOrEqual(counts.uploads);
    expect(counts.checkpointsChecked).toBe(3);
  }, 180_000);
});
