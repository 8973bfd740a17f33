import { canonicalJson } from '../../domain/canonical/canonical-json.js';
import { decodeBase64, encodeBase64, formatTlogProof } from '../../domain/log/index.js';
import {
  type BatchPath,
  type CertificationStatusName,
  type IncludedEntry,
  type LogEntry,
  PROOF_BUNDLE_VERSION,
  type ProofBundleV1,
} from '../../domain/proof/proof-bundle.js';
import type { CertificationView } from '../../infrastructure/projections/certification-read-model.js';
import type { RegistryKey } from '../../infrastructure/projections/identity-registry.js';
import type { LogReader, SealedCheckpoint } from '../../infrastructure/sequencer/log-reader.js';
import { ProblemError } from '../problems/problem.js';

/** A record's path in its batch tree, as the certification read model serves it. */
export interface BatchTreePath {
  readonly root: Uint8Array;
  readonly count: number;
  readonly path: readonly Uint8Array[];
}

/** What a proof is assembled from: the log, and the two read models that say which leaves to prove. */
export interface ProofSources {
  readonly log: Pick<LogReader, 'latestCheckpoint' | 'leafIndexForPosition' | 'entry' | 'inclusionProof'>;
  readonly certifications: {
    get(certificationId: string): CertificationView | undefined;
    /** Needed only for records certified in a batch. */
    batchPath?(batchId: string, index: number): BatchTreePath | undefined;
  };
  readonly keys: { key(keyId: string): RegistryKey | undefined };
  /** Retry-After for a record that is not sealed yet; about one seal interval. */
  readonly retryAfterSeconds?: number;
  /** The largest checkpoint the witness quorum cosigned (null: none yet); bundles prefer it when it covers them. */
  readonly finalCheckpoint?: () => SealedCheckpoint | null;
  /** SHA-256 (hex) of the trust policy the node follows, named in every bundle; null when it has none. */
  readonly policyDigest?: () => string | null;
}

const DEFAULT_RETRY_AFTER_SECONDS = 1;

function notSealed(certificationId: string, why: string, sources: ProofSources): ProblemError {
  return new ProblemError(
    'PROOF_NOT_SEALED',
    `certification ${certificationId} ${why}; retry shortly`,
    {},
    sources.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS,
  );
}

/** A bug, not a client mistake: the log and the read models disagree about a record. */
function inconsistent(message: string): Error {
  return new Error(`proof bundle: ${message}`);
}

function leafIndexOf(sources: ProofSources, certificationId: string, position: bigint): number {
  const leafIndex = sources.log.leafIndexForPosition(position);
  if (leafIndex === null) throw notSealed(certificationId, 'is not in the log yet', sources);
  return leafIndex;
}

export function readEntry(sources: Pick<ProofSources, 'log'>, leafIndex: number): LogEntry {
  const record = sources.log.entry(leafIndex);
  if (record === null) throw inconsistent(`leaf ${leafIndex} is sequenced but cannot be read`);
  const entry = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(record.leaf)) as LogEntry;
  // The verifier re-encodes the entry to get the leaf back; if that did not round-trip, no proof would verify.
  if (canonicalJson(entry) !== new TextDecoder().decode(record.leaf)) {
    throw inconsistent(`leaf ${leafIndex} is not in RFC 8785 form`);
  }
  return entry;
}

/** Whether a log entry is the one that certified the record: its RecordCertified, or its batch's BatchCertified. */
function certifies(entry: LogEntry, view: CertificationView): boolean {
  return view.batch === undefined
    ? entry.data['certificationId'] === view.certificationId
    : entry.type === 'BatchCertified' && entry.data['batchId'] === view.batch.batchId;
}

function included(
  sources: ProofSources,
  leafIndex: number,
  checkpoint: SealedCheckpoint,
  certificationId: string,
  isAbout: (entry: LogEntry) => boolean,
): IncludedEntry {
  const entry = readEntry(sources, leafIndex);
  if (!isAbout(entry)) {
    throw inconsistent(`leaf ${leafIndex} is not about ${certificationId}`);
  }
  return {
    entry,
    leafIndex,
    inclusionProof: sources.log.inclusionProof(leafIndex, checkpoint.treeSize).map(encodeBase64),
  };
}

