/**
 * The domain never signs or verifies by itself: the server passes node:crypto,
 * the browser passes @noble/curves. Both are plain functions so that this
 * folder stays free of key objects, I/O and platform APIs.
 *
 * Strictness: implementations should verify per RFC 8032 (cofactorless,
 * canonical encodings; for @noble/curves pass `{ zip215: false }`), so that the
 * server and the browser accept exactly the same signatures. A verifier must
 * return false, never throw, on a malformed signature or key.
 */

/** Verifies an Ed25519 signature over message by publicKey (32 bytes). */
export type Ed25519Verify = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

/** Signs message with a private key the implementation holds; returns the 64-byte signature. */
export type Ed25519Sign = (message: Uint8Array) => Uint8Array;
