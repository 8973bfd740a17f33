/**
 * The page's online check: is the proof it was served still the news? A proxy or a cache can serve an old
 * but genuine bundle, for instance one from before a revocation. Online, the page fetches the log's latest
 * checkpoint, checks it extends the bundle's (an RFC 6962 consistency proof; otherwise someone shows two
 * histories), and compares the record's state the latest bundle proves with the one it was shown.
 *
 * Pure: no node:* imports, no clock, no I/O; the page does the fetching.
 */

import {
  type Checkpoint,
  decodeBase64,
  type Ed25519Verify,
  ed25519NoteVerifier,
  hashesEqual,
  LogProofError,
  parseCheckpoint,
  parseNote,
  verifyConsistency,
  verifyNote,
} from '../log/index.js';
import type { VerificationReport } from './verification-report.js';

export type LatestCheckKind =
  /** The bundle's checkpoint is the latest one. */
  | 'current'
  /** The log has grown; the latest proof says the same status. */
  | 'same-state'
  /** The log has grown and the latest proof says another status: the bundle shown was out of date. */
  | 'changed'
  /** The latest checkpoint does not extend the bundle's: two histories. */
  | 'split-view'
  /** Nothing trustworthy to compare with (no answer, or an answer that does not verify). */
  | 'unknown';

export interface LatestCheck {
  readonly kind: LatestCheckKind;
  readonly bundleSize?: number;
  readonly latestSize?: number;
  readonly latestStatus?: 'active' | 'suspended' | 'revoked';
}

export interface LatestInput {
  /** The checkpoint note of the bundle shown (its report must have passed the checkpoint step). */
  readonly bundleCheckpoint: string;
  readonly report: VerificationReport;
  /** GET /v1/log/checkpoint: the latest checkpoint note. */
  readonly latestNote: string;
  /** GET /v1/log/consistency?from=bundle size&to=latest size: its base64 hashes (empty when the sizes are equal). */
  readonly consistencyProof: readonly string[];
  /** The report of a bundle fetched again now, when the log has grown. */
  readonly latestReport?: VerificationReport;
  readonly trustedLogKeys: readonly string[];
  readonly verify: Ed25519Verify;
}

function signedCheckpoint(note: string, input: LatestInput): Checkpoint | null {
  try {
    const verifiers = input.trustedLogKeys.map((k) => ed25519NoteVerifier(k, input.verify));
    const verified = verifyNote(note, verifiers);
    const cp = parseCheckpoint(verified.text);
    return verified.verified.some((s) => s.keyName === cp.origin) ? cp : null;
  } catch (error) {
    if (error instanceof LogProofError) return null;
    throw error;
  }
}

function extends_(old: Checkpoint, latest: Checkpoint, proof: readonly string[]): boolean {
  const hashes = proof.map((h) => decodeBase64(h));
  if (hashes.some((h) => h === undefined || h.length !== 32)) return false;
  try {
    verifyConsistency(old.treeSize, latest.treeSize, hashes as Uint8Array[], old.rootHash, latest.rootHash);
    return true;
  } catch (error) {
    if (error instanceof LogProofError) return false;
    throw error;
  }
}

/** Compares the bundle shown with the log's latest state. Never throws on hostile input. */
export function checkAgainstLatest(input: LatestInput): LatestCheck {
  let old: Checkpoint;
  try {
    old = parseCheckpoint(parseNote(input.bundleCheckpoint).text);
  } catch {
    return { kind: 'unknown' };
  }
  const latest = signedCheckpoint(input.latestNote, input);
  if (latest === null || latest.origin !== old.origin) return { kind: 'unknown' };
  const sizes = { bundleSize: old.treeSize, latestSize: latest.treeSize };
  if (latest.treeSize < old.treeSize) return { kind: 'unknown', ...sizes };
  if (latest.treeSize === old.treeSize)
    return { kind: hashesEqual(old.rootHash, latest.rootHash) ? 'current' : 'split-view', ...sizes };
  if (!extends_(old, latest, input.consistencyProof)) return { kind: 'split-view', ...sizes };
  const shown = input.report.state?.status;
  const now = input.latestReport?.state;
  // The newer proof counts only if it verified everything but its own verdict on the status.
  const authentic = input.latestReport?.steps.every((s) => s.ok || s.id === 'status' || s.id === 'validity');
  if (now === undefined || shown === undefined || authentic !== true || now.treeSize < old.treeSize)
    return { kind: 'unknown', ...sizes };
  return { kind: now.status === shown ? 'same-state' : 'changed', ...sizes, latestStatus: now.status };
}
