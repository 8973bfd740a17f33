/**
 * The proof bundle, version 1: everything a citizen's browser or the offline
 * CLI needs to check one certification against a trusted log key, with no
 * other request to the node. schemas/proof-bundle-v1.json describes the same
 * shape for integrators; this module is the verifier's own defensive parser.
 *
 * Pure: no node:* imports, no clock, no I/O, so it bundles for the browser.
 */

import type { JsonObject, JsonValue } from '../shared/json.js';

export const PROOF_BUNDLE_VERSION = 1;

/** A leaf of the log: its RFC 8785 bytes are exactly what was hashed into the tree. */
export interface LogEntry {
  readonly type: string;
  readonly stream: string;
  readonly data: JsonObject;
  /** The signed command that caused the event; null for events no client signed (genesis). */
  readonly envelope: JsonObject | null;
}

/** A log entry with its position and inclusion proof under the bundle's checkpoint. */
export interface IncludedEntry {
  readonly entry: LogEntry;
  readonly leafIndex: number;
  /** base64 SHA-256 hashes, the leaf's sibling first, the root's child last (RFC 9162 §2.1.3). */
  readonly inclusionProof: readonly string[];
}

export type CertificationStatusName = 'active' | 'suspended' | 'revoked';

/** The entry that last set the certification's status (the certification entry itself if none did). */
export interface StatusProof extends IncludedEntry {
  readonly status: CertificationStatusName;
}

/** The issuing department's key as the identity registry holds it, named by the envelope's keyId. */
export interface IssuerKey {
  readonly keyId: string;
  readonly identityId: string;
  /** base64 of the raw 32-byte Ed25519 public key. */
  readonly publicKey: string;
  readonly activeFrom: string;
  readonly retiredAt: string | null;
}

/**
 * Where a bulk-certified record sits in its batch tree: the bundle's entry is
 * then the batch's BatchCertified entry, which signs the root and the count,
 * and this path leads from the record's digest to that root.
 */
export interface BatchPath {
  /** base64 of the batch root; must equal the entry's signed batchRoot. */
  readonly root: string;
  readonly count: number;
  /** The record's 0-based leaf index in the batch tree. */
  readonly index: number;
  /** base64 RFC 6962 audit path, the leaf's sibling first (RFC 9162 §2.1.3). */
  readonly path: readonly string[];
  /** Lower-case hex SHA-256 of the record: the leaf is SHA-256(0x00 ‖ digest). */
  readonly recordDigest: string;
}

export interface ProofBundleV1 extends IncludedEntry {
  readonly version: 1;
  readonly certificationId: string;
  readonly treeSize: number;
  /** The checkpoint as a C2SP signed note, cosignatures included, exactly as published. */
  readonly checkpoint: string;
  readonly status: StatusProof;
  readonly key: IssuerKey;
  readonly batch?: BatchPath;
  /**
   * SHA-256 (lower-case hex) of the C2SP tlog-policy the node follows (GET /v1/federation/policy): which
   * witnesses it asks and the quorum that makes a checkpoint final. A name, not a trust anchor: a verifier
   * judges the cosignatures by a policy it trusts, and can tell whether it is the same one.
   */
  readonly policyDigest?: string;
}

export type ParsedBundle = { ok: true; bundle: ProofBundleV1 } | { ok: false; reason: string };

/** Bounds on hostile input, checked before anything is decoded or hashed. */
const MAX_PROOF_HASHES = 64;
const MAX_CHECKPOINT_LENGTH = 64 * 1024;
const MAX_STRING_LENGTH = 512;

export const STATUSES: readonly CertificationStatusName[] = ['active', 'suspended', 'revoked'];

export class BundleShapeError extends Error {}

export function fail(message: string): never {
  throw new BundleShapeError(message);
}

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function object(value: unknown, what: string): JsonObject {
  if (!isObject(value)) fail(`${what} must be an object`);
  return value;
}

export function string(value: unknown, what: string, max = MAX_STRING_LENGTH): string {
  // Bounded so a hostile bundle cannot make the page render megabytes of one field.
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    fail(`${what} must be a non-empty string of at most ${max} characters`);
  }
  return value;
}

export function nullableString(value: unknown, what: string): string | null {
  return value === null ? null : string(value, what);
}

