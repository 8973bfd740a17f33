import { describe, expect, it } from 'vitest';
import { MemoryReliefPolicy, startIdleMemoryRelief } from '../../../src/node/idle-memory-relief.js';

const MiB = 2 ** 20;

describe('MemoryReliefPolicy', () => {
  it('takes its first sample as the floor and collects only past the growth, when idle, spaced out', () => {
    const policy = new MemoryReliefPolicy(32 * MiB, 0.05, 30_000);
    expect(policy.shouldRelieve(0, 0, 100 * MiB)).toBe(false); // the floor
    expect(policy.shouldRelieve(2_000, 0, 120 * MiB)).toBe(false); // grown, but not enough
    expect(policy.shouldRelieve(4_000, 0.5, 140 * MiB)).toBe(false); // enough, but busy
    expect(policy.shouldRelieve(6_000, 0.01, 140 * MiB)).toBe(true); // enough and idle
    policy.relieved(6_000, 101 * MiB);
    expect(policy.shouldRelieve(8_000, 0, 140 * MiB)).toBe(false); // too soon after the last one
    expect(policy.shouldRelieve(36_000, 0, 140 * MiB)).toBe(true);
  });

  it('raises its floor to what a collection could not free, so live memory does not call for one at every pause', () => {
    const policy = new MemoryReliefPolicy(32 * MiB, 0.05, 0);
    policy.shouldRelieve(0, 0, 100 * MiB);
    expect(policy.shouldRelieve(1, 0, 200 * MiB)).toBe(true);
    policy.relieved(1, 190 * MiB); // the node really holds this now
    expect(policy.shouldRelieve(2, 0, 200 * MiB)).toBe(false);
    expect(policy.shouldRelieve(3, 0, 230 * MiB)).toBe(true);
  });

  it('follows the memory down: a lower sample is the new floor', () => {
    const policy = new MemoryReliefPolicy(32 * MiB, 0.05, 0);
    policy.shouldRelieve(0, 0, 100 * MiB);
    policy.shouldRelieve(1, 0, 60 * MiB);
    expect(policy.shouldRelieve(2, 0, 95 * MiB)).toBe(true);
  });
});

describe('startIdleMemoryRelief', () => {
  it('frees garbage an idle process would otherwise keep: external memory goes back down', async () => {
    const relief = startIdleMemoryRelief({ intervalMs: 50, growthBytes: 16 * MiB, minSpacingMs: 0 });
    try {
      await new Promise((r) => setTimeout(r, 120)); // the floor is sampled first
      const before = process.memoryUsage().external;
      // 48 MiB of buffers that become garbage at once, as refused request bodies do.
      let garbage: Buffer[] | null = Array.from({ length: 48 }, () => Buffer.alloc(MiB, 1));
      expect(garbage.length).toBe(48);
      expect(process.memoryUsage().external - before).toBeGreaterThan(40 * MiB);
      garbage = null;
      const until = Date.now() + 10_000;
      while (relief.collections() === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(relief.collections()).toBeGreaterThan(0);
      expect(process.memoryUsage().external - before).toBeLessThan(8 * MiB);
    } finally {
      relief.stop();
    }
  });
});
