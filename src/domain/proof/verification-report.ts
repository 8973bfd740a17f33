import type { Cosigner } from '../federation/index.js';

export type VerificationStepId =
  | 'bundle'
  | 'signature'
  | 'inclusion'
  | 'checkpoint'
  | 'validity'
  | 'status'
  | 'batch'
  | 'document';

export interface VerificationStep {
  readonly id: VerificationStepId;
  /** What was checked, in a few plain words. */
  readonly label: string;
  readonly ok: boolean;
  /** Why it passed or failed, with the facts it rests on. */
  readonly detail: string;
}

export interface VerificationReport {
  /** True only if every step passed. */
  readonly ok: boolean;
  readonly steps: readonly VerificationStep[];
  /** With a trust policy: every witness, whether it cosigned the checkpoint, and whether the quorum is met. */
  readonly witnessing?: WitnessingSummary;
}

export interface WitnessingSummary {
  readonly cosigners: readonly Cosigner[];
  readonly quorumMet: boolean;
  /** The quorum rule in words. */
  readonly quorum: string;
  /** SHA-256 (hex) of the trust policy the checkpoint was judged by. */
  readonly policyDigest: string;
  /** Whether the node that built the bundle follows the same policy (null: the bundle names none). */
  readonly samePolicyAsNode: boolean | null;
}

export const STEP_LABELS: Readonly<Record<VerificationStepId, string>> = {
  bundle: 'The proof can be read',
  signature: 'Signed by the issuing department',
  inclusion: 'Recorded in the public log',
  checkpoint: 'Log checkpoint signed by the log',
  validity: 'Within its validity period',
  status: 'Not suspended or revoked',
  batch: 'Inside its certified batch',
  document: 'Your document matches the certified one',
};
