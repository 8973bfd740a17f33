/**
 * What the soak (bench/soak-run.ts) remembers across restarts: every
 * acknowledged write of each kind, the writes acknowledged since the last
 * check (whose proofs are fetched and verified then), the log and authority
 * keys, the newest checkpoint seen, and the counts it prints.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  type Checkpoint,
  ed25519NoteVerifier,
  parseCheckpoint,
  verifyNote,
} from '../src/domain/log/index.js';

export const nobleVerify = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) =>
  ed25519.verify(signature, message, publicKey, { zip215: false });

/** A bulk certification the node acknowledged. */
export interface AckBatch {
  readonly batchId: string;
  readonly count: number;
  readonly batchRoot: string;
  /** Hex SHA-256 of each record, in batch order. */
  readonly digests: readonly string[];
}

/** A dataset version the node acknowledged (201, or 200 replayed). */
export interface AckUpload {
  readonly entryId: string;
  readonly version: number;
  /** Hex SHA-256 of the uploaded bytes, as the node answered it. */
  readonly digest: string;
}

export interface SoakCounts {
  kills: number;
  /** Acknowledged writes of every kind (certifications, batches, uploads). */
  acknowledged: number;
  certifications: number;
  batches: number;
  batchRecords: number;
  uploads: number;
  uploadBytes: number;
  leavesChecked: number;
  /** Proof bundles of single certifications fetched and verified. */
  proofsChecked: number;
  /** Batches read back and one record's proof bundle verified. */
  batchesChecked: number;
  /** Dataset versions fetched whose bytes hashed to the acknowledged digest. */
  uploadsChecked: number;
  checkpointsChecked: number;
  refusedOrCut: number;
}

export class Ledger {
  /** position → id of every acknowledged write. */
  readonly acknowledged = new Map<string, string>();
  /** Certifications acknowledged since the last check: their proof bundles are verified then. */
  fresh: string[] = [];
  freshBatches: AckBatch[] = [];
  readonly uploads: AckUpload[] = [];
  vkey: string | null = null;
  /** The authority's public key (base64), pinned when verifying proof bundles. */
  authorityKey: string | null = null;
  /** The dataset entry the uploads go to, once published. */
  entryId: string | null = null;
  lastSeen: Checkpoint | null = null;
  readonly counts: SoakCounts = {
    kills: 0,
    acknowledged: 0,
    certifications: 0,
    batches: 0,
    batchRecords: 0,
    uploads: 0,
    uploadBytes: 0,
    leavesChecked: 0,
    proofsChecked: 0,
    batchesChecked: 0,
    uploadsChecked: 0,
    checkpointsChecked: 0,
    refusedOrCut: 0,
  };

  verified(note: string): Checkpoint {
    return parseCheckpoint(verifyNote(note, [ed25519NoteVerifier(this.vkey!, nobleVerify)]).text);
  }

  /** Records an acknowledged write of any kind at its log position. */
  acknowledge(position: string, id: string): void {
    this.acknowledged.set(position, id);
    this.counts.acknowledged++;
  }
}

export function fail(message: string): never {
  throw new Error(`soak: ${message}`);
}
