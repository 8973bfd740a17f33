import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { ED25519_PUBLIC_KEY_BYTES, ED25519_SIGNATURE_BYTES } from '../../domain/crypto/key-id.js';

const keyObjects = new Map<string, KeyObject>();
const MAX_CACHED_KEYS = 100_000;
/**
 * By the array itself: the identity registry hands out the same bytes for a key on every command, so
 * the common case costs neither a copy nor a base64 string. The bytes are compared all the same, so a
 * caller that reuses one array for several keys still gets the right one. Weak, so dropped keys go.
 */
const keyObjectsByBytes = new WeakMap<Uint8Array, { readonly bytes: Buffer; readonly key: KeyObject }>();

function keyObjectFor(publicKey: Uint8Array): KeyObject {
  const view = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength);
  const known = keyObjectsByBytes.get(publicKey);
  if (known?.bytes.equals(view)) return known.key;
  const cacheKey = view.toString('base64');
  let key = keyObjects.get(cacheKey);
  if (key === undefined) {
    key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') },
      format: 'jwk',
    });
    // Bounded so a flood of distinct keys cannot grow memory without limit.
    if (keyObjects.size >= MAX_CACHED_KEYS) keyObjects.clear();
    keyObjects.set(cacheKey, key);
  }
  keyObjectsByBytes.set(publicKey, { bytes: Buffer.from(view), key });
  return key;
}

/**
 * Ed25519 verification with node:crypto (OpenSSL), several times faster than
 * pure-JS verification. OpenSSL follows RFC 8032 strictly (canonical S, no
 * small-order keys accepted), which is what a server needs: one signature has
 * exactly one valid encoding. Never throws: malformed input is simply false.
 */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES || signature.length !== ED25519_SIGNATURE_BYTES)
    return false;
  try {
    return verify(null, message, keyObjectFor(publicKey), signature);
  } catch {
    return false;
  }
}

/**
 * verifyEd25519 on libuv's threadpool (node:crypto's callback form): the same
 * OpenSSL check with the same answers, but the ~100 µs of curve arithmetic
 * run beside the event loop instead of on it, so a node verifying many
 * commands at once keeps serving while it does. Costs the main thread about
 * a tenth of a synchronous verify; measured against a worker_threads pool
 * (which pays to copy every message across), the threadpool is cheaper.
 *
 * Never rejects: malformed input (bad lengths, a key OpenSSL refuses, an
 * error from the job) resolves to false. The message must not be modified
 * until the promise settles.
 */
export function verifyEd25519Async(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES || signature.length !== ED25519_SIGNATURE_BYTES)
    return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      verify(null, message, keyObjectFor(publicKey), signature, (error, valid) =>
        resolve(!error && valid === true),
      );
    } catch {
      resolve(false);
    }
  });
}
