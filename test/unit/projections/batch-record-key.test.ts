import { describe, expect, it } from 'vitest';
import { batchIdFor, batchRecordIdFor } from '../../../src/domain/certification/certification-id.js';
import {
  BatchRecordKeys,
  keyAndIndex,
  recordKeyOfId,
} from '../../../src/infrastructure/projections/batch-record-key.js';

/**
 * The read model finds a batch record by a 32-bit key that both sides compute: the projection from
 * the batch id and index, a lookup from the certification id. If the two disagreed, a record would be
 * certified and never found, so this pins them against batchRecordIdFor, the ids receipts carry.
 */
describe('batch record keys', () => {
  it('are the same from the batch id and index as from the certification id', () => {
    for (const commandId of ['a', 'b', 'c']) {
      const batchId = batchIdFor('UNIVERSITY', commandId);
      const keys = new BatchRecordKeys(batchId, 3000).sorted();
      const seen = new Set<number>();
      let previous = -1;
      for (const entry of keys) {
        expect(entry).toBeGreaterThan(previous);
        previous = entry;
        const { key, index } = keyAndIndex(entry);
        expect(key).toBe(recordKeyOfId(batchRecordIdFor(batchId, index)));
        seen.add(index);
      }
      expect(seen.size).toBe(3000);
    }
  });

  it('are taken in key order a range at a time, as the whole sort gives them', () => {
    const batchId = batchIdFor('UNIVERSITY', 'ranges');
    const whole = Array.from(new BatchRecordKeys(batchId, 5000).sorted());
    const keys = new BatchRecordKeys(batchId, 5000);
    keys.fillTo(1234);
    const taken: number[] = [];
    for (const [from, to] of [
      [0, 0],
      [0, 1],
      [1, 700],
      [700, 701],
      [701, 4999],
      [4999, 5000],
    ] as const)
      taken.push(...keys.sortedRange(from, to));
    expect(taken).toEqual(whole);
    expect(() => keys.sortedRange(10, 5)).toThrow(RangeError);
    expect(() => keys.sortedRange(0, 5001)).toThrow(RangeError);
  });

  it('hold the largest batch: index 999,999 beside a key of 2^32 - 1, exactly', () => {
    expect(keyAndIndex(0xffffffff * 2 ** 20 + 999_999)).toEqual({ key: 0xffffffff, index: 999_999 });
    expect(() => new BatchRecordKeys('bat_x', 2 ** 20 + 1)).toThrow(RangeError);
  });

  it('are null for anything that is not a certification id', () => {
    for (const text of [
      '',
      'crt_',
      'crt_AAAAAAAAAAAAAAAAAAAAAAAA',
      'bat_aaaaaaaaaaaaaaaaaaaaaaaa',
      'crt_aaaaaaaaaaaaaaaaaaaaaaaa1',
    ])
      expect(recordKeyOfId(text)).toBeNull();
    expect(recordKeyOfId('crt_aaaaaaaaaaaaaaaaaaaaaaaa')).toBe(0);
    expect(recordKeyOfId('crt_7777777aaaaaaaaaaaaaaaaa')).toBe(0xffffffff);
  });
});
