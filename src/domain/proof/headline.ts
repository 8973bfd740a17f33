import type {
  HeadlineKind,
  ProvenRecordState,
  VerificationStep,
  VerificationStepId,
} from './verification-report.js';

/** Steps whose failure leaves the record authentic: it is then revoked, suspended, expired or stale. */
const STATE_STEPS: readonly VerificationStepId[] = ['status', 'validity', 'freshness'];

/**
 * The headline in one word. Revoked or suspended needs the state map's proof of it (version 2), and every
 * check of authenticity passed; otherwise any failure is not-verified.
 */
export function headlineOf(
  steps: readonly VerificationStep[],
  version: 1 | 2,
  state: ProvenRecordState | undefined,
): HeadlineKind {
  const failed = steps.filter((s) => !s.ok).map((s) => s.id);
  if (failed.length === 0) return version === 1 ? 'verified-limited' : 'verified';
  if (version === 1 || !failed.every((id) => STATE_STEPS.includes(id))) return 'not-verified';
  if (failed.includes('status')) {
    if (state?.status === 'revoked') return 'revoked';
    if (state?.status === 'suspended') return 'suspended';
    return 'not-verified';
  }
  return failed.includes('validity') ? 'expired' : 'stale';
}
