/**
 * Verification of a proof bundle, written once and run by both the citizen
 * page (in the browser, with @noble/curves) and `chancery verify` (with
 * node:crypto). It trusts nothing in the bundle except what the trusted log
 * key and the department's signature vouch for, and reports each check as a
 * step a person can read, instead of a single yes/no. Each check lives in its
 * own `*-step.ts` file; this one runs them and assembles the report.
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

/**
 * Verifies an untrusted proof bundle (parsed JSON) of version 1 or 2 and returns every check as a step, in
 * the order a person would read them, with the headline in one word. Never throws; `ok` is true only if
 * every step passed.
 */
export function verifyProofBundle(input: unknown, options: VerifyBundleOptions): VerificationReport {
  const version =
    input !== null && typeof input === 'object' ? (input as { version?: unknown }).version : undefined;
  if (version === 2) {
    const parsed = parseProofBundleV2(input);
    return parsed.ok ? verifyV2(parsed.bundle, options) : unreadable(parsed.reason);
  }
  const parsed = parseProofBundle(input);
  return parsed.ok ? verifyV1(parsed.bundle, options) : unreadable(parsed.reason);
}
