import { sha256 } from '@noble/hashes/sha2.js';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(acc >> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32[(acc << (5 - bits)) & 31];
  return out;
}

/**
 * The id of a certification is derived from who asked and their command id, so
 * a retried command lands on the same stream and cannot certify twice. 120 bits
 * in lowercase base32: short enough to read out over the phone, long enough that
 * ids cannot be guessed from one another.
 */
export function certificationIdFor(actor: string, commandId: string): string {
  const digest = sha256(new TextEncoder().encode(`chancery/certification\n${actor}\n${commandId}`));
  return 'crt_' + base32(digest.subarray(0, 15));
}

export const CERTIFICATION_ID_PATTERN = '^crt_[a-z2-7]{24}$';
