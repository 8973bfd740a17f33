/**
 * What the rest of the node reads from the Merkle log: sealed checkpoints,
 * entries by leaf index, and proofs. The sequencer implements it; the proof
 * bundle builder, the read API and the citizen page depend only on this.
 *
 * Leaf indexes and tree sizes are JS numbers: the stored-hash layout keeps
 * them below 2^52 (see src/domain/log/stored-hashes.ts).
 */

export interface SealedCheckpoint {
  readonly treeSize: number;
  readonly rootHash: Uint8Array;
  /** The C2SP signed note (tlog-checkpoint body + signature lines), exactly as published. */
  readonly note: string;
}

export interface LogEntryRecord {
  readonly leafIndex: number;
  /** Event-store position of the event this leaf was made from. */
  readonly position: bigint;
  /** RFC 8785 bytes of { type, stream, data, envelope }: the leaf hashed into the tree. */
  readonly leaf: Uint8Array;
}

export interface LogReader {
  /** The log's origin, also the checkpoint key name. */
  readonly origin: string;
  /** The log's C2SP verifier key string (name+keyhash+base64(0x01‖pubkey)). */
  readonly verifierKey: string;
  /** Number of leaves sequenced so far (sealed or not). */
  sequencedSize(): number;
  latestCheckpoint(): SealedCheckpoint | null;
  leafIndexForPosition(position: bigint): number | null;
  entry(leafIndex: number): LogEntryRecord | null;
  /** Entries [start, end), at most `limit`. */
  entries(start: number, end: number, limit: number): LogEntryRecord[];
  /** Inclusion proof of leafIndex in the tree of size treeSize (treeSize ≤ sequencedSize()). */
  inclusionProof(leafIndex: number, treeSize: number): Uint8Array[];
  /** Consistency proof between two tree sizes (from ≤ to ≤ sequencedSize()). */
  consistencyProof(from: number, to: number): Uint8Array[];
  /** Resolves with the first checkpoint whose tree contains leafIndex. */
  waitForSeal(leafIndex: number, timeoutMs: number): Promise<SealedCheckpoint>;
}

/**
 * Checkpoints other than the latest, by tree size. Separate from LogReader so
 * implementations of the port (and test doubles) need not provide it.
 */
export interface CheckpointHistory {
  /** The published checkpoint of exactly this tree size, or null when none was published at that size. */
  checkpointAt(treeSize: number): SealedCheckpoint | null;
}
