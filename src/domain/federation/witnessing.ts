/**
 * Which witnesses of a trust policy cosigned a checkpoint note, and whether
 * they make its quorum: the one evaluation shared by the nodes (finality,
 * wait=final, status), the citizen page and `chancery verify`. Also how a log
 * puts the cosignatures it collected into the note it publishes, in one
 * deterministic order so every node serves the same bytes.
 *
 * Pure: no node:* imports, no clock, no I/O.
 */

import {
  type Checkpoint,
  cosignatureVerifier,
  type Ed25519Verify,
  ed25519NoteVerifier,
  formatNote,
  LogProofError,
  type NoteSignature,
  type NoteVerifier,
  parseCheckpoint,
  parseCosignature,
  parseNote,
  verifyNote,
} from '../log/index.js';
import { describeQuorum, isQuorumMet, type TrustPolicy } from './trust-policy.js';

export interface Cosigner {
  /** The witness's name in the policy. */
  readonly name: string;
  /** Its key name (what its signature line shows). */
  readonly keyName: string;
  readonly cosigned: boolean;
  /** The cosignature's timestamp (seconds since the epoch), when it cosigned. */
  readonly timestamp: number | null;
}

export interface Witnessing {
  readonly checkpoint: Checkpoint;
  /** Every witness of the policy, in policy order, with whether its valid cosignature is on the note. */
  readonly cosigners: readonly Cosigner[];
  readonly quorumMet: boolean;
  /** The quorum rule in words. */
  readonly quorum: string;
}

function sameKey(signature: NoteSignature, verifier: { keyName: string; keyId: number }): boolean {
  return signature.keyName === verifier.keyName && signature.keyId === verifier.keyId;
}

/**
 * Verifies a checkpoint note under a policy: a signature by one of the
 * policy's logs whose name is the checkpoint's origin (or by one of
 * `extraLogKeys`, vkeys the caller trusts beside the policy), and every
 * cosignature by a policy witness. Signatures by unknown keys are ignored.
 * Throws LogProofError: the note's parse codes, NOTE_SIGNATURE_INVALID (a
 * known key's signature fails: tampering), NOTE_UNVERIFIED (no trusted log
 * signed it, or a log of another origin did), CHECKPOINT_MALFORMED.
 */
export function witnessingOf(
  note: string,
  policy: TrustPolicy,
  verify: Ed25519Verify,
  extraLogKeys: readonly string[] = [],
): Witnessing {
  const logVerifiers: NoteVerifier[] = [
    ...policy.logs.map((log) => ed25519NoteVerifier(log.vkey, verify)),
    ...extraLogKeys
      .filter((vkey) => !policy.logs.some((log) => log.vkey === vkey))
      .map((vkey) => ed25519NoteVerifier(vkey, verify)),
  ];
  const witnessVerifiers = policy.witnesses.map((w) => cosignatureVerifier(w.vkey, verify));
  const verified = verifyNote(note, [...logVerifiers, ...witnessVerifiers]);
  const checkpoint = parseCheckpoint(verified.text);
  // A log's key name is its origin: a trusted key of another log must not vouch for this one.
  const bySigner = verified.verified.some((s) =>
    logVerifiers.some((v) => sameKey(s, v) && v.keyName === checkpoint.origin),
  );
  if (!bySigner) {
    throw new LogProofError('NOTE_UNVERIFIED', `no trusted key of the log ${checkpoint.origin} signed it`);
  }
  const cosigners = policy.witnesses.map((w, i): Cosigner => {
    const signature = verified.verified.find((s) => sameKey(s, witnessVerifiers[i]!));
    return {
      name: w.name,
      keyName: w.key.name,
      cosigned: signature !== undefined,
      timestamp: signature === undefined ? null : parseCosignature(signature.signature).timestamp,
    };
  });
  const cosigned = new Set(cosigners.filter((c) => c.cosigned).map((c) => c.name));
  return {
    checkpoint,
    cosigners,
    quorumMet: isQuorumMet(policy, cosigned),
    quorum: describeQuorum(policy),
  };
}

/**
 * The note a log publishes: the checkpoint text, its signatures that are not
 * by a policy witness (the log's own, in their order), then at most one
 * cosignature per policy witness in policy order. Cosignatures already on the
 * note are kept over new ones from the same witness, so publishing again never
 * changes a line that was published. The caller has verified the cosignatures.
 */
export function withCosignatures(
  note: string,
  cosignatures: readonly NoteSignature[],
  policy: TrustPolicy,
): string {
  const parsed = parseNote(note);
  const witnessOf = (s: NoteSignature) =>
    policy.witnesses.findIndex((w) => w.key.name === s.keyName && w.key.keyId === s.keyId);
  const others = parsed.signatures.filter((s) => witnessOf(s) < 0);
  const chosen = new Map<number, NoteSignature>();
  for (const s of [...parsed.signatures, ...cosignatures]) {
    const index = witnessOf(s);
    if (index >= 0 && !chosen.has(index)) chosen.set(index, s);
  }
  const ordered = [...chosen.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
  return formatNote({ text: parsed.text, signatures: [...others, ...ordered] });
}