/**
 * Assembles the v1 proof bundle of a certification under the latest sealed
 * checkpoint: its entry and inclusion proof, the entry that last set its
 * status with its own proof under the same checkpoint, and the signing key's
 * validity. Throws ProblemError CERTIFICATION_NOT_FOUND (404) or
 * PROOF_NOT_SEALED (503 + Retry-After) when the certification or its latest
 * status change is not yet under a signed checkpoint: a bundle is never built
 * with a status the node already knows is out of date.
 */
export function buildProofBundle(certificationId: string, sources: ProofSources): ProofBundleV1 {
  const view = sources.certifications.get(certificationId);
  if (view === undefined) {
    throw new ProblemError('CERTIFICATION_NOT_FOUND', `no certification ${certificationId}`);
  }
  const leafIndex = leafIndexOf(sources, certificationId, view.position);
  const lastChange = view.statusHistory[view.statusHistory.length - 1];
  const statusLeafIndex =
    lastChange === undefined ? leafIndex : leafIndexOf(sources, certificationId, lastChange.position);
  // One snapshot of the checkpoint: both proofs must be against the same tree. A final one (cosigned by the
  // witness quorum) is preferred whenever it covers the record and its latest status.
  const final = sources.finalCheckpoint?.() ?? null;
  const checkpoint =
    final !== null && final.treeSize > Math.max(leafIndex, statusLeafIndex)
      ? final
      : sources.log.latestCheckpoint();
  if (checkpoint === null || checkpoint.treeSize <= leafIndex) {
    throw notSealed(certificationId, 'is not under a signed checkpoint yet', sources);
  }
  if (checkpoint.treeSize <= statusLeafIndex) {
    throw notSealed(
      certificationId,
      'has a status change that is not under a signed checkpoint yet',
      sources,
    );
  }

  const certification = included(sources, leafIndex, checkpoint, certificationId, (e) => certifies(e, view));
  const status = included(sources, statusLeafIndex, checkpoint, certificationId, (e) =>
    // No status change yet: the certifying entry itself stands for the status.
    statusLeafIndex === leafIndex ? certifies(e, view) : e.data['certificationId'] === certificationId,
  );
  const signature = certification.entry.envelope?.['signature'];
  const keyId =
    signature !== null && typeof signature === 'object' && !Array.isArray(signature)
      ? signature['keyId']
      : undefined;
  const key = typeof keyId === 'string' ? sources.keys.key(keyId) : undefined;
  if (key === undefined) throw inconsistent(`the signing key of ${certificationId} is not in the registry`);

  return {
    version: PROOF_BUNDLE_VERSION,
    certificationId,
    ...certification,
    treeSize: checkpoint.treeSize,
    checkpoint: checkpoint.note,
    status: { ...status, status: (lastChange?.status ?? 'active') as CertificationStatusName },
    key: {
      keyId: key.keyId,
      identityId: key.identityId,
      publicKey: key.publicKey,
      activeFrom: key.activeFrom,
      retiredAt: key.retiredAt,
    },
    ...(view.batch === undefined ? {} : { batch: batchPathOf(view, view.batch, sources) }),
    ...policyDigestOf(sources),
  };
}

function policyDigestOf(sources: ProofSources): { policyDigest?: string } {
  const digest = sources.policyDigest?.() ?? null;
  return digest === null ? {} : { policyDigest: digest };
}

/** The record's path from its digest to the batch root its batch entry signs. */
function batchPathOf(
  view: CertificationView,
  ref: { readonly batchId: string; readonly index: number },
  sources: ProofSources,
): BatchPath {
  const found = sources.certifications.batchPath?.(ref.batchId, ref.index);
  if (found === undefined) throw inconsistent(`batch ${ref.batchId} of ${view.certificationId} has no tree`);
  return {
    root: encodeBase64(found.root),
    count: found.count,
    index: ref.index,
    path: found.path.map(encodeBase64),
    recordDigest: view.recordDigest,
  };
}

/**
 * The same proof as a C2SP tlog-proof@v1 text. Its `extra` line carries the
 * leaf itself (the RFC 8785 entry bytes): a consumer hashes it as the leaf, so
 * the inclusion proof authenticates it and the file is self-contained. The
 * status proof has no place in this format; it is only in the JSON bundle.
 */
export function tlogProofOf(bundle: ProofBundleV1): string {
  return formatTlogProof({
    extra: new TextEncoder().encode(canonicalJson(bundle.entry)),
    index: bundle.leafIndex,
    // The builder wrote these hashes itself, so they decode.
    inclusionProof: bundle.inclusionProof.map((hash) => decodeBase64(hash)!),
    checkpointNote: bundle.checkpoint,
  });
}
