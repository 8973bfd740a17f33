import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoFromUnixSeconds } from '../../../src/domain/shared/unix-time.js';

describe('isoFromUnixSeconds', () => {
  it('agrees with Date at the edges: the epoch, leap days, century rules, year ends', () => {
    for (const at of [
      '1970-01-01T00:00:00Z',
      '2000-02-29T23:59:59Z',
      '1900-03-01T00:00:00Z',
      '2100-02-28T12:00:00Z',
      '2026-12-31T23:59:59Z',
      '1969-12-31T23:59:59Z',
    ]) {
      expect(isoFromUnixSeconds(Date.parse(at) / 1000)).toBe(at);
    }
  });

  it('agrees with Date for every second from 1900 to 2400', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2_208_988_800, max: 13_569_465_600 }), (s) => {
        expect(isoFromUnixSeconds(s)).toBe(new Date(s * 1000).toISOString().replace('.000Z', 'Z'));
      }),
      { seed: 20261202, numRuns: 5000 },
    );
  });
});
