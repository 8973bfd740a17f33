import { canonicalBytes, canonicalJson } from '../canonical/canonical-json.js';
import { batchIdFor, batchRecordIdFor, certificationIdFor } from '../certification/certification-id.js';
import { batchStream, certificationStream } from '../certification/events.js';
import { keyIdOf } from '../crypto/key-id.js';
import { decodeBase64, type Ed25519Verify } from '../log/index.js';
import type { JsonObject, JsonValue } from '../shared/json.js';
import { CERTIFYING_EVENTS, type CertifyingEvent } from './certifying-events.js';
import type { BatchPath, IssuerKey, LogEntry, ProofBundleV1 } from './proof-bundle.js';
import type { VerificationStep } from './verification-report.js';
import { ensure, step, text } from './verification-step.js';
import type { VerifyBundleOptions } from './verify-options.js';

/** What the signature checks read of a bundle of either version. */
export interface CertifiedBundle {
  readonly certificationId: string;
  readonly entry: LogEntry;
  readonly batch?: BatchPath;
}

/** The certifying command an entry carries, not yet checked against any key. */
export interface CertifyingCommand {
  readonly kind: CertifyingEvent;
  readonly payload: JsonObject;
  readonly signature: JsonObject;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
}

function safeVerify(verify: Ed25519Verify, key: Uint8Array, message: Uint8Array, sig: Uint8Array): boolean {
  try {
    return verify(key, message, sig) === true;
  } catch {
    // A verifier must not throw on hostile input; if one does, the signature simply does not count.
    return false;
  }
}

export function certifyingCommand(entry: LogEntry): CertifyingCommand {
  const kind = CERTIFYING_EVENTS[entry.type];
  ensure(kind !== undefined, `the entry is a ${entry.type} event, not a certification`);
  const envelope = entry.envelope;
  ensure(envelope !== null, 'the entry carries no signed command');
  const payload = envelope['payload'];
  const signature = envelope['signature'];
  ensure(isObject(payload) && isObject(signature), 'the signed command is malformed');
  ensure(payload['type'] === kind.command, `the signed command is not a ${kind.command} command`);
  return { kind, payload, signature };
}

/** Checks that the bundle's key is the one the command names, and that it signed the command; returns the signer. */
export function checkSignedBy(
  key: Pick<IssuerKey, 'keyId' | 'identityId' | 'publicKey'>,
  command: CertifyingCommand,
  verify: Ed25519Verify,
): string {
  const { payload, signature } = command;
  const publicKey = decodeBase64(key.publicKey);
  ensure(publicKey !== undefined && publicKey.length === 32, 'the public key is not base64 of 32 bytes');
  // The key id is derived from the key, so a bundle cannot pair one key's name with another key.
  ensure(keyIdOf(publicKey) === key.keyId, `the public key does not match key id ${key.keyId}`);
  ensure(
    signature['keyId'] === key.keyId && payload['keyId'] === key.keyId,
    `the command names key ${String(signature['keyId'])}, but the bundle carries key ${key.keyId}`,
  );
  ensure(signature['alg'] === 'Ed25519', 'the signature is not an Ed25519 signature');
  const actor = text(payload['actor'], 'the signer');
  ensure(key.identityId === actor, `the key belongs to ${key.identityId}, but ${actor} signed`);
  const value = decodeBase64(text(signature['value'], 'the signature'));
  ensure(value !== undefined && value.length === 64, 'the signature is not base64 of 64 bytes');
  ensure(
    safeVerify(verify, publicKey, canonicalBytes(payload), value),
    `the signature of ${actor} does not verify: the signed command was altered or signed by another key`,
  );
  return actor;
}

function checkRecordIds(bundle: CertifiedBundle, actor: string, commandId: string): void {
  const { entry, certificationId } = bundle;
  const derivedId = certificationIdFor(actor, commandId);
  ensure(
    entry.data['certificationId'] === derivedId && derivedId === certificationId,
    `the certification id ${String(entry.data['certificationId'])} is not the one ${actor}'s command yields`,
  );
  ensure(entry.stream === certificationStream(derivedId), `the entry belongs to stream ${entry.stream}`);
  ensure(bundle.batch === undefined, 'the entry certifies one record, yet the bundle places it in a batch');
}

function checkBatchIds(bundle: CertifiedBundle, actor: string, commandId: string): void {
  const { entry, certificationId } = bundle;
  const batchId = batchIdFor(actor, commandId);
  ensure(
    entry.data['batchId'] === batchId,
    `the batch id ${String(entry.data['batchId'])} is not the one ${actor}'s command yields`,
  );
  ensure(entry.stream === batchStream(batchId), `the entry belongs to stream ${entry.stream}`);
  ensure(bundle.batch !== undefined, 'the entry certifies a batch, but the bundle gives no path into it');
  // The record's id is derived from its place in the batch, so the id cannot be moved to another record.
  const recordId = batchRecordIdFor(batchId, bundle.batch.index);
  ensure(
    recordId === certificationId,
    `the certification id ${certificationId} is not record ${bundle.batch.index} of batch ${batchId}`,
  );
}

/** The event must say exactly what the signed command asked for. Returns the signing time. */
export function checkEventFollows(
  bundle: CertifiedBundle,
  command: CertifyingCommand,
  actor: string,
): string {
  const { kind, payload } = command;
  const { data } = bundle.entry;
  const commandId = text(payload['commandId'], 'the command id');
  if (kind.command === 'CertifyRecord') checkRecordIds(bundle, actor, commandId);
  else checkBatchIds(bundle, actor, commandId);
  ensure(data['issuerId'] === actor, `the entry names issuer ${String(data['issuerId'])}, not ${actor}`);
  for (const field of kind.signedFields) {
    ensure(sameJson(data[field], payload[field]), `the entry's ${field} differs from the signed command's`);
  }
  const issuedAt = text(payload['issuedAt'], 'the signing time');
  ensure(data['certifiedAt'] === issuedAt, "the entry's certifiedAt differs from the signing time");
  return issuedAt;
}

/** A retired key may still have made valid signatures, but only before it was retired. Returns its period in words. */
function checkKeyInUse(key: IssuerKey, issuedAt: string): string {
  const signedAt = Date.parse(issuedAt);
  ensure(Number.isFinite(signedAt), `the signing time ${issuedAt} is not a time`);
  if (key.retiredAt !== null) {
    ensure(
      signedAt <= Date.parse(key.retiredAt),
      `signed at ${issuedAt}, after the key was retired at ${key.retiredAt}`,
    );
  }
  return key.retiredAt === null
    ? `in use since ${key.activeFrom}`
    : `in use from ${key.activeFrom} until ${key.retiredAt}`;
}

export function signatureStep(bundle: ProofBundleV1, options: VerifyBundleOptions): VerificationStep {
  return step('signature', () => {
    const { entry, key, certificationId } = bundle;
    const expected = options.expectedCertificationId;
    ensure(
      expected === undefined || expected === certificationId,
      `this proof is for ${certificationId}, not for ${expected}`,
    );
    const command = certifyingCommand(entry);
    const actor = checkSignedBy(key, command, options.verify);
    const issuedAt = checkEventFollows(bundle, command, actor);
    const period = checkKeyInUse(key, issuedAt);
    const what =
      command.kind.command === 'CertifyRecord'
        ? 'this certification'
        : `a batch of ${String(entry.data['count'])} records`;
    return `${actor} signed ${what} on ${issuedAt} with key ${key.keyId} (${period}).`;
  });
}
