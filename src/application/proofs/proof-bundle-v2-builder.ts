/**
 * Assembles the version 2 proof bundle (src/domain/proof/proof-bundle-v2.ts): the v1 parts (entry,
 * inclusion proof, checkpoint, batch path) under one checkpoint, plus the state map's proofs at that
 * checkpoint's tree size of the record's state, its batch's and its signing key's, the entry that set its
 * current status, and the key's authority-signed registration with its inclusion proof.
 */

import { encodeBase64 } from '../../domain/log/index.js';
import { type KeyRecord, stateKey } from '../../domain/log-state/state-records.js';
import type { BatchPath, IncludedEntry } from '../../domain/proof/proof-bundle.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { type ProvenState, type StateProofJson, stateProofToJson } from '../../domain/state-map/index.js';
import { ProblemError } from '../problems/problem.js';
import { buildProofBundle, type ProofSources, readEntry } from './proof-bundle-builder.js';

/** The state map versions a node can still prove (src/infrastructure/state-map/state-map-store.ts). */
export interface StateProofSource {
  proveAt(key: string, version: number): ProvenState;
  oldestVersion(): number;
  currentVersion(): number;
}

export interface ProofSourcesV2 extends ProofSources {
  readonly state: StateProofSource;
}

export interface ProvenValueJson {
  readonly value: JsonObject | null;
  readonly proof: StateProofJson;
}

/** The wire form of a version 2 bundle: what GET /v1/proofs/:id answers (schemas/proof-bundle-v2.json). */
export interface ProofBundleV2Json extends IncludedEntry {
  readonly version: 2;
  readonly certificationId: string;
  readonly treeSize: number;
  readonly checkpoint: string;
  readonly state: {
    readonly certification: ProvenValueJson;
    readonly batch?: ProvenValueJson;
    readonly key: ProvenValueJson;
  };
  readonly statusEntry?: IncludedEntry;
  readonly registration: IncludedEntry;
  readonly priorRegistrations?: readonly IncludedEntry[];
  readonly batch?: BatchPath;
}

/** A holder's rotation with its own key: the key that signed it needs its own registration before it. */
function selfRotationSigner(link: IncludedEntry): string | null {
  const payload = link.entry.envelope?.['payload'];
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return null;
  const selfSigned = payload['type'] === 'RotateIdentityKey' && payload['actor'] === payload['identityId'];
  return selfSigned && typeof payload['keyId'] === 'string' ? payload['keyId'] : null;
}

const MAX_CHAIN = 512;

/** The registrations before `registration`, oldest first, back to one the authority signed. */
function priorOf(
  registration: IncludedEntry,
  sources: ProofSourcesV2,
  treeSize: number,
  id: string,
): IncludedEntry[] {
  const prior: IncludedEntry[] = [];
  let link = registration;
  for (let signer = selfRotationSigner(link); signer !== null; signer = selfRotationSigner(link)) {
    if (prior.length >= MAX_CHAIN)
      throw new Error(`proof bundle: key chain of ${id} is longer than ${MAX_CHAIN}`);
    const record = keyRecord(proven(sources, stateKey.key(signer), treeSize, id), signer);
    link = includedAt(sources, record.registeredAt, treeSize);
    prior.unshift(link);
  }
  return prior;
}

function proven(sources: ProofSourcesV2, key: string, version: number, id: string): ProvenValueJson {
  const { state } = sources;
  // The retention keeps the final checkpoint's version and every later one; a checkpoint outside that is a race.
  if (version < state.oldestVersion() || version > state.currentVersion()) {
    throw new ProblemError(
      'PROOF_NOT_SEALED',
      `the state of ${id} at ${version} entries is not provable on this node right now; retry shortly`,
      {},
      sources.retryAfterSeconds ?? 1,
    );
  }
  const { value, proof } = state.proveAt(key, version);
  return { value, proof: stateProofToJson(proof) };
}

function includedAt(sources: ProofSourcesV2, leafIndex: number, treeSize: number): IncludedEntry {
  return {
    entry: readEntry(sources, leafIndex),
    leafIndex,
    inclusionProof: sources.log.inclusionProof(leafIndex, treeSize).map(encodeBase64),
  };
}

/** The key's record at the checkpoint: the builder read it from the log, so it is there unless the node is broken. */
function keyRecord(value: ProvenValueJson, keyId: string): KeyRecord {
  if (value.value === null) throw new Error(`proof bundle: key ${keyId} is not in the state map`);
  return value.value as KeyRecord;
}

/**
 * The version 2 bundle of a certification under the checkpoint the v1 builder picks (the final one when it
 * covers the record and its latest status, else the latest). Throws ProblemError like buildProofBundle.
 */
export function buildProofBundleV2(certificationId: string, sources: ProofSourcesV2): ProofBundleV2Json {
  const v1 = buildProofBundle(certificationId, sources);
  const { treeSize, leafIndex, entry } = v1;
  const keyState = proven(sources, stateKey.key(v1.key.keyId), treeSize, certificationId);
  const certification = proven(sources, stateKey.certification(certificationId), treeSize, certificationId);
  const batchId = entry.data['batchId'];
  const batch =
    entry.type === 'BatchCertified' && typeof batchId === 'string'
      ? proven(sources, stateKey.batch(batchId), treeSize, certificationId)
      : undefined;
  const setAt = certification.value === null ? leafIndex : Number(certification.value['setAt']);
  const key = keyRecord(keyState, v1.key.keyId);
  const registration = includedAt(sources, key.registeredAt, treeSize);
  const prior = priorOf(registration, sources, treeSize, certificationId);
  return {
    version: 2,
    certificationId,
    entry,
    leafIndex,
    inclusionProof: v1.inclusionProof,
    treeSize,
    checkpoint: v1.checkpoint,
    state: { certification, ...(batch === undefined ? {} : { batch }), key: keyState },
    ...(setAt === leafIndex ? {} : { statusEntry: includedAt(sources, setAt, treeSize) }),
    registration,
    ...(prior.length === 0 ? {} : { priorRegistrations: prior }),
    ...(v1.batch === undefined ? {} : { batch: v1.batch }),
  };
}
