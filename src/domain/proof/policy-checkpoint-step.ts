import {
  type Cosigner,
  policyDigest,
  type TrustPolicy,
  type Witnessing,
  witnessingOf,
} from '../federation/index.js';
import { ed25519NoteVerifier, LogProofError } from '../log/index.js';
import type { CheckpointedBundle } from './checkpoint-step.js';
import { verifierFor } from './checkpoint-step.js';
import { quorumTime } from './freshness.js';
import type { VerificationStep, WitnessingSummary } from './verification-report.js';
import { ensure, StepFailure, step } from './verification-step.js';
import type { VerifyBundleOptions } from './verify-options.js';

function names(cosigners: readonly Cosigner[]): string {
  return cosigners.length === 0 ? 'no witness' : cosigners.map((c) => c.name).join(', ');
}

/** The checkpoint step under a trust policy: log signature, then each witness and the quorum. */
export function policyCheckpointStep(
  bundle: CheckpointedBundle,
  options: VerifyBundleOptions & { policy: TrustPolicy },
  report: (summary: WitnessingSummary) => void,
): VerificationStep {
  return step('checkpoint', () => {
    const { policy } = options;
    ensure(
      options.trustedLogKeys.length > 0 || policy.logs.length > 0,
      'no trusted log key was given, and the policy lists no log',
    );
    for (const k of options.trustedLogKeys) verifierFor(k, () => ed25519NoteVerifier(k, options.verify));
    let witnessing: Witnessing;
    try {
      witnessing = witnessingOf(bundle.checkpoint, policy, options.verify, options.trustedLogKeys);
    } catch (error) {
      if (error instanceof LogProofError && error.code === 'NOTE_UNVERIFIED') {
        throw new StepFailure(
          'the checkpoint is not signed by any log you trust: it may come from another log',
        );
      }
      if (error instanceof LogProofError && error.code === 'NOTE_SIGNATURE_INVALID') {
        throw new StepFailure(`the checkpoint was altered: ${error.message}`);
      }
      throw error;
    }
    const cp = witnessing.checkpoint;
    ensure(
      cp.treeSize === bundle.treeSize,
      `the checkpoint is for ${cp.treeSize} entries, not ${bundle.treeSize}`,
    );
    const digest = policyDigest(policy.text);
    report({
      cosigners: witnessing.cosigners,
      quorumMet: witnessing.quorumMet,
      quorum: witnessing.quorum,
      policyDigest: digest,
      samePolicyAsNode: bundle.policyDigest === undefined ? null : bundle.policyDigest === digest,
      asOf: quorumTime(policy, witnessing.cosigners),
    });
    const signed = `Signed by the log ${cp.origin} at ${cp.treeSize} entries.`;
    const cosigned = witnessing.cosigners.filter((c) => c.cosigned);
    const missing = witnessing.cosigners.filter((c) => !c.cosigned);
    const who =
      `Cosigned by ${names(cosigned)} (${cosigned.length} of ${witnessing.cosigners.length} witnesses)` +
      (missing.length === 0 ? '' : `; not by ${names(missing)}`);
    ensure(witnessing.quorumMet, `${signed} ${who}: the quorum (${witnessing.quorum}) is not met.`);
    return `${signed} ${who}: the quorum (${witnessing.quorum}) is met.`;
  });
}
