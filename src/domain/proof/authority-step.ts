import { canonicalBytes } from '../canonical/canonical-json.js';
import { keyIdOf } from '../crypto/key-id.js';
import { decodeBase64, type Ed25519Verify } from '../log/index.js';
import { type KeyRecord, stateKey } from '../log-state/state-records.js';
import type { JsonObject, JsonValue } from '../shared/json.js';
import { checkIncluded, readCheckpoint } from './inclusion-step.js';
import { keyRecordOf, mapRootOf, provenAt } from './map-state.js';
import type { IncludedEntry } from './proof-bundle.js';
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

/** The public keys (base64) a signed command binds to `identityId`: a registration, the genesis or a rotation. */
function boundKeys(payload: JsonObject, identityId: string): string[] {
  if (payload['identityId'] !== identityId) return [];
  const type = payload['type'];
  if (type === 'RegisterIdentity' || type === 'RegisterAuthority') {
    const keys = payload['publicKeys'];
    return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [];
  }
  const added = payload['newPublicKey'];
  return type === 'RotateIdentityKey' && typeof added === 'string' ? [added] : [];
}

interface SignedLink {
  readonly payload: JsonObject;
  readonly keyId: string;
}

/** A link's signed command, once its signature by one of `signers` (base64 public keys) verifies. */
function signedBy(
  link: IncludedEntry,
  signers: readonly string[],
  verify: Ed25519Verify,
  who: string,
): SignedLink {
  const envelope = link.entry.envelope;
  const payload = envelope?.['payload'];
  const signature = envelope?.['signature'];
  ensure(
    isObject(payload) && isObject(signature),
    `registration entry ${link.leafIndex} carries no signed command`,
  );
  const key = pinnedKey(signers, signature['keyId']);
  ensure(
    key !== undefined && payload['keyId'] === signature['keyId'] && signature['alg'] === 'Ed25519',
    `registration entry ${link.leafIndex} is signed with key ${String(signature['keyId'])}, not by ${who}`,
  );
  ensure(
    verifies(verify, key, payload, text(signature['value'], 'the registration signature')),
    `the signature on registration entry ${link.leafIndex} does not verify: it was altered`,
  );
  return { payload, keyId: String(signature['keyId']) };
}

/**
 * The chain from the authority to the key: the first link signed by a pinned authority key, each later one
 * a rotation the holder signed with the key the previous link bound, in log order. Returns who signed first.
 */
function checkChain(
  bundle: ProofBundleV2,
  key: KeyRecord,
  keyId: string,
  options: VerifyBundleOptions,
): string {
  const links = [...(bundle.priorRegistrations ?? []), bundle.registration];
  const checkpoint = readCheckpoint(bundle);
  let signers = options.authorityKeys ?? [];
  let first = '';
  links.forEach((link, i) => {
    ensure(i === 0 || link.leafIndex > links[i - 1]!.leafIndex, 'the registrations are not in log order');
    checkIncluded(link.entry, link.leafIndex, link.inclusionProof, checkpoint, 'registration proof');
    const signed = signedBy(link, signers, options.verify, i === 0 ? 'a pinned authority key' : 'the holder');
    if (i === 0) first = signed.keyId;
    else
      ensure(
        signed.payload['type'] === 'RotateIdentityKey' && signed.payload['actor'] === key.identityId,
        `registration entry ${link.leafIndex} is not a rotation by ${key.identityId}`,
      );
    signers = boundKeys(signed.payload, key.identityId);
    ensure(signers.length > 0, `registration entry ${link.leafIndex} binds no key to ${key.identityId}`);
  });
  ensure(
    bundle.registration.leafIndex === key.registeredAt,
    `the registration given is log entry ${bundle.registration.leafIndex}, but key ${keyId} was registered by entry ${key.registeredAt}`,
  );
  ensure(signers.includes(key.publicKey), `the registration does not bind key ${keyId} to ${key.identityId}`);
  return first;
}

/**
 * The key's authority: the entry the state map names as the key's registration is in the log and binds
 * this public key to this identity, signed by an authority key the verifier pinned, or by the holder's own
 * earlier key whose registration leads back to one. A log-key holder can sign any map, but cannot make
 * the authority have signed a registration.
 */
export function authorityStep(bundle: ProofBundleV2, options: VerifyBundleOptions): VerificationStep {
  return step('authority', () => {
    ensure(
      (options.authorityKeys ?? []).length > 0,
      "no authority key is pinned, so nothing shows whose key signed: pin the authority's public key",
    );
    const keyId = text(certifyingCommand(bundle.entry).payload['keyId'], 'the key id');
    const key = keyRecordOf(provenAt(mapRootOf(bundle), stateKey.key(keyId), bundle.state.key, 'key'), keyId);
    const authority = checkChain(bundle, key, keyId, options);
    const via =
      bundle.priorRegistrations === undefined
        ? ''
        : `, through ${bundle.priorRegistrations.length} earlier key(s) of ${key.identityId}`;
    return `The authority (key ${authority}) vouches for key ${keyId} of ${key.identityId}${via}: registered at log entry ${key.registeredAt}.`;
  });
}
