/**
 * A batch's digest list as the node streams it in: raw 32-byte digests end to
 * end, copied into one buffer sized by the signed count (32 MB for a million
 * records, never a string per record) and hashed into the RFC 6962 root as
 * each digest completes, so the root is known the moment the last byte is.
 * A list longer than the signed count is refused at the first byte too many:
 * the buffer never grows past what the signature allows. The tree's hashes
 * are kept too (64 MB more for a million), for the read model to store
 * rather than compute again.
 */

import { toHex } from '../crypto/hex.js';
import { HASH_SIZE, RFC6962_HASHER, type TreeHasher } from '../log/rfc6962.js';
import { StoredHashBuilder } from '../log/stored-hash-builder.js';
import { CertificationError } from './certification-error.js';

/** The uploaded list: `count` digests packed in `packed`, and the root computed over them as they arrived. */
export interface PackedDigests {
  readonly packed: Uint8Array;
  readonly count: number;
  /** Lower-case hex RFC 6962 root over SHA-256(0x00 ‖ digest) leaves. */
  readonly root: string;
  /**
   * Every hash of that tree in the tlog stored-hash layout (storedHashCount(count) × 32 bytes), when
   * whoever packed the list computed them (a streamed upload does; a replayed one does not).
   */
  readonly storedHashes?: Uint8Array;
}

/** Throws BATCH_COUNT_MISMATCH when `received` bytes are more than the signed count's digests. */
export function requireWithinCount(signedCount: number, received: number): void {
  const allowed = signedCount * HASH_SIZE;
  if (received > allowed) {
    throw new CertificationError(
      'BATCH_COUNT_MISMATCH',
      `the command certifies ${signedCount} records (${allowed} bytes of digests), ` +
        `but more than ${allowed} bytes were uploaded`,
    );
  }
}

/** Throws BATCH_COUNT_MISMATCH unless `received` bytes are exactly the signed count's digests. */
export function requireWholeCount(signedCount: number, received: number): void {
  const allowed = signedCount * HASH_SIZE;
  if (received !== allowed) {
    const whole = Math.floor(received / HASH_SIZE);
    const rest = received % HASH_SIZE;
    throw new CertificationError(
      'BATCH_COUNT_MISMATCH',
      `the command certifies ${signedCount} records, but ${whole} digests` +
        `${rest === 0 ? '' : ` and ${rest} stray bytes`} were uploaded (${received} bytes; ` +
        `allowed: exactly ${allowed}, ${HASH_SIZE} per record)`,
    );
  }
}

export class BatchDigestIntake {
  private readonly packed: Uint8Array;
  private readonly tree: StoredHashBuilder;
  private received = 0;
  private hashed = 0;

  /** `signedCount` is the command's count: the list may be neither longer nor, at finish, shorter. */
  constructor(
    private readonly signedCount: number,
    private readonly hasher: TreeHasher = RFC6962_HASHER,
  ) {
    this.packed = new Uint8Array(signedCount * HASH_SIZE);
    this.tree = new StoredHashBuilder(signedCount, hasher);
  }

  /** Bytes taken so far. */
  get byteCount(): number {
    return this.received;
  }

  /** Takes the next bytes (any split); throws BATCH_COUNT_MISMATCH as soon as they exceed the signed count. */
  push(chunk: Uint8Array): void {
    requireWithinCount(this.signedCount, this.received + chunk.length);
    this.packed.set(chunk, this.received);
    this.received += chunk.length;
    const complete = Math.floor(this.received / HASH_SIZE);
    for (; this.hashed < complete; this.hashed++) {
      const at = this.hashed * HASH_SIZE;
      this.tree.add(this.hasher.leafHash(this.packed.subarray(at, at + HASH_SIZE)));
    }
  }

  /** The whole list; throws BATCH_COUNT_MISMATCH unless it is exactly the signed count of whole digests. */
  finish(): PackedDigests {
    requireWholeCount(this.signedCount, this.received);
    return {
      packed: this.packed,
      count: this.signedCount,
      root: toHex(this.tree.root()),
      storedHashes: this.tree.hashes,
    };
  }
}
