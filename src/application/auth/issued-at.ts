import { ProblemError } from '../problems/problem.js';

/** RFC 3339 in UTC, uppercase T and Z, optional fraction: the one form a signed payload's issuedAt may take. */
const UTC_Z = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d{1,9})?Z$/;

/**
 * Refuses an issuedAt that is not RFC 3339 UTC with `Z`. The schema's
 * date-time format admits offsets (+14:00) and a lowercase t/z, which would be
 * stored and signed verbatim, so two spellings of one instant would compare
 * differently across the log. A date that does not exist (02-30, 24:00) is
 * refused by comparing it with its own round trip.
 */
export function requireUtcIssuedAt(issuedAt: string): void {
  const match = UTC_Z.exec(issuedAt);
  const ms = match === null ? Number.NaN : Date.parse(issuedAt);
  const exists = Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 19) === match?.[1];
  if (!exists) {
    throw new ProblemError(
      'ISSUED_AT_INVALID',
      `issuedAt '${issuedAt.slice(0, 40)}' is not an RFC 3339 UTC time; allowed: YYYY-MM-DDTHH:MM:SS[.fraction]Z (uppercase T and Z, no offset), e.g. 2026-11-21T10:00:00Z`,
    );
  }
}