export function count(value: unknown, what: string): number {
  // Leaf indexes and sizes are JS numbers; beyond 2^53 they would silently lose precision.
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(`${what} must be a non-negative safe integer`);
  }
  return value;
}

export function hashList(value: unknown, what: string): string[] {
  if (!Array.isArray(value)) fail(`${what} must be an array of base64 hashes`);
  // No real tree needs more than 64 hashes; refuse before touching any of them.
  if (value.length > MAX_PROOF_HASHES) fail(`${what} has more than ${MAX_PROOF_HASHES} hashes`);
  return value.map((hash, i) => string(hash, `${what}[${i}]`, 44));
}

export function logEntry(value: unknown, what: string): LogEntry {
  const entry = object(value, what);
  const envelope = entry['envelope'];
  return {
    type: string(entry['type'], `${what}.type`),
    stream: string(entry['stream'], `${what}.stream`),
    data: object(entry['data'], `${what}.data`),
    envelope: envelope === null ? null : object(envelope, `${what}.envelope`),
  };
}

export function includedEntry(value: JsonObject, what: string): IncludedEntry {
  return {
    entry: logEntry(value['entry'], `${what}entry`),
    leafIndex: count(value['leafIndex'], `${what}leafIndex`),
    inclusionProof: hashList(value['inclusionProof'], `${what}inclusionProof`),
  };
}

function parseStrict(value: unknown): ProofBundleV1 {
  const root = object(value, 'bundle');
  // A future version may change what the fields mean; refuse rather than misread it.
  if (root['version'] !== PROOF_BUNDLE_VERSION) fail(`version must be ${PROOF_BUNDLE_VERSION}`);
  const status = object(root['status'], 'status');
  const statusName = status['status'];
  if (typeof statusName !== 'string' || !(STATUSES as readonly string[]).includes(statusName)) {
    fail(`status.status must be one of ${STATUSES.join(', ')}`);
  }
  const key = object(root['key'], 'key');
  let bundle: ProofBundleV1 = {
    version: 1,
    certificationId: string(root['certificationId'], 'certificationId'),
    ...includedEntry(root, ''),
    treeSize: count(root['treeSize'], 'treeSize'),
    checkpoint: string(root['checkpoint'], 'checkpoint', MAX_CHECKPOINT_LENGTH),
    status: { ...includedEntry(status, 'status.'), status: statusName as CertificationStatusName },
    key: {
      keyId: string(key['keyId'], 'key.keyId'),
      identityId: string(key['identityId'], 'key.identityId'),
      publicKey: string(key['publicKey'], 'key.publicKey'),
      activeFrom: string(key['activeFrom'], 'key.activeFrom'),
      retiredAt: nullableString(key['retiredAt'], 'key.retiredAt'),
    },
  };
  const digest = root['policyDigest'];
  if (digest !== undefined) {
    if (typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest))
      fail('policyDigest must be hex SHA-256');
    bundle = { ...bundle, policyDigest: digest };
  }
  const batch = root['batch'];
  if (batch === undefined) return bundle;
  return { ...bundle, batch: batchPath(batch) };
}

export function batchPath(batch: unknown): BatchPath {
  const b = object(batch, 'batch');
  return {
    root: string(b['root'], 'batch.root', 44),
    count: count(b['count'], 'batch.count'),
    index: count(b['index'], 'batch.index'),
    path: hashList(b['path'], 'batch.path'),
    recordDigest: string(b['recordDigest'], 'batch.recordDigest', 64),
  };
}

/**
 * Checks the shape of an untrusted bundle (parsed JSON) and returns it typed,
 * or the first reason it is not a v1 bundle. Only the shape: every signature,
 * hash and cross-reference is the verifier's job. Never throws.
 */
export function parseProofBundle(value: unknown): ParsedBundle {
  try {
    return { ok: true, bundle: parseStrict(value) };
  } catch (error) {
    if (error instanceof BundleShapeError) return { ok: false, reason: error.message };
    return { ok: false, reason: 'the bundle could not be read' };
  }
}

/** Reads a field of an entry's data as a string, or undefined. */
export function dataString(entry: LogEntry, field: string): string | undefined {
  const value: JsonValue | undefined = entry.data[field];
  return typeof value === 'string' ? value : undefined;
}
