import type { CertifiedBundle } from './signature-step.js';
import type { VerificationStep } from './verification-report.js';
import { ensure, step, text } from './verification-step.js';

export function validityStep(bundle: CertifiedBundle, now: number): VerificationStep {
  return step('validity', () => {
    const from = text(bundle.entry.data['validFrom'], 'validFrom');
    const untilValue = bundle.entry.data['validUntil'];
    const until = untilValue === null ? null : text(untilValue, 'validUntil');
    const fromMs = Date.parse(from);
    const untilMs = until === null ? Number.POSITIVE_INFINITY : Date.parse(until);
    // NaN compares false everywhere: test for it so an unreadable date fails instead of passing.
    ensure(!Number.isNaN(fromMs) && !Number.isNaN(untilMs), 'the validity dates are not readable');
    ensure(now >= fromMs, `not valid yet: valid from ${from}`);
    ensure(now < untilMs, `expired: was valid until ${until}`);
    return until === null ? `Valid since ${from}, with no end date.` : `Valid from ${from} until ${until}.`;
  });
}
