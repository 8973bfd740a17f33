import { sha256 } from '@noble/hashes/sha2.js';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(acc >> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32[(acc << (5 - bits)) & 31];
  return out;
}

/** 120 bits of SHA-256 over a domain-separated text, as 24 base32 characters. */
function derive(kind: string, actor: string, commandId: string): string {
  return base32(sha256(new TextEncoder().encode(`chancery/${kind}\n${actor}\n${commandId}`)).subarray(0, 15));
}

/**
 * Directory ids are derived from who asked and their command id, like
 * certification ids: a retried command lands on the same stream and cannot
 * publish or request twice.
 */
export function entryIdFor(actor: string, commandId: string): string {
  return 'ent_' + derive('directory-entry', actor, commandId);
}

export function requestIdFor(actor: string, commandId: string): string {
  return 'req_' + derive('access-request', actor, commandId);
}

/**
 * A request is granted at most once, so its grant is named after it: the
 * grant id tells which request stream holds it without a lookup.
 */
export function grantIdFor(requestId: string): string {
  return 'grt_' + requestId.slice(4);
}

export function requestIdOfGrant(grantId: string): string {
  return 'req_' + grantId.slice(4);
}

export const ENTRY_ID_PATTERN = '^ent_[a-z2-7]{24}$';
export const REQUEST_ID_PATTERN = '^req_[a-z2-7]{24}$';
export const GRANT_ID_PATTERN = '^grt_[a-z2-7]{24}$';
