import type { Cosigner } from '../federation/index.js';

export type VerificationStepId =
  | 'bundle'
  | 'signature'
  | 'inclusion'
  | 'authority'
  | 'checkpoint'
  | 'validity'
  | 'status'
  | 'batch'
  | 'document'
  | 'freshness';

/**
 * The verdict in one word, for a page or a CLI to phrase in its own language:
 * verified (every check passed), verified-limited (a version 1 bundle passed:
 * it cannot show the current state nor the key's authority), revoked or
 * suspended (authentic, but the proven current state says so), expired or
 * stale (authentic and active, but outside its validity period, or proven
 * current only as of a time older than the maximum age), not-verified.
 */
export type HeadlineKind =
  | 'verified'
  | 'verified-limited'
  | 'revoked'
  | 'suspended'
  | 'expired'
  | 'stale'
  | 'not-verified';

/** What a version 1 bundle cannot show, by code (docs/proofs.md says what each means). */
export type BundleCaveat = 'no-current-state' | 'no-key-authority';

/** The record's state as the checkpoint's state map proves it (version 2 bundles). */
export interface ProvenRecordState {
  readonly status: 'active' | 'suspended' | 'revoked';
  /** The log entry that set this status. */
  readonly setAt: number;
  /** The log size the state is proven at. */
  readonly treeSize: number;
  /**
   * Seconds since the epoch: the latest time by which witnesses meeting the quorum had all cosigned the
   * checkpoint (tlog-cosignature/v1 timestamps); null when no witness time is known.
   */
  readonly asOf: number | null;
}

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
  readonly headline: HeadlineKind;
  /** The bundle's version, when it could be read. */
  readonly version?: 1 | 2;
  /** What the bundle proves less than a version 2 bundle; empty for version 2. */
  readonly caveats: readonly BundleCaveat[];
  /** Version 2: the proven current state, once the map proof of the record checked out. */
  readonly state?: ProvenRecordState;
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
  /** Seconds since the epoch: the latest time by which a quorum of witnesses had cosigned; null if none did. */
  readonly asOf: number | null;
}

export const STEP_LABELS: Readonly<Record<VerificationStepId, string>> = {
  bundle: 'The proof can be read',
  signature: 'Signed by the issuing department',
  inclusion: 'Recorded in the public log',
  authority: "The key is the department's, registered by the authority",
  checkpoint: 'Log checkpoint signed by the log',
  validity: 'Within its validity period',
  status: 'Not suspended or revoked',
  batch: 'Inside its certified batch',
  document: 'Your document matches the certified one',
  freshness: 'The state is recent',
};
