/**
 * Verification of a proof bundle, written once and run by both the citizen
 * page (in the browser, with @noble/curves) and `chancery verify` (with
 * node:crypto). It trusts nothing in the bundle except what the trusted log
 * key and the department's signature vouch for, and reports each check as a
 * step a person can read, instead of a single yes/no.
 *
 * Pure: no node:* imports, no clock (the caller passes `now`), no I/O.
 */

import { canonicalBytes, canonicalJson } from '../canonical/canonical-json.js';
import { batchIdFor, batchRecordIdFor, certificationIdFor } from '../certification/certification-id.js';
import { batchStream, certificationStream } from '../certification/events.js';
import { fromHex } from '../crypto/hex.js';
import { keyIdOf } from '../crypto/key-id.js';
import {
  type Cosigner,
  policyDigest,
  type TrustPolicy,
  type Witnessing,
  witnessingOf,
} from '../federation/index.js';
import {
  type Checkpoint,
  cosignatureVerifier,
  decodeBase64,
  type Ed25519Verify,
  ed25519NoteVerifier,
  formatKeyId,
  hashesEqual,
  LogProofError,
  leafHash,
  type NoteVerifier,
  parseCheckpoint,
  parseNote,
  verifyBatchPath,
  verifyInclusion,
  verifyNote,
} from '../log/index.js';
import type { JsonObject, JsonValue } from '../shared/json.js';
import {
  type CertificationStatusName,
  type LogEntry,
  type ProofBundleV1,
  parseProofBundle,
} from './proof-bundle.js';

export type VerificationStepId =
  | 'bundle'
  | 'signature'
  | 'inclusion'
  | 'checkpoint'
  | 'validity'
  | 'status'
  | 'batch'
  | 'document';

export interface VerificationStep {
  readonly id: VerificationStepId;
  /** What was checked, in a few plain words. */
  readonly label: string;
  readonly ok: boolean;
  /** Why it passed or failed, with the facts it rests on. */
  readonly detail: string;
}

export interface VerificationReport {
  /** True only if every step passed. */
  readonly ok: boolean;
  readonly steps: readonly VerificationStep[];
  /** With a trust policy: every witness, whether it cosigned the checkpoint, and whether the quorum is met. */
  readonly witnessing?: WitnessingSummary;
}

export interface WitnessingSummary {
  readonly cosigners: readonly Cosigner[];
  readonly quorumMet: boolean;
  /** The quorum rule in words. */
  readonly quorum: string;
  /** SHA-256 (hex) of the trust policy the checkpoint was judged by. */
  readonly policyDigest: string;
  /** Whether the node that built the bundle follows the same policy (null: the bundle names none). */
  readonly samePolicyAsNode: boolean | null;
}

export interface WitnessPolicy {
  /** Witness verifier keys (C2SP vkeys of type 0x04). */
  readonly keys: readonly string[];
  /** How many of them must have cosigned the checkpoint. */
  readonly quorum: number;
}

export interface VerifyBundleOptions {
  /** RFC 8032 strict Ed25519 verification (node:crypto, or @noble/curves with zip215: false). */
  readonly verify: Ed25519Verify;
  /** The log's verifier keys (C2SP vkeys of type 0x01) the caller trusts; the key name is the origin. */
  readonly trustedLogKeys: readonly string[];
  /** Witness cosignature policy; absent while the network has no witnesses. */
  readonly witnesses?: WitnessPolicy;
  /**
   * A C2SP tlog-policy the caller trusts: its logs are trusted beside trustedLogKeys, and the checkpoint
   * must carry cosignatures meeting its quorum. Takes the place of `witnesses`.
   */
  readonly policy?: TrustPolicy;
  /** Milliseconds since the epoch, for the validity window. */
  readonly now: number;
  /** The certification the caller asked for (from the proof URL); a bundle for another one fails. */
  readonly expectedCertificationId?: string;
  /** Lower-case hex SHA-256 of a document the user supplied, to compare with the certified digest. */
  readonly documentDigest?: string;
}

