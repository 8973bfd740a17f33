import { canonicalBytes } from '../canonical/canonical-json.js';
import { keyIdOf } from '../crypto/key-id.js';
import { decodeBase64, type Ed25519Verify } from '../log/index.js';
import { stateKey } from '../log-state/state-records.js';
import type { JsonObject, JsonValue } from '../shared/json.js';
import { checkIncluded, readCheckpoint } from './inclusion-step.js';
import { keyRecordOf, mapRootOf, provenAt } from './map-state.js';
import type { ProofBundleV2 } from './proof-bundle-v2.js';
import { certifyingCommand } from './signature-step.js';
import type { VerificationStep } from './verification-report.js';
import { ensure, step, text } from './verification-step.js';
import type { VerifyBundleOptions } from './verify-options.js';

function isObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The pinned authority key (base64 of its raw 32 bytes) whose key id the registration names, if any. */
function pinnedKey(pinned: readonly string[], keyId: JsonValue | undefined): Uint8Array | undefined {
  for (const base64 of pinned) {
    const bytes = decodeBase64(base64);
    if (bytes !== undefined && bytes.length === 32 && keyIdOf(bytes) === keyId) return bytes;
  }
  return undefined;
}

function verifies(verify: Ed25519Verify, key: Uint8Array, payload: JsonObject, value: string): boolean {
  const signature = decodeBase64(value);
  if (signature === undefined || signature.length !== 64) return false;
  try {
    return verify(key, canonicalBytes(payload), signature) === true;
  } catch {
    return false;
  }
}

/** Whether the signed command binds `publicKey` to `identityId`: a registration, the genesis or a rotation. */
function binds(payload: JsonObject, identityId: string, publicKey: string): boolean {
  if (payload['identityId'] !== identityId) return false;
  const type = payload['type'];
  if (type === 'RegisterIdentity' || type === 'RegisterAuthority') {
    const keys = payload['publicKeys'];
    return Array.isArray(keys) && keys.includes(publicKey);
  }
  return type === 'RotateIdentityKey' && payload['newPublicKey'] === publicKey;
}

/**
 * The key's authority: the entry the state map names as the key's registration is in the log, and is a
 * command signed by an authority key the verifier pinned, binding this public key to this identity. A
 * log-key holder can sign any map, but cannot make the authority have signed a registration.
 */
export function authorityStep(bundle: ProofBundleV2, options: VerifyBundleOptions): VerificationStep {
  return step('authority', () => {
    const pinned = options.authorityKeys ?? [];
    ensure(
      pinned.length > 0,
      "no authority key is pinned, so nothing shows whose key signed: pin the authority's public key",
    );
    const keyId = text(certifyingCommand(bundle.entry).payload['keyId'], 'the key id');
    const key = keyRecordOf(provenAt(mapRootOf(bundle), stateKey.key(keyId), bundle.state.key, 'key'), keyId);
    const { registration } = bundle;
    ensure(
      registration.leafIndex === key.registeredAt,
      `the registration given is log entry ${registration.leafIndex}, but key ${keyId} was registered by entry ${key.registeredAt}`,
    );
    checkIncluded(
      registration.entry,
      registration.leafIndex,
      registration.inclusionProof,
      readCheckpoint(bundle),
      'registration proof',
    );
    const envelope = registration.entry.envelope;
    const payload = envelope?.['payload'];
    const signature = envelope?.['signature'];
    ensure(isObject(payload) && isObject(signature), 'the registration entry carries no signed command');
    const authorityKey = pinnedKey(pinned, signature['keyId']);
    ensure(
      authorityKey !== undefined && payload['keyId'] === signature['keyId'],
      `the registration is signed with key ${String(signature['keyId'])}, not with a pinned authority key`,
    );
    ensure(signature['alg'] === 'Ed25519', 'the registration signature is not an Ed25519 signature');
    ensure(
      verifies(options.verify, authorityKey, payload, text(signature['value'], 'the registration signature')),
      'the authority signature on the registration does not verify: the registration was altered',
    );
    ensure(
      binds(payload, key.identityId, key.publicKey),
      `the authority's signed command does not register key ${keyId} to ${key.identityId}`,
    );
    return `The authority (key ${String(signature['keyId'])}) registered key ${keyId} to ${key.identityId} on ${String(payload['issuedAt'])}, log entry ${registration.leafIndex}.`;
  });
}
