/**
 * A batch's digest list as the node streams it in (the intake is
 * infrastructure/crypto/parallel-digest-intake.ts): raw 32-byte digests end
 * to end in one buffer sized by the signed count (32 MB for a million
 * records, never a string per record), hashed into the RFC 6962 root as they
 * arrive. What a packed list is, and the count rules every intake applies: a
 * list longer than the signed count is refused at the first byte too many
 * (the buffer never grows past what the signature allows), and one shorter
 * or ragged at the end.
 */

import { HASH_SIZE } from '../log/rfc6962.js';
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
  /**
   * Canonical padded base64 of bytes, when whoever packed the list has a faster encoder than the
   * domain's (a node: Buffer's). A million-record batch is 32 MB to encode in its slices: the domain's
   * encoder and the garbage it leaves took ~200 ms of the event loop in one piece.
   */
  readonly encodeBase64?: (bytes: Uint8Array) => string;
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
