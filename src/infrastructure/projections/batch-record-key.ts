/**
 * The lookup key of a batch record: the first 32 bits of the hash its
 * certification id is made from (batchRecordIdFor: SHA-256 of
 * "chancery/batch-record\n" ‖ batchId ‖ "\n" ‖ index, of which the id shows
 * 120 bits in base32). Both sides can compute it: the projection from the
 * batch id and index, a lookup from the id's first seven characters.
 *
 * Why a 32-bit key and not the id: the id is a hash, so a batch's million ids
 * land at random places in any index keyed by them, which was the largest
 * single cost of projecting a large batch (about 7 of its 25 s, issue 14).
 * Integer keys can be sorted first and inserted in order, as one pass through
 * the index's B-tree. Keys of different records may collide (one lookup in
 * about 430 finds a second candidate at ten million records); the read model keeps every
 * (key, batch, index) and a lookup recomputes each candidate's id, so a
 * collision costs one hash and never returns the wrong record.
 */

import { BatchRecordHasher } from '../crypto/batch-record-hash.js';

/** Record indexes are below 2^20 (MAX_BATCH_RECORDS is 1,000,000): key and index share one exact double. */
const INDEX_SPAN = 2 ** 20;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const BATCH_RECORD_ID = /^crt_[a-z2-7]{24}$/;

/** The key of the record whose certification id this is, or null when it is not a certification id. */
export function recordKeyOfId(certificationId: string): number | null {
  if (!BATCH_RECORD_ID.test(certificationId)) return null;
  // Seven base32 characters are the hash's first 35 bits; the key is the first 32 of them.
  let bits = 0;
  for (let i = 4; i < 11; i++) bits = bits * 32 + BASE32.indexOf(certificationId[i]!);
  return Math.floor(bits / 8);
}

/**
 * The keys of a batch's records 0..count-1, each with its index: entry i is key × 2^20 + index (see
 * keyAndIndex), so sorting the entries as numbers sorts them by key. 8 bytes a record, 8 MB for the
 * largest batch. Filled slice by slice as the batch is projected, so the hashing is spread over the
 * slices rather than done at once when the batch is whole.
 */
export class BatchRecordKeys {
  readonly #entries: Float64Array;
  readonly #hasher: BatchRecordHasher;
  #filled = 0;

  constructor(
    readonly batchId: string,
    readonly count: number,
  ) {
    if (!Number.isSafeInteger(count) || count < 0 || count > INDEX_SPAN) {
      throw new RangeError(`a batch has between 0 and ${INDEX_SPAN} records, not ${count}`);
    }
    this.#hasher = new BatchRecordHasher(batchId);
    this.#entries = new Float64Array(count);
  }

  /** Records whose keys are computed: 0..filled-1. */
  get filled(): number {
    return this.#filled;
  }

  /** Computes the keys of records filled..to-1. */
  fillTo(to: number): void {
    for (let index = this.#filled; index < Math.min(to, this.count); index++) {
      const digest = this.#hasher.hash(index);
      // The first four bytes, big-endian, unsigned.
      const key =
        digest.charCodeAt(0) * 2 ** 24 +
        ((digest.charCodeAt(1) << 16) | (digest.charCodeAt(2) << 8) | digest.charCodeAt(3));
      this.#entries[index] = key * INDEX_SPAN + index;
    }
    this.#filled = Math.max(this.#filled, Math.min(to, this.count));
  }

  /** Every record's entry, sorted by key (computing any not yet filled); the entries are sorted in place. */
  sorted(): Float64Array {
    this.fillTo(this.count);
    return this.#entries.sort();
  }
}

/** The key and the record index packed in one BatchRecordKeys entry. */
export function keyAndIndex(entry: number): { key: number; index: number } {
  const key = Math.floor(entry / INDEX_SPAN);
  return { key, index: entry - key * INDEX_SPAN };
}
