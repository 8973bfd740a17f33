import { CertificationError } from './certification-error.js';
import type { CertifyRecord } from './commands.js';

/**
 * One certification per record and issuer unless the issuer says otherwise:
 * certifying a record (digest, record type) that the same issuer certified
 * before is refused, naming the earlier certification and its status, unless
 * the command is an explicit reissue of exactly that (latest) certification.
 * A revoked one counts too, so that re-certifying a revoked record is a
 * deliberate act and never happens unnoticed. Returns the link the event
 * carries (reissueOf), or nothing.
 */
export function reissueLink(command: CertifyRecord): { reissueOf?: string } {
  const { earlier, reissueOf } = command;
  // A replay plans an entry the log already accepted: there is nothing to judge, only the link to keep.
  if (earlier === undefined) return reissueOf === null ? {} : { reissueOf };
  if (earlier === null) {
    if (reissueOf === null) return {};
    throw new CertificationError(
      'CERTIFICATION_NOT_FOUND',
      `reissueOf ${reissueOf} is not a certification of this record (${command.recordType}, sha256 ${command.recordDigest}) by ${command.actor.identityId}; allowed: omit reissueOf for a first certification`,
    );
  }
  if (reissueOf === earlier.certificationId) return { reissueOf };
  throw new CertificationError(
    'RECORD_ALREADY_CERTIFIED',
    `${command.actor.identityId} already certified this record (${command.recordType}, sha256 ${command.recordDigest}) as ${earlier.certificationId}, which is ${earlier.status}` +
      `${reissueOf === null ? '' : `; reissueOf names ${reissueOf}, not that latest certification`}` +
      `; to certify it anew, reissue it: chancery certify --reissue ${earlier.certificationId} (payload reissueOf)`,
    { certificationId: earlier.certificationId, certificationStatus: earlier.status },
  );
}
