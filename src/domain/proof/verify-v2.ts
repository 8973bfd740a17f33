import { authorityStep } from './authority-step.js';
import { batchStep } from './batch-step.js';
import { checkpointStep } from './checkpoint-step.js';
import { documentStep } from './document-step.js';
import { freshnessStep } from './freshness.js';
import { headlineOf } from './headline.js';
import { inclusionStep } from './inclusion-step.js';
import { policyCheckpointStep } from './policy-checkpoint-step.js';
import type { ProofBundleV2 } from './proof-bundle-v2.js';
import { signatureV2Step } from './signature-v2-step.js';
import { type ProvenStatus, statusV2Step } from './status-v2-step.js';
import { validityStep } from './validity-step.js';
import type { ProvenRecordState, VerificationReport, WitnessingSummary } from './verification-report.js';
import type { VerifyBundleOptions } from './verify-options.js';

/**
 * A version 2 bundle: the department's signature by the key the state map proves, that key's
 * authority-signed registration, inclusion, the checkpoint and its witnesses, validity, the current
 * status the state map proves, the batch path and document when present, and how recent the state is.
 */
export function verifyV2(bundle: ProofBundleV2, options: VerifyBundleOptions): VerificationReport {
  let witnessing: WitnessingSummary | undefined;
  let proven: ProvenStatus | undefined;
  const { policy } = options;
  const steps = [
    signatureV2Step(bundle, options),
    authorityStep(bundle, options),
    inclusionStep(bundle),
    policy === undefined
      ? checkpointStep(bundle, options)
      : policyCheckpointStep(bundle, { ...options, policy }, (summary) => {
          witnessing = summary;
        }),
    validityStep(bundle, options.now),
    statusV2Step(bundle, (state) => {
      proven = state;
    }),
  ];
  if (bundle.batch !== undefined || bundle.entry.type === 'BatchCertified') steps.push(batchStep(bundle));
  if (options.documentDigest !== undefined) steps.push(documentStep(bundle, options.documentDigest));
  const asOf = witnessing?.asOf ?? null;
  steps.push(freshnessStep(asOf, options.now, options.maxAgeSeconds));
  const state: ProvenRecordState | undefined =
    proven === undefined ? undefined : { ...proven, treeSize: bundle.treeSize, asOf };
  const ok = steps.every((s) => s.ok);
  return {
    ok,
    headline: headlineOf(steps, 2, state),
    version: 2,
    caveats: [],
    steps,
    ...(state === undefined ? {} : { state }),
    ...(witnessing === undefined ? {} : { witnessing }),
  };
}
