import { stateMapRootOf } from '../log/index.js';
import { batchStep } from './batch-step.js';
import { checkpointStep } from './checkpoint-step.js';
import { documentStep } from './document-step.js';
import { headlineOf } from './headline.js';
import { inclusionStep, readCheckpoint } from './inclusion-step.js';
import { policyCheckpointStep } from './policy-checkpoint-step.js';
import type { ProofBundleV1 } from './proof-bundle.js';
import { signatureStep } from './signature-step.js';
import { statusStep } from './status-step.js';
import { validityStep } from './validity-step.js';
import type { VerificationReport, VerificationStep, WitnessingSummary } from './verification-report.js';
import { ensure, step } from './verification-step.js';
import type { VerifyBundleOptions } from './verify-options.js';

/**
 * A version 1 bundle's status is the latest status entry the node chose to show, so it cannot prove that
 * no later one exists; its key is the node's word. Where the checkpoint commits to a state map, the state
 * is provable, and a version 1 bundle is then a downgrade: it fails, so that nobody can hide a revocation
 * by serving the older format.
 */
function legacyStatusStep(bundle: ProofBundleV1): VerificationStep {
  const checked = statusStep(bundle);
  if (!checked.ok) return checked;
  return step('status', () => {
    ensure(
      stateMapRootOf(readCheckpoint(bundle)) === null,
      "this log's checkpoint commits to the current state, which a version 1 bundle cannot show: ask for a current (version 2) proof",
    );
    return `${checked.detail} A version 1 proof cannot show that no later change exists.`;
  });
}

/** With a pinned authority key, a version 1 bundle fails: it carries no registration the authority signed. */
function legacyAuthorityStep(): VerificationStep {
  return step('authority', () => {
    ensure(
      false,
      'a version 1 proof carries no registration signed by the authority, so the key is only the node’s word',
    );
    return '';
  });
}

export function verifyV1(bundle: ProofBundleV1, options: VerifyBundleOptions): VerificationReport {
  let witnessing: WitnessingSummary | undefined;
  const { policy } = options;
  const steps: VerificationStep[] = [
    signatureStep(bundle, options),
    ...((options.authorityKeys ?? []).length > 0 ? [legacyAuthorityStep()] : []),
    inclusionStep(bundle),
    policy === undefined
      ? checkpointStep(bundle, options)
      : policyCheckpointStep(bundle, { ...options, policy }, (summary) => {
          witnessing = summary;
        }),
    validityStep(bundle, options.now),
    legacyStatusStep(bundle),
  ];
  if (bundle.batch !== undefined || bundle.entry.type === 'BatchCertified') steps.push(batchStep(bundle));
  if (options.documentDigest !== undefined) steps.push(documentStep(bundle, options.documentDigest));
  const ok = steps.every((s) => s.ok);
  return {
    ok,
    headline: headlineOf(steps, 1, undefined),
    version: 1,
    caveats: ['no-current-state', 'no-key-authority'],
    steps,
    ...(witnessing === undefined ? {} : { witnessing }),
  };
}
