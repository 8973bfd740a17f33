/**
 * Verification of a proof bundle, written once and run by both the citizen
 * page (in the browser, with @noble/curves) and `chancery verify` (with
 * node:crypto). It trusts nothing in the bundle except what the trusted log
 * key, the witnesses, the pinned authority key and the department's signature
 * vouch for, and reports each check as a step a person can read, with the
 * verdict as one headline kind for the reader to phrase. Each check lives in
 * its own `*-step.ts` file; verify-v1.ts and verify-v2.ts run them.
 *
 * Pure: no node:* imports, no clock (the caller passes `now`), no I/O.
 */

import { parseProofBundle } from './proof-bundle.js';
import { parseProofBundleV2 } from './proof-bundle-v2.js';
import { STEP_LABELS, type VerificationReport } from './verification-report.js';
import type { VerifyBundleOptions } from './verify-options.js';
import { verifyV1 } from './verify-v1.js';
import { verifyV2 } from './verify-v2.js';

export {
  type BundleCaveat,
  type HeadlineKind,
  type ProvenRecordState,
  STEP_LABELS,
  type VerificationReport,
  type VerificationStep,
  type VerificationStepId,
  type WitnessingSummary,
} from './verification-report.js';
export type { VerifyBundleOptions, WitnessPolicy } from './verify-options.js';

function unreadable(reason: string): VerificationReport {
  return {
    ok: false,
    headline: 'not-verified',
    caveats: [],
    steps: [{ id: 'bundle', label: STEP_LABELS.bundle, ok: false, detail: reason }],
  };
}

/** A trust policy's authority keys count beside the caller's, and the stricter maximum age applies. */
function withPolicyTrust(options: VerifyBundleOptions): VerifyBundleOptions {
  const { policy } = options;
  if (policy === undefined) return options;
  const authorityKeys = [...(options.authorityKeys ?? []), ...policy.authorities];
  const ages = [options.maxAgeSeconds, policy.maxAgeSeconds ?? undefined].filter(
    (age): age is number => age !== undefined,
  );
  return {
    ...options,
    authorityKeys,
    ...(ages.length === 0 ? {} : { maxAgeSeconds: Math.min(...ages) }),
  };
}

/**
 * Verifies an untrusted proof bundle (parsed JSON) of version 1 or 2 and returns every check as a step, in
 * the order a person would read them, with the headline in one word. Never throws; `ok` is true only if
 * every step passed.
 */
export function verifyProofBundle(input: unknown, given: VerifyBundleOptions): VerificationReport {
  const options = withPolicyTrust(given);
  const version =
    input !== null && typeof input === 'object' ? (input as { version?: unknown }).version : undefined;
  if (version === 2) {
    const parsed = parseProofBundleV2(input);
    return parsed.ok ? verifyV2(parsed.bundle, options) : unreadable(parsed.reason);
  }
  const parsed = parseProofBundle(input);
  return parsed.ok ? verifyV1(parsed.bundle, options) : unreadable(parsed.reason);
}
