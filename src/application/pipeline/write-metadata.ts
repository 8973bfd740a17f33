/**
 * The metadata stored with every event of a write: who signed it, the
 * idempotency key, and the signed input itself (the log leaf carries it, so
 * every entry is verifiable with the signer's key alone). The primary and a
 * mirror replaying the same write both build it here, so their stores hold
 * byte-identical metadata because they run the same code.
 */

import type { SignedEnvelope } from '../../domain/crypto/envelope.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { sha256Hex } from '../../infrastructure/crypto/node-hashes.js';

export interface WriteMetadata extends JsonObject {
  readonly commandId: string;
  readonly actor: string;
  readonly keyId: string;
  /** Hex SHA-256 of what was signed: tells a retry from a reused command id. */
  readonly payloadDigest: string;
  readonly envelope: JsonObject;
}

/** An RFC 9421-signed request as the log leaf records it: enough to check the signature again later. */
export interface RequestEnvelope extends JsonObject {
  readonly scheme: 'rfc9421';
  readonly actor: string;
  readonly keyId: string;
  readonly signatureInput: string;
  readonly signatureBase: string;
  /** base64 of the Ed25519 signature over signatureBase. */
  readonly signature: string;
}

/** Metadata of a write caused by a signed command; payloadDigest is the SHA-256 of its RFC 8785 payload. */
export function commandMetadata(envelope: SignedEnvelope, payloadDigest: string): WriteMetadata {
  return {
    commandId: envelope.payload.commandId,
    actor: envelope.payload.actor,
    keyId: envelope.payload.keyId,
    payloadDigest,
    envelope: envelope as unknown as JsonObject,
  };
}

/**
 * Metadata of a write caused by an RFC 9421-signed request (a dataset upload
 * or fetch). Its command id is derived from the signature base, which is
 * unique per request (created and nonce are signed).
 */
export function signedRequestMetadata(envelope: RequestEnvelope): WriteMetadata {
  const digest = sha256Hex(new TextEncoder().encode(envelope.signatureBase));
  return {
    commandId: `rfc9421:${digest.slice(0, 32)}`,
    actor: envelope.actor,
    keyId: envelope.keyId,
    payloadDigest: digest,
    envelope,
  };
}
