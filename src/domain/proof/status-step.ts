import { canonicalJson } from '../canonical/canonical-json.js';
import { certificationStream } from '../certification/events.js';
import { CERTIFYING_EVENTS } from './certifying-events.js';
import { checkIncluded, readCheckpoint } from './inclusion-step.js';
import type { CertificationStatusName, ProofBundleV1 } from './proof-bundle.js';
import type { VerificationStep } from './verification-report.js';
import { ensure, step } from './verification-step.js';

const STATUS_OF_EVENT: Readonly<Record<string, CertificationStatusName>> = {
  RecordCertified: 'active',
  BatchCertified: 'active',
  CertificationSuspended: 'suspended',
  CertificationReinstated: 'active',
  CertificationRevoked: 'revoked',
};

export function statusStep(bundle: ProofBundleV1): VerificationStep {
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
