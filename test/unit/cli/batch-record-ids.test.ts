import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RECORD_ID_CHARS, writeBatchRecordIds } from '../../../src/cli/commands/certify-bulk/record-ids.js';
import { batchRecordIdFor } from '../../../src/domain/certification/certification-id.js';

/** certify-bulk's packed ids must be batchRecordIdFor's, byte for byte: receipts and proof URLs are public. */
function packedIds(batchId: string, from: number, to: number): string[] {
  const into = new Uint8Array((to - from) * RECORD_ID_CHARS);
  writeBatchRecordIds(batchId, from, to, into);
  const text = Buffer.from(into).toString('latin1');
  return Array.from(
    { length: to - from },
    (_, k) => `crt_${text.slice(k * RECORD_ID_CHARS, (k + 1) * RECORD_ID_CHARS)}`,
  );
}

describe('writeBatchRecordIds', () => {
  it('derives batchRecordIdFor for every index across each change in the number of digits', () => {
    const batchId = 'bat_abcdefghijklmnopqrstuvwx';
    for (const [from, to] of [
      [0, 120],
      [990, 1010],
      [99_995, 100_005],
      [999_990, 1_000_000],
    ] as const) {
      expect(packedIds(batchId, from, to)).toEqual(
        Array.from({ length: to - from }, (_, k) => batchRecordIdFor(batchId, from + k)),
      );
    }
  });

  it('matches batchRecordIdFor for any batch id and index (fast-check)', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat({ max: Number.MAX_SAFE_INTEGER - 1 }), (batchId, index) => {
        expect(packedIds(batchId, index, index + 1)).toEqual([batchRecordIdFor(batchId, index)]);
      }),
    );
  });
});
