import {
  cosignatureVerifier,
  ed25519NoteVerifier,
  formatKeyId,
  LogProofError,
  type NoteVerifier,
  parseCheckpoint,
  verifyNote,
} from '../log/index.js';
/** What the checkpoint steps read of a bundle of either version. */
export interface CheckpointedBundle {
  readonly checkpoint: string;
  readonly treeSize: number;
  /** Version 1 only: the policy the node follows, by digest. */
  readonly policyDigest?: string;
}

import type { VerificationStep } from './verification-report.js';
import { ensure, StepFailure, step } from './verification-step.js';
import type { VerifyBundleOptions } from './verify-options.js';

export function verifierFor(vkey: string, make: () => NoteVerifier): NoteVerifier {
  try {
    return make();
  } catch (error) {
    const reason = error instanceof LogProofError ? error.message : 'unreadable';
    throw new StepFailure(`the trusted key ${vkey.slice(0, 80)} is malformed: ${reason}`);
  }
}

/** The checkpoint step without a trust policy: the log's signature, then the witness count if any are configured. */
export function checkpointStep(bundle: CheckpointedBundle, options: VerifyBundleOptions): VerificationStep {
  return step('checkpoint', () => {
    ensure(options.trustedLogKeys.length > 0, 'no trusted log key was given');
    const logVerifiers = options.trustedLogKeys.map((k) =>
      verifierFor(k, () => ed25519NoteVerifier(k, options.verify)),
    );
    const witnessKeys = options.witnesses?.keys ?? [];
    const witnessVerifiers = witnessKeys.map((k) =>
      verifierFor(k, () => cosignatureVerifier(k, options.verify)),
    );
    const isLogSignature = (name: string, id: number) =>
      logVerifiers.some((v) => v.keyName === name && v.keyId === id);
    let verified: ReturnType<typeof verifyNote>;
    try {
      verified = verifyNote(bundle.checkpoint, [...logVerifiers, ...witnessVerifiers]);
    } catch (error) {
      if (error instanceof LogProofError && error.code === 'NOTE_UNVERIFIED') {
        throw new StepFailure(
          'the checkpoint is not signed by any key you trust: it may come from another log',
        );
      }
      if (error instanceof LogProofError && error.code === 'NOTE_SIGNATURE_INVALID') {
        throw new StepFailure(`the checkpoint was altered: ${error.message}`);
      }
      throw error;
    }
    const cp = parseCheckpoint(verified.text);
    const bySigner = verified.verified.filter((s) => isLogSignature(s.keyName, s.keyId));
    ensure(bySigner.length > 0, 'only witnesses signed the checkpoint, not the log itself');
    // The log's key name is its origin; a trusted key of another log must not vouch for this one.
    const signer = bySigner.find((s) => s.keyName === cp.origin);
    ensure(signer !== undefined, `the checkpoint is for log ${cp.origin}, which no trusted key names`);
    ensure(
      cp.treeSize === bundle.treeSize,
      `the checkpoint is for ${cp.treeSize} entries, not ${bundle.treeSize}`,
    );
    const signed = `Signed by the log ${cp.origin} (key ${formatKeyId(signer.keyId)}) at ${cp.treeSize} entries.`;
    if (options.witnesses === undefined || witnessKeys.length === 0) {
      return `${signed} No witnesses configured: the checkpoint rests on the log's signature alone.`;
    }
    const cosigned = verified.verified.length - bySigner.length;
    ensure(
      cosigned >= options.witnesses.quorum,
      `${signed} Only ${cosigned} of the required ${options.witnesses.quorum} witnesses cosigned it.`,
    );
    return `${signed} Cosigned by ${cosigned} of ${witnessKeys.length} witnesses (${options.witnesses.quorum} required).`;
  });
}
