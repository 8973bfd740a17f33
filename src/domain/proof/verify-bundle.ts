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

import { batchStep } from './batch-step.js';
import { checkpointStep } from './checkpoint-step.js';
import { documentStep } from './document-step.js';
import { inclusionStep } from './inclusion-step.js';
import { policyCheckpointStep } from './policy-checkpoint-step.js';
import { parseProofBundle } from './proof-bundle.js';
import { signatureStep } from './signature-step.js';
import { statusStep } from './status-step.js';
import { validityStep } from './validity-step.js';
import {
  STEP_LABELS,
  type VerificationReport,
  type VerificationStep,
  type WitnessingSummary,
} from './verification-report.js';
import type { VerifyBundleOptions } from './verify-options.js';

export {
  STEP_LABELS,
  type VerificationReport,
  type VerificationStep,
  type VerificationStepId,
  type WitnessingSummary,
} from './verification-report.js';
export type { VerifyBundleOptions, WitnessPolicy } from './verify-options.js';

/**
 * Verifies an untrusted proof bundle (parsed JSON) and returns every check as
 * a step, in the order a person would read them: signature, inclusion,
 * checkpoint, validity, status, then the batch path and the document when
 * present. Never throws; `ok` is true only if every step passed.
 */
export function verifyProofBundle(input: unknown, options: VerifyBundleOptions): VerificationReport {
  const parsed = parseProofBundle(input);
  if (!parsed.ok) {
    return {
      ok: false,
      steps: [{ id: 'bundle', label: STEP_LABELS.bundle, ok: false, detail: parsed.reason }],
    };
  }
  const { bundle } = parsed;
  let witnessing: WitnessingSummary | undefined;
  const { policy } = options;
  const steps: VerificationStep[] = [
    signatureStep(bundle, options),
    inclusionStep(bundle),
    policy === undefined
      ? checkpointStep(bundle, options)
      : policyCheckpointStep(bundle, { ...options, policy }, (summary) => {
          witnessing = summary;
        }),
    validityStep(bundle, options.now),
    statusStep(bundle),
  ];
  if (bundle.batch !== undefined || bundle.entry.type === 'BatchCertified') steps.push(batchStep(bundle));
  if (options.documentDigest !== undefined) steps.push(documentStep(bundle, options.documentDigest));
  const ok = steps.every((s) => s.ok);
  return witnessing === undefined ? { ok, steps } : { ok, steps, witnessing };
}
