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

/** Sorting buckets: the entries are spread by their key's top BUCKET_BITS bits (keys are uniform hashes). */
const BUCKET_BITS = 10;
const BUCKETS = 2 ** BUCKET_BITS;
/** An entry's bucket is floor(entry / BUCKET_SPAN): the key's top bits, the index below them. */
const BUCKET_SPAN = 2 ** (32 - BUCKET_BITS) * INDEX_SPAN;

/**
 * The keys of a batch's records 0..count-1, each with its index: entry i is key × 2^20 + index (see
 * keyAndIndex), so sorting the entries as numbers sorts them by key. 8 bytes a record (16 once
 * sorting starts), 16 MB for the largest batch. Filled slice by slice as the batch is projected, so
 * the hashing is spread over the slices rather than done at once when the batch is whole.
 *
 * Sorted lazily, so that taking the keys in order can be spread over slices too: once every key is
 * filled, one counting pass spreads the entries into BUCKETS buckets by their key's top bits (a few
 * milliseconds for a million), and a bucket is sorted only when a range that reaches into it is
 * taken (about a thousand entries each). Sorting a million at once held the event loop for
 * 70–140 ms.
 */
export class BatchRecordKeys {
  #entries: Float64Array;
  readonly #hasher: BatchRecordHasher;
  #filled = 0;
  /** The entries by bucket, each bucket sorted once taken; null until the first range is taken. */
  #byBucket: Float64Array | null = null;
  /** Bucket b holds #byBucket[#bounds[b] .. #bounds[b + 1]). */
  readonly #bounds = new Int32Array(BUCKETS + 1);
  /** Buckets 0..#sortedBuckets-1 are sorted. */
  #sortedBuckets = 0;

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
    for (let index = this.#filled; index < Math.min(to, this.count); index++)
      this.#entries[index] = this.#entryOf(index);
    this.#filled = Math.max(this.#filled, Math.min(to, this.count));
  }

  /**
   * Takes every record's entry computed elsewhere (the upload's worker thread, while the batch was
   * appended) instead of computing the rest here; only before any range was taken, and only when spot
   * checks (the first and last records, and the last and a middle one of those filled here) agree with
   * this batch's own. True when taken; the array is then this object's.
   */
  adopt(entries: Float64Array): boolean {
    if (this.#byBucket !== null || this.#filled === this.count || entries.length !== this.count) return false;
    const checked = [0, this.count - 1, this.#filled - 1, Math.floor(this.#filled / 2)];
    if (checked.some((index) => index >= 0 && entries[index] !== this.#entryOf(index))) return false;
    // Taken as it is, not copied: the pages of this object's own array, mostly never written, are let go.
    this.#entries = entries;
    this.#filled = this.count;
    return true;
  }

  /** Record `index`'s entry: its key × 2^20 + index. */
  #entryOf(index: number): number {
    const digest = this.#hasher.hash(index);
    // The first four bytes, big-endian, unsigned.
    const key =
      digest.charCodeAt(0) * 2 ** 24 +
      ((digest.charCodeAt(1) << 16) | (digest.charCodeAt(2) << 8) | digest.charCodeAt(3));
    return key * INDEX_SPAN + index;
  }

  /**
   * The entries ranked from..to-1 in key order (computing any key not yet filled). The array is
   * this object's own: read it before the next call.
   */
  sortedRange(from: number, to: number): Float64Array {
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > this.count || from > to) {
      throw new RangeError(`a range of ranks within 0..${this.count}, not ${from}..${to}`);
    }
    const byBucket = this.#bucketed();
    while (this.#sortedBuckets < BUCKETS && this.#bounds[this.#sortedBuckets]! < to) {
      const b = this.#sortedBuckets++;
      byBucket.subarray(this.#bounds[b], this.#bounds[b + 1]).sort();
    }
    return byBucket.subarray(from, to);
  }

  /** Every record's entry, sorted by key. */
  sorted(): Float64Array {
    return this.sortedRange(0, this.count);
  }

  /** The entries spread into their buckets (a counting sort on the top bits), once. */
  #bucketed(): Float64Array {
    if (this.#byBucket !== null) return this.#byBucket;
    this.fillTo(this.count);
    const bucketOf = (entry: number) => Math.floor(entry / BUCKET_SPAN);
    const bounds = this.#bounds;
    for (const entry of this.#entries) bounds[bucketOf(entry) + 1]!++;
    for (let b = 0; b < BUCKETS; b++) bounds[b + 1]! += bounds[b]!;
    const next = bounds.slice(0, BUCKETS);
    const byBucket = new Float64Array(this.count);
    for (const entry of this.#entries) byBucket[next[bucketOf(entry)]!++] = entry;
    this.#byBucket = byBucket;
    return byBucket;
  }
}

/** The key and the record index packed in one BatchRecordKeys entry. */
export function keyAndIndex(entry: number): { key: number; index: number } {
  const key = Math.floor(entry / INDEX_SPAN);
  return { key, index: entry - key * INDEX_SPAN };
}
