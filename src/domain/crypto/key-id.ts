import { sha256 } from '@noble/hashes/sha2.js';
import { encodeBase64Url } from './base64.js';

export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

/**
 * A key id names an Ed25519 public key: "ed25519:" + base64url of the first
 * 16 bytes of SHA-256(public key). 128 bits keeps accidental collisions out of
 * reach while staying short enough for a CLI line.
 */
export function keyIdOf(publicKey: Uint8Array): string {
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES)
    throw new RangeError('Ed25519 public key must be 32 bytes');
  return 'ed25519:' + encodeBase64Url(sha256(publicKey).subarray(0, 16));
}

export const KEY_ID_PATTERN = '^ed25519:[A-Za-z0-9_-]{22}$';