export const STEP_LABELS: Readonly<Record<VerificationStepId, string>> = {
  bundle: 'The proof can be read',
  signature: 'Signed by the issuing department',
  inclusion: 'Recorded in the public log',
  checkpoint: 'Log checkpoint signed by the log',
  validity: 'Within its validity period',
  status: 'Not suspended or revoked',
  batch: 'Inside its certified batch',
  document: 'Your document matches the certified one',
};

/** The two entries that certify: one record, or a batch whose root the record's batch path leads to. */
const CERTIFYING_EVENTS: Readonly<
  Record<
    string,
    { readonly command: 'CertifyRecord' | 'CertifyBatch'; readonly signedFields: readonly string[] }
  >
> = {
  RecordCertified: {
    command: 'CertifyRecord',
    signedFields: ['recordDigest', 'recordType', 'validFrom', 'subjectRef', 'validUntil', 'metadata'],
  },
  BatchCertified: {
    command: 'CertifyBatch',
    signedFields: ['recordType', 'validFrom', 'validUntil', 'metadata', 'batchRoot', 'count'],
  },
};

const STATUS_OF_EVENT: Readonly<Record<string, CertificationStatusName>> = {
  RecordCertified: 'active',
  BatchCertified: 'active',
  CertificationSuspended: 'suspended',
  CertificationReinstated: 'active',
  CertificationRevoked: 'revoked',
};

/** A check that failed, with a message fit to show as the step's detail. */
class StepFailure extends Error {}

function ensure(condition: boolean, message: string): asserts condition {
  if (!condition) throw new StepFailure(message);
}

function step(id: VerificationStepId, check: () => string): VerificationStep {
  try {
    return { id, label: STEP_LABELS[id], ok: true, detail: check() };
  } catch (error) {
    // Only our own failures and the log library's typed errors are expected; anything else is still a failure.
    const detail =
      error instanceof StepFailure || error instanceof LogProofError
        ? error.message
        : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    return { id, label: STEP_LABELS[id], ok: false, detail };
  }
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function text(value: JsonValue | undefined, what: string): string {
  ensure(typeof value === 'string', `${what} is missing`);
  return value;
}

function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
}

function decodeHashes(hashes: readonly string[], what: string): Uint8Array[] {
  return hashes.map((hash, i) => {
    const bytes = decodeBase64(hash);
    ensure(bytes !== undefined && bytes.length === 32, `${what} hash ${i} is not base64 of 32 bytes`);
    return bytes;
  });
}

function safeVerify(verify: Ed25519Verify, key: Uint8Array, message: Uint8Array, sig: Uint8Array): boolean {
  try {
    return verify(key, message, sig) === true;
  } catch {
    // A verifier must not throw on hostile input; if one does, the signature simply does not count.
    return false;
  }
}

/** The checkpoint body, read (not yet verified) so inclusion can be checked against its root. */
function readCheckpoint(bundle: ProofBundleV1): Checkpoint {
  const cp = parseCheckpoint(parseNote(bundle.checkpoint).text);
  ensure(
    cp.treeSize === bundle.treeSize,
    `the bundle says the log has ${bundle.treeSize} entries, the checkpoint says ${cp.treeSize}`,
  );
  return cp;
}

function checkIncluded(
  entry: LogEntry,
  leafIndex: number,
  proof: readonly string[],
  cp: Checkpoint,
  what: string,
) {
  // The leaf is the RFC 8785 form of the entry: re-encoding it is how the bytes the log hashed are recovered.
  const hash = leafHash(canonicalBytes(entry));
  try {
    verifyInclusion(leafIndex, cp.treeSize, hash, decodeHashes(proof, what), cp.rootHash);
  } catch (error) {
    if (error instanceof LogProofError && error.code === 'INCLUSION_PROOF_INVALID') {
      throw new StepFailure(
        `the ${what} does not lead to the checkpoint's root: the entry or the proof was altered`,
      );
    }
    throw error;
  }
}

