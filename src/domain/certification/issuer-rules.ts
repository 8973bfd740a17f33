/**
 * The rules every certification command shares, whether it certifies one
 * record or a batch: who may certify what, and what a validity window is.
 */

import type { ActorSnapshot } from '../shared/decider.js';
import { CertificationError } from './certification-error.js';

export function requireActive(actor: ActorSnapshot): void {
  if (actor.status !== 'active')
    throw new CertificationError('ACTOR_REVOKED', `actor ${actor.identityId} is revoked`);
}

/** Only an issuer accredited for the record type may certify records of that type. */
export function requireAccreditedIssuer(actor: ActorSnapshot, recordType: string): void {
  if (!actor.roles.includes('issuer')) {
    throw new CertificationError('ROLE_MISSING', `actor ${actor.identityId} lacks the issuer role`);
  }
  if (!actor.accreditations.includes(recordType)) {
    throw new CertificationError(
      'ACCREDITATION_MISSING',
      `actor ${actor.identityId} is not accredited for record type ${recordType}`,
    );
  }
}

export function requireValidityWindow(validFrom: string, validUntil: string | null): void {
  // RFC 3339 UTC timestamps of equal precision compare correctly as strings only by accident; compare instants.
  const from = Date.parse(validFrom);
  const until = validUntil === null ? Number.POSITIVE_INFINITY : Date.parse(validUntil);
  // !(from < until), not until <= from: NaN must fail closed, and the schema's date-time admits
  // leap seconds (23:59:60Z), which Date.parse reads as NaN.
  if (!(from < until)) {
    throw new CertificationError(
      'VALIDITY_WINDOW_INVALID',
      'validFrom must be an instant and validUntil a later one',
    );
  }
}
