import { certificationStream } from '../certification/events.js';
import { type CertificationRecord, stateKey } from '../log-state/state-records.js';
import { checkIncluded, readCheckpoint } from './inclusion-step.js';
import { certificationRecordOf, mapRootOf, provenAt } from './map-state.js';
import type { CertificationStatusName, LogEntry } from './proof-bundle.js';
import type { ProofBundleV2 } from './proof-bundle-v2.js';
import type { VerificationStep } from './verification-report.js';
import { ensure, step } from './verification-step.js';

/** The record's state as the map proves it: its status and the entry that set it. */
export interface ProvenStatus {
  readonly status: CertificationStatusName;
  readonly setAt: number;
}

const STATUS_OF_EVENT: Readonly<Record<string, CertificationStatusName>> = {
  CertificationSuspended: 'suspended',
  CertificationReinstated: 'active',
  CertificationRevoked: 'revoked',
};

/** A record certified on its own: the map must hold it, certified by this very entry (not void). */
function ownRecord(bundle: ProofBundleV2, record: CertificationRecord | null): ProvenStatus {
  ensure(
    bundle.state.batch === undefined,
    'the entry certifies one record, yet the bundle gives a batch state',
  );
  ensure(
    record !== null,
    `the state map holds no ${bundle.certificationId}: the entry did not take effect in log order`,
  );
  ensure(
    record.certifiedAt === bundle.leafIndex && record.batch === null,
    `the state map says ${bundle.certificationId} was certified by entry ${record.certifiedAt}, not by entry ${bundle.leafIndex}`,
  );
  return { status: record.status, setAt: record.setAt };
}

/** A record of a batch: the batch is in the map as this entry signed it; the record has a state of its own once changed. */
function batchRecord(
  bundle: ProofBundleV2,
  root: Uint8Array,
  record: CertificationRecord | null,
): ProvenStatus {
  const { entry, state, leafIndex } = bundle;
  ensure(state.batch !== undefined, 'the entry certifies a batch, but the bundle gives no batch state');
  const batchId = String(entry.data['batchId']);
  const batch = provenAt(root, stateKey.batch(batchId), state.batch, 'batch');
  ensure(
    batch !== null &&
      batch['certifiedAt'] === leafIndex &&
      batch['root'] === entry.data['batchRoot'] &&
      batch['count'] === entry.data['count'],
    `the state map holds no batch ${batchId} certified by entry ${leafIndex}: the entry did not take effect in log order`,
  );
  if (record === null) return { status: 'active', setAt: leafIndex };
  ensure(
    record.batch !== null &&
      record.batch.batchId === batchId &&
      record.batch.index === bundle.batch?.index &&
      record.certifiedAt === leafIndex,
    `the state map's record of ${bundle.certificationId} is not record ${String(bundle.batch?.index)} of batch ${batchId}`,
  );
  return { status: record.status, setAt: record.setAt };
}

/** The entry that set a status other than by certifying: it must be at setAt, about this record, and say this status. */
function checkStatusEntry(bundle: ProofBundleV2, proven: ProvenStatus): LogEntry | null {
  const { statusEntry, certificationId } = bundle;
  if (proven.setAt === bundle.leafIndex) {
    ensure(
      statusEntry === undefined,
      'the bundle gives a status entry, but the status was set by the certification',
    );
    return null;
  }
  ensure(
    statusEntry !== undefined,
    `the status was set by log entry ${proven.setAt}, which the bundle does not give`,
  );
  const { entry } = statusEntry;
  ensure(
    statusEntry.leafIndex === proven.setAt &&
      entry.data['certificationId'] === certificationId &&
      entry.stream === certificationStream(certificationId) &&
      STATUS_OF_EVENT[entry.type] === proven.status,
    `the status entry given is not the ${proven.status} of ${certificationId} at log entry ${proven.setAt}`,
  );
  checkIncluded(
    entry,
    statusEntry.leafIndex,
    statusEntry.inclusionProof,
    readCheckpoint(bundle),
    'status proof',
  );
  return entry;
}

function said(entry: LogEntry, field: string): string {
  const value = entry.data[field];
  return typeof value === 'string' ? value : '';
}

/**
 * The current status, proven by the checkpoint's state map: `certification/<id>` (and `batch/<id>` for a
 * record of a batch) at the checkpoint's tree size. A proxy cannot swap it, and an entry that was void in
 * log order has no record, so it is never reported as a certification.
 */
export function statusV2Step(
  bundle: ProofBundleV2,
  onState: (state: ProvenStatus) => void,
): VerificationStep {
  return step('status', () => {
    const root = mapRootOf(bundle);
    const value = provenAt(
      root,
      stateKey.certification(bundle.certificationId),
      bundle.state.certification,
      'certification',
    );
    const record = value === null ? null : certificationRecordOf(value, bundle.certificationId);
    const proven =
      bundle.entry.type === 'BatchCertified' ? batchRecord(bundle, root, record) : ownRecord(bundle, record);
    const entry = checkStatusEntry(bundle, proven);
    onState(proven);
    const at = entry === null ? '' : ` on ${said(entry, 'at')} by ${said(entry, 'by')}`;
    const reason = entry === null ? '' : `: ${said(entry, 'reason')}`;
    ensure(proven.status !== 'revoked', `Revoked${at} (log entry ${proven.setAt})${reason}`);
    ensure(proven.status !== 'suspended', `Suspended${at} (log entry ${proven.setAt})${reason}`);
    return entry === null
      ? `Active: the state map of the checkpoint's ${bundle.treeSize} entries proves no suspension or revocation.`
      : `Active: reinstated${at} (log entry ${proven.setAt}); the state map of the checkpoint's ${bundle.treeSize} entries proves it.`;
  });
}
