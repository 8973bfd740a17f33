import { sha256 } from '@noble/hashes/sha2.js';
import { encodeBase32 } from './base32.js';

/**
 * An id derived from a domain-separated text: the prefix, then the first 120
 * bits of its SHA-256 as 24 lowercase base32 characters. The same text always
 * yields the same id, which is what makes a retried command land on the same
 * stream.
 */
export function derivedId(
  prefix: string,
  text: string,
  /** SHA-256 to use: a node's hot path passes node:crypto's (the same bytes, several times faster). */
  digest: (bytes: Uint8Array) => Uint8Array = sha256,
): string {
  return prefix + encodeBase32(digest(new TextEncoder().encode(text)).subarray(0, 15));
}
