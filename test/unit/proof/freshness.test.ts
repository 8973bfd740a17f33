import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTrustPolicy } from '../../../src/domain/federation/index.js';
import { formatWitnessKey } from '../../../src/domain/log/index.js';
import { freshnessStep, quorumTime, rfc3339Seconds } from '../../../src/domain/proof/freshness.js';

describe('rfc3339Seconds', () => {
  it('agrees with Date for any second from 1970 to 9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253_402_300_799 }), (s) => {
        expect(rfc3339Seconds(s)).toBe(new Date(s * 1000).toISOString().replace('.000Z', 'Z'));
      }),
    );
  });
});

describe('quorumTime', () => {
  const key = (name: string, byte: number) => formatWitnessKey(name, new Uint8Array(32).fill(byte));
  const policy = parseTrustPolicy(
    `witness a ${key('a.example', 1)}\nwitness b ${key('b.example', 2)}\nwitness c ${key('c.example', 3)}\n` +
      'group g 2 a b c\nquorum g\n',
  );
  const c = (name: string, timestamp: number | null) => ({
    name,
    keyName: `${name}.example`,
    cosigned: timestamp !== null,
    timestamp,
  });

  it('is the time by which a quorum had cosigned: one late witness cannot make it fresher', () => {
    expect(quorumTime(policy, [c('a', 100), c('b', 500), c('c', 200)])).toBe(200);
    expect(quorumTime(policy, [c('a', 100), c('b', 9_999_999), c('c', null)])).toBe(100);
  });

  it('is null without a quorum', () => {
    expect(quorumTime(policy, [c('a', 100), c('b', null), c('c', null)])).toBeNull();
  });
});

describe('freshnessStep', () => {
  it('fails past the maximum age, passes within it, and fails an unknown age only when one is required', () => {
    const now = 1_000_000 * 1000;
    expect(freshnessStep(1_000_000 - 60, now, 60).ok).toBe(true);
    expect(freshnessStep(1_000_000 - 61, now, 60)).toMatchObject({
      ok: false,
      detail: 'the state is proven as of 1970-01-12T13:45:39Z, 61 s ago: older than the maximum age of 60 s',
    });
    expect(freshnessStep(null, now, undefined).ok).toBe(true);
    expect(freshnessStep(null, now, 60).ok).toBe(false);
  });
});
