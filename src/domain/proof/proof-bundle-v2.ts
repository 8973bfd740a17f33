/**
 * The proof bundle, version 2: a certification, its current state and its
 * signing key's authority, each under one cosigned checkpoint that commits to
 * the log's tree and to its state map. schemas/proof-bundle-v2.json describes
 * the same shape; this module is the verifier's own defensive parser.
 *
 * Nothing here is believed: the key's holder and window come from the map
 * proof of `key/<keyId>` and from the authority-signed registration entry, the
 * record's status from the map proof of `certification/<id>`. Unknown fields
 * are refused so that a bundle has one meaning, and nothing rides along that
 * a verifier might show without having checked it.
 *
 * Pure: no node:* imports, no clock, no I/O, so it bundles for the browser.
 */

import type { JsonObject } from '../shared/json.js';
import { parseStateProof, type StateProof, StateProofError } from '../state-map/index.js';
import {
  type BatchPath,
  BundleShapeError,
  batchPath,
  count,
  fail,
  type IncludedEntry,
  includedEntry,
  isObject,
  object,
  string,
} from './proof-bundle.js';

export const PROOF_BUNDLE_VERSION_2 = 2;

/** A value of the state map at the checkpoint's tree size (null: the key is absent), with its proof. */
export interface ProvenValue {
  readonly value: JsonObject | null;
  readonly proof: StateProof;
}

export interface BundleState {
  /** `certification/<certificationId>`: absent only for a record of a batch whose status never changed. */
  readonly certification: ProvenValue;
  /** `batch/<batchId>`: present exactly when the entry is a BatchCertified. */
  readonly batch?: ProvenValue;
  /** `key/<keyId>` of the key the signed command names. */
  readonly key: ProvenValue;
}

export interface ProofBundleV2 extends IncludedEntry {
  readonly version: 2;
  readonly certificationId: string;
  readonly treeSize: number;
  /** The checkpoint as a C2SP signed note, with its chancery-state-map line and cosignatures. */
  readonly checkpoint: string;
  readonly state: BundleState;
  /** The entry that set the record's current status, when that is not the certifying entry itself. */
  readonly statusEntry?: IncludedEntry;
  /** The entry that registered the signing key: signed by the authority, or a rotation by its holder. */
  readonly registration: IncludedEntry;
  /**
   * When the holder registered the key by rotating with an earlier key: the registrations before it, oldest
   * (signed by the authority) first, each binding the key that signed the next.
   */
  readonly priorRegistrations?: readonly IncludedEntry[];
  readonly batch?: BatchPath;
}

const TOP_FIELDS = [
  'version',
  'certificationId',
  'entry',
  'leafIndex',
  'inclusionProof',
  'treeSize',
  'checkpoint',
  'state',
  'statusEntry',
  'registration',
  'priorRegistrations',
  'batch',
];
/** A holder rotating its key every week for years is still far below this; a hostile bundle is bounded. */
const MAX_PRIOR_REGISTRATIONS = 512;
const STATE_FIELDS = ['certification', 'batch', 'key'];
const INCLUDED_FIELDS = ['entry', 'leafIndex', 'inclusionProof'];
const MAX_CHECKPOINT_LENGTH = 64 * 1024;

function onlyFields(value: JsonObject, allowed: readonly string[], what: string): void {
  for (const name of Object.keys(value)) {
    if (!allowed.includes(name)) fail(`${what} has an unknown field "${name.slice(0, 40)}"`);
  }
}

function provenValue(input: unknown, what: string): ProvenValue {
  const o = object(input, what);
  onlyFields(o, ['value', 'proof'], what);
  const value = o['value'];
  if (value !== null && !isObject(value)) fail(`${what}.value must be an object or null`);
  try {
    return { value, proof: parseStateProof(o['proof']) };
  } catch (error) {
    if (error instanceof StateProofError) fail(`${what}.proof: ${error.message}`);
    throw error;
  }
}

function included(input: unknown, what: string): IncludedEntry {
  const o = object(input, what);
  onlyFields(o, INCLUDED_FIELDS, what);
  return includedEntry(o, `${what}.`);
}

function priorRegistrations(input: unknown): IncludedEntry[] {
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_PRIOR_REGISTRATIONS)
    fail(`priorRegistrations must be an array of 1 to ${MAX_PRIOR_REGISTRATIONS} entries`);
  return input.map((link, i) => included(link, `priorRegistrations[${i}]`));
}

function bundleState(input: unknown): BundleState {
  const o = object(input, 'state');
  onlyFields(o, STATE_FIELDS, 'state');
  const state = {
    certification: provenValue(o['certification'], 'state.certification'),
    key: provenValue(o['key'], 'state.key'),
  };
  return o['batch'] === undefined ? state : { ...state, batch: provenValue(o['batch'], 'state.batch') };
}

function parseStrict(input: unknown): ProofBundleV2 {
  const root = object(input, 'bundle');
  if (root['version'] !== PROOF_BUNDLE_VERSION_2) fail(`version must be ${PROOF_BUNDLE_VERSION_2}`);
  onlyFields(root, TOP_FIELDS, 'bundle');
  const bundle: ProofBundleV2 = {
    version: 2,
    certificationId: string(root['certificationId'], 'certificationId'),
    ...includedEntry(root, ''),
    treeSize: count(root['treeSize'], 'treeSize'),
    checkpoint: string(root['checkpoint'], 'checkpoint', MAX_CHECKPOINT_LENGTH),
    state: bundleState(root['state']),
    registration: included(root['registration'], 'registration'),
  };
  const statusEntry = root['statusEntry'];
  const batch = root['batch'];
  const prior = root['priorRegistrations'];
  return {
    ...bundle,
    ...(prior === undefined ? {} : { priorRegistrations: priorRegistrations(prior) }),
    ...(statusEntry === undefined ? {} : { statusEntry: included(statusEntry, 'statusEntry') }),
    ...(batch === undefined ? {} : { batch: batchPath(batch) }),
  };
}

export type ParsedBundleV2 = { ok: true; bundle: ProofBundleV2 } | { ok: false; reason: string };

/** Checks the shape of an untrusted v2 bundle; every signature, hash and proof is the verifier's job. Never throws. */
export function parseProofBundleV2(value: unknown): ParsedBundleV2 {
  try {
    return { ok: true, bundle: parseStrict(value) };
  } catch (error) {
    if (error instanceof BundleShapeError) return { ok: false, reason: error.message };
    return { ok: false, reason: 'the bundle could not be read' };
  }
}
