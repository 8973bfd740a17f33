import { hash } from 'node:crypto';

/** Decimal digits of the largest safe integer: every index fits. */
const MAX_INDEX_DIGITS = 16;

/**
 * The hash a batch record's certification id is cut from, SHA-256 of
 * "chancery/batch-record\n" ‖ batchId ‖ "\n" ‖ index in decimal (batchRecordIdFor in
 * src/domain/certification/certification-id.ts), for whoever derives a whole batch's worth: the
 * node's record index keys (batch-record-key.ts) and certify-bulk's receipts (record-ids.ts). One
 * input buffer per batch, the index written into it in place, and the hash answered as a latin1
 * ('binary') string, which node:crypto returns faster than a Buffer: a million records take a million hashes.
 */
export class BatchRecordHasher {
  readonly #input: Buffer;
  readonly #digitsAt: number;
  /** One view of the input per length of the index in digits, so no per-record subarray is made. */
  readonly #views: Buffer[] = [];

  constructor(batchId: string) {
    const prefix = Buffer.from(`chancery/batch-record\n${batchId}\n`, 'utf8');
    this.#input = Buffer.alloc(prefix.length + MAX_INDEX_DIGITS);
    prefix.copy(this.#input);
    this.#digitsAt = prefix.length;
    for (let digits = 0; digits <= MAX_INDEX_DIGITS; digits++)
      this.#views.push(this.#input.subarray(0, prefix.length + digits));
  }

  /** The 32-byte hash of record `index` (a safe non-negative integer), one latin1 character per byte. */
  hash(index: number): string {
    let digits = 1;
    for (let rest = Math.floor(index / 10); rest > 0; rest = Math.floor(rest / 10)) digits++;
    const at = this.#digitsAt;
    for (let i = at + digits - 1, n = index; i >= at; i--, n = Math.floor(n / 10))
      this.#input[i] = 0x30 + (n % 10);
    return hash('sha256', this.#views[digits]!, 'binary');
  }
}