function signatureStep(bundle: ProofBundleV1, options: VerifyBundleOptions): VerificationStep {
  return step('signature', () => {
    const { entry, key, certificationId } = bundle;
    const expected = options.expectedCertificationId;
    ensure(
      expected === undefined || expected === certificationId,
      `this proof is for ${certificationId}, not for ${expected}`,
    );
    const kind = CERTIFYING_EVENTS[entry.type];
    ensure(kind !== undefined, `the entry is a ${entry.type} event, not a certification`);
    const envelope = entry.envelope;
    ensure(envelope !== null, 'the entry carries no signed command');
    const payload = envelope['payload'];
    const signature = envelope['signature'];
    ensure(isObject(payload) && isObject(signature), 'the signed command is malformed');
    ensure(payload['type'] === kind.command, `the signed command is not a ${kind.command} command`);

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
      safeVerify(options.verify, publicKey, canonicalBytes(payload), value),
      `the signature of ${actor} does not verify: the signed command was altered or signed by another key`,
    );

    // The event must say exactly what the signed command asked for.
    const { data } = entry;
    const commandId = text(payload['commandId'], 'the command id');
    if (kind.command === 'CertifyRecord') {
      const derivedId = certificationIdFor(actor, commandId);
      ensure(
        data['certificationId'] === derivedId && derivedId === certificationId,
        `the certification id ${String(data['certificationId'])} is not the one ${actor}'s command yields`,
      );
      ensure(entry.stream === certificationStream(derivedId), `the entry belongs to stream ${entry.stream}`);
      ensure(
        bundle.batch === undefined,
        'the entry certifies one record, yet the bundle places it in a batch',
      );
    } else {
      const batchId = batchIdFor(actor, commandId);
      ensure(
        data['batchId'] === batchId,
        `the batch id ${String(data['batchId'])} is not the one ${actor}'s command yields`,
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
    ensure(data['issuerId'] === actor, `the entry names issuer ${String(data['issuerId'])}, not ${actor}`);
    for (const field of kind.signedFields) {
      ensure(sameJson(data[field], payload[field]), `the entry's ${field} differs from the signed command's`);
    }
    const issuedAt = text(payload['issuedAt'], 'the signing time');
    ensure(data['certifiedAt'] === issuedAt, "the entry's certifiedAt differs from the signing time");

    // A retired key may still have made valid signatures, but only before it was retired.
    const signedAt = Date.parse(issuedAt);
    ensure(Number.isFinite(signedAt), `the signing time ${issuedAt} is not a time`);
    if (key.retiredAt !== null) {
      ensure(
        signedAt <= Date.parse(key.retiredAt),
        `signed at ${issuedAt}, after the key was retired at ${key.retiredAt}`,
      );
    }
    const period =
      key.retiredAt === null
        ? `in use since ${key.activeFrom}`
        : `in use from ${key.activeFrom} until ${key.retiredAt}`;
    const what =
      kind.command === 'CertifyRecord' ? 'this certification' : `a batch of ${String(data['count'])} records`;
    return `${actor} signed ${what} on ${issuedAt} with key ${key.keyId} (${period}).`;
  });
}

function inclusionStep(bundle: ProofBundleV1): VerificationStep {
  return step('inclusion', () => {
    const cp = readCheckpoint(bundle);
    checkIncluded(bundle.entry, bundle.leafIndex, bundle.inclusionProof, cp, 'inclusion proof');
    const what = bundle.entry.type === 'BatchCertified' ? "The record's batch" : 'The certification';
    return `${what} is entry ${bundle.leafIndex} of the ${cp.treeSize} entries in the checkpoint's log tree.`;
  });
}

function verifierFor(vkey: string, make: () => NoteVerifier): NoteVerifier {
  try {
    return make();
  } catch (error) {
    const reason = error instanceof LogProofError ? error.message : 'unreadable';
    throw new StepFailure(`the trusted key ${vkey.slice(0, 80)} is malformed: ${reason}`);
  }
}

function names(cosigners: readonly Cosigner[]): string {
  return cosigners.length === 0 ? 'no witness' : cosigners.map((c) => c.name).join(', ');
}

/** The checkpoint step under a trust policy: log signature, then each witness and the quorum. */
function policyCheckpointStep(
  bundle: ProofBundleV1,
  options: VerifyBundleOptions & { policy: TrustPolicy },
  report: (summary: WitnessingSummary) => void,
): VerificationStep {
  return step('checkpoint', () => {
    const { policy } = options;
    ensure(
      options.trustedLogKeys.length > 0 || policy.logs.length > 0,
      'no trusted log key was given, and the policy lists no log',
    );
    for (const k of options.trustedLogKeys) verifierFor(k, () => ed25519NoteVerifier(k, options.verify));
    let witnessing: Witnessing;
    try {
      witnessing = witnessingOf(bundle.checkpoint, policy, options.verify, options.trustedLogKeys);
    } catch (error) {
      if (error instanceof LogProofError && error.code === 'NOTE_UNVERIFIED') {
        throw new StepFailure(
          'the checkpoint is not signed by any log you trust: it may come from another log',
        );
      }
      if (error instanceof LogProofError && error.code === 'NOTE_SIGNATURE_INVALID') {
        throw new StepFailure(`the checkpoint was altered: ${error.message}`);
      }
      throw error;
    }
    const cp = witnessing.checkpoint;
    ensure(
      cp.treeSize === bundle.treeSize,
      `the checkpoint is for ${cp.treeSize} entries, not ${bundle.treeSize}`,
    );
    const digest = policyDigest(policy.text);
    report({
      cosigners: witnessing.cosigners,
      quorumMet: witnessing.quorumMet,
      quorum: witnessing.quorum,
      policyDigest: digest,
      samePolicyAsNode: bundle.policyDigest === undefined ? null : bundle.policyDigest === digest,
    });
    const signed = `Signed by the log ${cp.origin} at ${cp.treeSize} entries.`;
    const cosigned = witnessing.cosigners.filter((c) => c.cosigned);
    const missing = witnessing.cosigners.filter((c) => !c.cosigned);
    const who =
      `Cosigned by ${names(cosigned)} (${cosigned.length} of ${witnessing.cosigners.length} witnesses)` +
      (missing.length === 0 ? '' : `; not by ${names(missing)}`);
    ensure(witnessing.quorumMet, `${signed} ${who}: the quorum (${witnessing.quorum}) is not met.`);
    return `${signed} ${who}: the quorum (${witnessing.quorum}) is met.`;
  });
}

function checkpointStep(bundle: ProofBundleV1, options: VerifyBundleOptions): VerificationStep {
  return step('checkpoint', () => {
    ensure(options.trustedLogKeys.length > 0, 'no trusted log key was given');
    const logVerifiers = options.trustedLogKeys.map((k) =>
      verifierFor(k, () => ed25519NoteVerifier(k, options.verify)),
    );
    const witnessKeys = options.witnesses?.keys ?? [];
    const witnessVerifiers = witnessKeys.map((k) =>
      verifierFor(k, () => cosignatureVerifier(k, options.verify)),
    );
    const isLogSignature = (name: string, id: number) =>
      logVerifiers.some((v) => v.keyName === name && v.keyId === id);
    let verified: ReturnType<typeof verifyNote>;
    try {
      verified = verifyNote(bundle.checkpoint, [...logVerifiers, ...witnessVerifiers]);
    } catch (error) {
      if (error instanceof LogProofError && error.code === 'NOTE_UNVERIFIED') {
        throw new StepFailure(
          'the checkpoint is not signed by any key you trust: it may come from another log',
        );
      }
      if (error instanceof LogProofError && error.code === 'NOTE_SIGNATURE_INVALID') {
        throw new StepFailure(`the checkpoint was altered: ${error.message}`);
      }
      throw error;
    }
    const cp = parseCheckpoint(verified.text);
    const bySigner = verified.verified.filter((s) => isLogSignature(s.keyName, s.keyId));
    ensure(bySigner.length > 0, 'only witnesses signed the checkpoint, not the log itself');
    // The log's key name is its origin; a trusted key of another log must not vouch for this one.
    const signer = bySigner.find((s) => s.keyName === cp.origin);
    ensure(signer !== undefined, `the checkpoint is for log ${cp.origin}, which no trusted key names`);
    ensure(
      cp.treeSize === bundle.treeSize,
      `the checkpoint is for ${cp.treeSize} entries, not ${bundle.treeSize}`,
    );
    const signed = `Signed by the log ${cp.origin} (key ${formatKeyId(signer.keyId)}) at ${cp.treeSize} entries.`;
    if (options.witnesses === undefined || witnessKeys.length === 0) {
      return `${signed} No witnesses configured: the checkpoint rests on the log's signature alone.`;
    }
    const cosigned = verified.verified.length - bySigner.length;
    ensure(
      cosigned >= options.witnesses.quorum,
      `${signed} Only ${cosigned} of the required ${options.witnesses.quorum} witnesses cosigned it.`,
    );
    return `${signed} Cosigned by ${cosigned} of ${witnessKeys.length} witnesses (${options.witnesses.quorum} required).`;
  });
}

function validityStep(bundle: ProofBundleV1, now: number): VerificationStep {
  return step('validity', () => {
    const from = text(bundle.entry.data['validFrom'], 'validFrom');
    const untilValue = bundle.entry.data['validUntil'];
    const until = untilValue === null ? null : text(untilValue, 'validUntil');
    const fromMs = Date.parse(from);
    const untilMs = until === null ? Number.POSITIVE_INFINITY : Date.parse(until);
    // NaN compares false everywhere: test for it so an unreadable date fails instead of passing.
    ensure(!Number.isNaN(fromMs) && !Number.isNaN(untilMs), 'the validity dates are not readable');
    ensure(now >= fromMs, `not valid yet: valid from ${from}`);
    ensure(now < untilMs, `expired: was valid until ${until}`);
    return until === null ? `Valid since ${from}, with no end date.` : `Valid from ${from} until ${until}.`;
  });
}

function statusStep(bundle: ProofBundleV1): VerificationStep {
  return step('status', () => {
    const { status } = bundle;
    const { entry } = status;
    // Otherwise a status proof from another record could stand in for this record's revocation.
    if (entry.type === 'BatchCertified') {
      // A batch's entry speaks for every record in it, so it may stand only for the batch this bundle proves.
      ensure(
        status.leafIndex === bundle.leafIndex && canonicalJson(entry) === canonicalJson(bundle.entry),
        `the status entry is the entry of batch ${String(entry.data['batchId'])}, not of this record's batch`,
      );
    } else {
      ensure(
        entry.data['certificationId'] === bundle.certificationId &&
          entry.stream === certificationStream(bundle.certificationId),
        `the status entry is about ${String(entry.data['certificationId'])}, not ${bundle.certificationId}`,
      );
    }
    const proven = STATUS_OF_EVENT[entry.type];
    ensure(proven !== undefined, `the status entry is a ${entry.type} event, not a status change`);
    // A status older than the certification cannot be its current status.
    ensure(
      status.leafIndex >= bundle.leafIndex,
      'the status entry comes before the certification in the log',
    );
    ensure(
      CERTIFYING_EVENTS[entry.type] === undefined || status.leafIndex === bundle.leafIndex,
      'the status entry is a different certification event',
    );
    ensure(proven === status.status, `the bundle says ${status.status}, but its status entry says ${proven}`);
    checkIncluded(entry, status.leafIndex, status.inclusionProof, readCheckpoint(bundle), 'status proof');
    const at = typeof entry.data['at'] === 'string' ? entry.data['at'] : '';
    const by = typeof entry.data['by'] === 'string' ? entry.data['by'] : '';
    const reason = typeof entry.data['reason'] === 'string' ? entry.data['reason'] : '';
    ensure(proven !== 'revoked', `Revoked on ${at} by ${by}: ${reason}`);
    ensure(proven !== 'suspended', `Suspended on ${at} by ${by}: ${reason}`);
    if (CERTIFYING_EVENTS[entry.type] !== undefined) {
      return `Active. The node reports no suspension or revocation in the log's first ${bundle.treeSize} entries.`;
    }
    return `Active: reinstated on ${at} by ${by} (log entry ${status.leafIndex}).`;
  });
}

function batchStep(bundle: ProofBundleV1): VerificationStep {
  return step('batch', () => {
    const { batch, entry } = bundle;
    ensure(entry.type === 'BatchCertified', `the entry is a ${entry.type} event, which certifies no batch`);
    ensure(batch !== undefined, 'the entry certifies a batch, but the bundle gives no path into it');
    const signedRoot = fromHex(text(entry.data['batchRoot'], 'the signed batch root'));
    ensure(
      signedRoot !== null && signedRoot.length === 32,
      'the signed batch root is not a hex SHA-256 hash',
    );
    const root = decodeBase64(batch.root);
    // The bundle's copy of the root is a convenience; only the signed one counts.
    ensure(
      root !== undefined && hashesEqual(root, signedRoot),
      'the batch root in the bundle is not the one the department signed',
    );
    ensure(
      entry.data['count'] === batch.count,
      `the bundle says the batch has ${batch.count} records, the signed entry says ${String(entry.data['count'])}`,
    );
    const digest = fromHex(batch.recordDigest);
    ensure(
      digest !== null && digest.length === 32,
      'the record digest is not a lower-case hex SHA-256 digest',
    );
    const path = decodeHashes(batch.path, 'batch path');
    try {
      verifyBatchPath(digest, batch.index, batch.count, path, signedRoot);
    } catch (error) {
      if (error instanceof LogProofError && error.code === 'INCLUSION_PROOF_INVALID') {
        throw new StepFailure(
          'the batch path does not lead to the signed batch root: the record digest or the path was altered',
        );
      }
      throw error;
    }
    return `Record ${batch.index + 1} of the ${batch.count} in batch ${String(entry.data['batchId'])}: its digest leads to the batch root the department signed.`;
  });
}

function documentStep(bundle: ProofBundleV1, digest: string): VerificationStep {
  return step('document', () => {
    // A batch entry signs the root; the record's digest is the leaf the batch step proved under it.
    const certified =
      bundle.batch === undefined
        ? text(bundle.entry.data['recordDigest'], 'the certified digest')
        : bundle.batch.recordDigest;
    ensure(
      digest.toLowerCase() === certified,
      `your document's SHA-256 is ${digest.toLowerCase()}, the certified one is ${certified}: it is a different document`,
    );
    return `Your document's SHA-256 is ${certified}, the certified digest.`;
  });
}

/**
 * Verifies an untrusted proof bundle (parsed JSON) and returns every check as
 * a step, in the order a person would read them: signature, inclusion,
 * checkpoint, validity, status, then the batch path and the document when
 * present. Never throws; `ok` is true only if every step passed.
 */
export function verifyProofBundle(input: unknown, options: VerifyBundleOptions): VerificationReport {
  const parsed = parseProofBundle(input);
  if (!parsed.ok) {
    return {
      ok: false,
      steps: [{ id: 'bundle', label: STEP_LABELS.bundle, ok: false, detail: parsed.reason }],
    };
  }
  const { bundle } = parsed;
  let witnessing: WitnessingSummary | undefined;
  const { policy } = options;
  const steps: VerificationStep[] = [
    signatureStep(bundle, options),
    inclusionStep(bundle),
    policy === undefined
      ? checkpointStep(bundle, options)
      : policyCheckpointStep(bundle, { ...options, policy }, (summary) => {
          witnessing = summary;
        }),
    validityStep(bundle, options.now),
    statusStep(bundle),
  ];
  if (bundle.batch !== undefined || bundle.entry.type === 'BatchCertified') steps.push(batchStep(bundle));
  if (options.documentDigest !== undefined) steps.push(documentStep(bundle, options.documentDigest));
  const ok = steps.every((s) => s.ok);
  return witnessing === undefined ? { ok, steps } : { ok, steps, witnessing };
}
