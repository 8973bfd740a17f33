/**
 * A recorded RFC 9421 request (a dataset upload or fetch), checked again by a
 * mirror from the log leaf alone: the signature over the recorded signature
 * base with the key as the registry stands at that point of the log, and the
 * base's components, which say what was signed. The components are only read
 * once the signature over the whole base has verified.
 */

import { decodeBase64 } from '../../domain/crypto/base64.js';
import type { JsonObject, JsonValue } from '../../domain/shared/json.js';
import { verifyEd25519 } from '../../infrastructure/crypto/ed25519-verifier.js';
import type {
  IdentityRegistry,
  RegistryIdentity,
} from '../../infrastructure/projections/identity-registry.js';
import type { RequestEnvelope } from '../pipeline/write-metadata.js';

export interface RecordedRequest {
  readonly envelope: RequestEnvelope;
  readonly actor: RegistryIdentity;
  /** The signature base's lines, `"name": value`, by component name. */
  readonly components: ReadonlyMap<string, string>;
  /** The signature's `created`, in ms. */
  readonly createdMs: number;
}

/** The lines of an RFC 9421 signature base, `"name": value`, by component name. */
function signatureBaseComponents(base: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of base.split('\n')) {
    const match = /^"([^"]+)": (.*)$/.exec(line);
    if (match !== null && !out.has(match[1]!)) out.set(match[1]!, match[2]!);
  }
  return out;
}

/** The envelope's fields, all strings, or null when one is missing or of the wrong kind. */
function requestEnvelopeOf(envelope: JsonObject): RequestEnvelope | null {
  const fields = ['actor', 'keyId', 'signatureInput', 'signatureBase', 'signature'] as const;
  if (envelope['scheme'] !== 'rfc9421' || fields.some((f) => typeof envelope[f] !== 'string')) return null;
  return envelope as RequestEnvelope;
}

/**
 * Checks a recorded request against the registry at this point of the log. Throws with `reject`'s
 * error (a message fit for the mirror's alert) when it does not hold.
 */
export function checkRecordedRequest(
  recorded: JsonObject,
  registry: IdentityRegistry,
  reject: (message: string) => Error,
): RecordedRequest {
  const envelope = requestEnvelopeOf(recorded);
  const signature = envelope === null ? null : decodeBase64(envelope.signature);
  if (envelope === null || signature === null) throw reject('the signed request is malformed');
  const { keyId, actor: actorId, signatureBase } = envelope;
  const key = registry.key(keyId);
  const actor = key === undefined ? undefined : registry.get(key.identityId);
  if (key === undefined || actor === undefined || actor.identityId !== actorId)
    throw reject(`key ${keyId} is not registered to ${actorId} at this point of the log`);
  if (!verifyEd25519(key.publicKeyBytes, new TextEncoder().encode(signatureBase), signature))
    throw reject('the HTTP message signature does not verify over the recorded signature base');
  if (key.retiredAt !== null) throw reject(`key ${keyId} was retired at ${key.retiredAt}`);
  if (actor.status === 'revoked') throw reject(`identity ${actorId} is revoked`);
  const components = signatureBaseComponents(signatureBase);
  const created = /;created=([0-9]{1,12})(;|$)/.exec(components.get('@signature-params') ?? '');
  if (created === null) throw reject('the signature base has no created parameter');
  return { envelope, actor, components, createdMs: Number(created[1]) * 1000 };
}

/**
 * The recorded time of a signed request's event, checked: the primary recorded max(its clock,
 * created), and its clock was within the allowed skew of created.
 */
export function recordedTime(
  request: RecordedRequest,
  time: JsonValue | undefined,
  maxSkewMs: number,
  reject: (message: string) => Error,
): string {
  const ms = typeof time === 'string' ? Date.parse(time) : Number.NaN;
  if (!(ms >= request.createdMs - 999 && ms <= request.createdMs + maxSkewMs))
    throw reject(`the recorded time ${String(time)} is not within the allowed skew after the signature`);
  return time as string;
}
