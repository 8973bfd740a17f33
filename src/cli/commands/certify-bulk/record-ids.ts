/**
 * The certification ids of a whole batch, packed: record i's id is
 * `crt_` + the 24 characters at i × 24 of one ASCII buffer. The same ids as
 * batchRecordIdFor (SHA-256 of "chancery/batch-record\n<batch id>\n<i>", first
 * 120 bits in lowercase base32), without its per-record string, TextEncoder
 * and Uint8Array churn: a million ids took 1.8 s that way and the receipts
 * of issue 14 need one per record. test/unit/cli/batch-record-ids.test.ts
 * checks them against batchRecordIdFor.
 */

import { BatchRecordHasher } from '../../../infrastructure/crypto/batch-record-hash.js';

/** Characters after `crt_` in a batch record's id: 120 bits in base32. */
export const RECORD_ID_CHARS = 24;
export const RECORD_ID_PREFIX = 'crt_';

const ALPHABET = Buffer.from('abcdefghijklmnopqrstuvwxyz234567', 'latin1');

/** The ids (without `crt_`) of records [from, to) of batch `batchId`, written at (i - from) × 24 of `into`. */
export function writeBatchRecordIds(batchId: string, from: number, to: number, into: Uint8Array): void {
  const hasher = new BatchRecordHasher(batchId);
  for (let i = from; i < to; i++) {
    const digest = hasher.hash(i);
    // 15 bytes are three 40-bit groups of eight base32 characters: no bits left over, no padding.
    let out = (i - from) * RECORD_ID_CHARS;
    for (let g = 0; g < 15; g += 5) {
      const hi = digest.charCodeAt(g);
      const lo =
        (digest.charCodeAt(g + 1) << 24) |
        (digest.charCodeAt(g + 2) << 16) |
        (digest.charCodeAt(g + 3) << 8) |
        digest.charCodeAt(g + 4);
      into[out++] = ALPHABET[hi >> 3]!;
      into[out++] = ALPHABET[((hi & 7) << 2) | (lo >>> 30)]!;
      into[out++] = ALPHABET[(lo >>> 25) & 31]!;
      into[out++] = ALPHABET[(lo >>> 20) & 31]!;
      into[out++] = ALPHABET[(lo >>> 15) & 31]!;
      into[out++] = ALPHABET[(lo >>> 10) & 31]!;
      into[out++] = ALPHABET[(lo >>> 5) & 31]!;
      into[out++] = ALPHABET[lo & 31]!;
    }
  }
}
