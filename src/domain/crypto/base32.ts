/**
 * Lowercase base32 (RFC 4648 §6 alphabet, lowercased) without padding, for the
 * short ids the domain derives from hashes. Encoding only: ids are compared as
 * text, never decoded.
 */

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

export function encodeBase32(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    // At most 12 bits are ever pending (4 left over plus 8 new): keep 16 so the shift never overflows.
    acc = ((acc << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >> bits) & 31];
    }
  }
  // The last 1 to 4 bits, padded with zero bits on the right to make a final character.
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}
