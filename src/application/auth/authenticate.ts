import { canonicalJson } from '../../domain/canonical/canonical-json.js';
import type { SignedPayloadTexts } from '../../domain/canonical/signed-payload-texts.js';
import { decodeBase64 } from '../../domain/crypto/base64.js';
import type { SignedEnvelope } from '../../domain/crypto/envelope.js';
import { verifyEd25519Async } from '../../infrastructure/crypto/ed25519-verifier.js';
import { sha256Hex } from '../../infrastructure/crypto/node-hashes.js';
import type { RegistryIdentity, RegistryKey } from '../../infrastructure/projections/identity-registry.js';
import { ProblemError } from '../problems/problem.js';

const encoder = new TextEncoder();

export interface Authenticated {
  readonly actor: RegistryIdentity;
  readonly key: RegistryKey;
  /** Hex SHA-256 of the payload's RFC 8785 bytes. */
  readonly payloadDigest: string;
}

export interface IdentityLookup {
  get(identityId: string): RegistryIdentity | undefined;
}

/**
 * Checks who signed a command, in an order that leaks nothing to a forger:
 * facts about a key (retired) or an actor (revoked) are only reported once
 * the signature has been shown to verify. The signature is checked on libuv's
 * threadpool (verifyEd25519Async): the event loop serves other requests meanwhile.
 */
export async function authenticate(
  envelope: SignedEnvelope,
  registry: IdentityLookup,
  now: number,
  maxSkewMs: number,
  /** Where a verified payload's RFC 8785 text is kept for its log leaf. */
  texts?: SignedPayloadTexts,
): Promise<Authenticated> {
  const { payload, signature } = envelope;
  if (signature.keyId !== payload.keyId) {
    throw new ProblemError('SIGNATURE_KEY_MISMATCH', 'signature.keyId must equal payload.keyId');
  }
  const signatureBytes = decodeBase64(signature.value);
  // The schema bounds the length; canonical decoding rejects the malleable encodings it cannot see.
  if (signatureBytes === null || signatureBytes.length !== 64) {
    throw new ProblemError('ENCODING_INVALID', 'signature.value must be canonical base64 of 64 bytes');
  }
  const actor = registry.get(payload.actor);
  if (actor === undefined) throw new ProblemError('ACTOR_UNKNOWN', `no identity ${payload.actor}`);
  const key = actor.keys.find((k) => k.keyId === payload.keyId);
  if (key === undefined)
    throw new ProblemError('KEY_UNKNOWN', `key ${payload.keyId} is not registered to ${payload.actor}`);

  const text = canonicalPayloadText(payload);
  const bytes = encoder.encode(text);
  if (!(await verifyEd25519Async(key.publicKeyBytes, bytes, signatureBytes))) {
    throw new ProblemError(
      'SIGNATURE_INVALID',
      'the signature does not verify over the RFC 8785 form of the payload',
    );
  }
  texts?.remember(signature.value, payload, text);
  // The registry may have moved on while the signature was checked: judge the actor by what it says now.
  const actorNow = registry.get(payload.actor) ?? actor;
  const keyNow = actorNow.keys.find((k) => k.keyId === key.keyId) ?? key;
  if (keyNow.retiredAt !== null) {
    throw new ProblemError('KEY_RETIRED', `key ${keyNow.keyId} was retired at ${keyNow.retiredAt}`);
  }
  if (actorNow.status === 'revoked')
    throw new ProblemError('ACTOR_REVOKED', `identity ${actorNow.identityId} is revoked`);

  const issuedAt = Date.parse(payload.issuedAt);
  // A captured command replayed much later (or pre-signed far ahead) is refused outright.
  if (!Number.isFinite(issuedAt) || Math.abs(now - issuedAt) > maxSkewMs) {
    throw new ProblemError(
      'ISSUED_AT_SKEW',
      `issuedAt ${payload.issuedAt} is more than ${Math.round(maxSkewMs / 1000)} s from the server time ${new Date(now).toISOString()}`,
    );
  }
  return { actor: actorNow, key: keyNow, payloadDigest: sha256Hex(bytes) };
}

/**
 * RFC 8785 text of a payload. A value with no canonical form (a number that
 * overflowed to Infinity, a lone surrogate) is the sender's fault: a 400 that
 * names it, never an uncaught throw.
 */
function canonicalPayloadText(payload: SignedEnvelope['payload']): string {
  try {
    return canonicalJson(payload);
  } catch (error) {
    throw new ProblemError(
      'BODY_NOT_I_JSON',
      `the payload has no RFC 8785 form (${(error as Error).message}); allowed: I-JSON values (finite numbers, well-formed strings)`,
    );
  }
}
