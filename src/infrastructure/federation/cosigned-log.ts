/**
 * The log as the API serves it once witnesses are involved: the sequencer's
 * leaves, proofs and checkpoints, with each checkpoint's note replaced by the
 * published note that carries its cosignatures (CheckpointCosigned events,
 * projected here into node.db), and finality: the largest checkpoint whose
 * cosignatures meet the trust policy's quorum.
 *
 * Every node applies the same events in the same order and keeps, per tree
 * size, the note with the most valid cosignatures (the first such on a tie),
 * so every node that has caught up serves the same bytes for a checkpoint.
 */

import type { Statement } from 'better-sqlite3';
import { QUORUM_NONE, type TrustPolicy, witnessingOf } from '../../domain/federation/index.js';
import { ed25519NoteVerifier, parseNote, verifyNote } from '../../domain/log/index.js';
import { verifyEd25519 } from '../crypto/ed25519-verifier.js';
import type { RecordedEvent } from '../eventstore/port.js';
import type { NodeDatabase } from '../projections/node-database.js';
import type { Projection } from '../projections/projection.js';
import type {
  CheckpointHistory,
  LogEntryRecord,
  LogReader,
  SealedCheckpoint,
} from '../sequencer/log-reader.js';
import type { Sequencer } from '../sequencer/sequencer.js';
import { COSIGNATURE_STREAM, readCosignedEvent } from './cosignature-event.js';
import { FinalityWaiters } from './finality-waiters.js';

interface Evaluation {
  readonly cosigners: number;
  readonly final: boolean;
  /** The newest cosignature's time, in seconds since the epoch (0 when none is known). */
  readonly newest: number;
}

interface Row {
  tree_size: number;
  note: string;
  cosigners: number;
  final: number;
}

export class CosignedLog implements Projection, LogReader, CheckpointHistory {
  readonly name = 'log-cosignatures';
  private statements!: {
    at: Statement<[number], Row>;
    upsert: Statement<[number, string, number, number]>;
  };
  private finalSize = 0;
  private readonly finality = new FinalityWaiters();

  constructor(
    private readonly sequencer: Sequencer,
    /** The trust policy that decides finality; null until a mirror has learnt one (no finality then). */
    private trustPolicy: TrustPolicy | null,
  ) {}

  get policy(): TrustPolicy | null {
    return this.trustPolicy;
  }

  /** A mirror without a policy of its own adopts upstream's once fetched; later notes are read with it. */
  setPolicy(policy: TrustPolicy): void {
    this.trustPolicy = policy;
  }

  get origin(): string {
    return this.sequencer.origin;
  }

  get verifierKey(): string {
    return this.sequencer.verifierKey;
  }

  // ── Projection ─────────────────────────────────────────────────────────────

  migrate(db: NodeDatabase): void {
    db.exec(`CREATE TABLE IF NOT EXISTS log_cosigned_checkpoints (
      tree_size INTEGER PRIMARY KEY,
      note TEXT NOT NULL,
      cosigners INTEGER NOT NULL,
      final INTEGER NOT NULL
    )`);
    this.statements = {
      at: db.prepare<[number], Row>('SELECT * FROM log_cosigned_checkpoints WHERE tree_size = ?'),
      upsert: db.prepare<[number, string, number, number]>(
        `INSERT INTO log_cosigned_checkpoints (tree_size, note, cosigners, final) VALUES (?, ?, ?, ?)
         ON CONFLICT(tree_size) DO UPDATE SET note = excluded.note, cosigners = excluded.cosigners, final = excluded.final`,
      ),
    };
    this.finalSize =
      (db.prepare('SELECT MAX(tree_size) FROM log_cosigned_checkpoints WHERE final = 1').pluck().get() as
        | number
        | null) ?? 0;
  }

  reset(db: NodeDatabase): void {
    db.exec('DROP TABLE IF EXISTS log_cosigned_checkpoints');
    this.finalSize = 0;
  }

  apply(event: RecordedEvent): void {
    if (event.stream !== COSIGNATURE_STREAM) return;
    const published = readCosignedEvent(event);
    // Another node's malformed or foreign event must not stop this node's feed: it is simply not served.
    if (published === null || published.origin !== this.origin) return;
    const sealed = this.sequencer.checkpointAt(published.treeSize);
    if (sealed === null) return;
    const evaluation = this.evaluate(published.note, sealed);
    if (evaluation === null) return;
    const existing = this.statements.at.get(published.treeSize);
    if (existing !== undefined && !this.supersedes(evaluation, existing, sealed)) return;
    this.statements.upsert.run(
      published.treeSize,
      published.note,
      evaluation.cosigners,
      evaluation.final ? 1 : 0,
    );
    if (evaluation.final && published.treeSize > this.finalSize) {
      this.finalSize = published.treeSize;
      // Answered after the projector's transaction commits, like every other read-your-writes wait.
      setImmediate(() => this.finality.settle(this.finalSize));
    }
  }

  /**
   * A note replaces the one served for its size when more witnesses cosigned it, or as many did, more
   * recently: the log resubmits an idle checkpoint to its witnesses, and their fresh cosignatures say
   * the state it commits to is still the current one (freshness).
   */
  private supersedes(next: Evaluation, existing: Row, sealed: SealedCheckpoint): boolean {
    if (next.cosigners !== existing.cosigners) return next.cosigners > existing.cosigners;
    const before = this.evaluate(existing.note, sealed);
    return before === null || next.newest > before.newest;
  }

  /** The note's cosignature count, finality and newest cosignature time, or null when it is not a note of this checkpoint. */
  private evaluate(note: string, sealed: SealedCheckpoint): Evaluation | null {
    try {
      if (parseNote(note).text !== parseNote(sealed.note).text) return null;
      if (this.policy === null) {
        const verified = verifyNote(note, [ed25519NoteVerifier(this.verifierKey, verifyEd25519)]);
        return { cosigners: verified.unverified.length, final: false, newest: 0 };
      }
      const witnessing = witnessingOf(note, this.policy, verifyEd25519, [this.verifierKey]);
      const cosigned = witnessing.cosigners.filter((c) => c.cosigned);
      return {
        cosigners: cosigned.length,
        final: witnessing.quorumMet,
        newest: Math.max(0, ...cosigned.map((c) => c.timestamp ?? 0)),
      };
    } catch {
      return null;
    }
  }

  // ── Finality ───────────────────────────────────────────────────────────────

  /** Whether a sealed checkpoint is final as soon as it is sealed (a policy with `quorum none`). */
  private get finalWhenSealed(): boolean {
    return this.policy?.quorum === QUORUM_NONE;
  }

  /** The largest tree size under a checkpoint the quorum cosigned (0 when none is). */
  finalTreeSize(): number {
    if (this.finalWhenSealed) return this.sequencer.latestCheckpoint()?.treeSize ?? 0;
    return this.finalSize;
  }

  /** Told (outside the projector's transaction) whenever the final size grows. */
  onFinal(listener: (treeSize: number) => void): void {
    this.finality.onFinal(listener);
  }

  /** Resolves with the final tree size once a final checkpoint covers leafIndex. */
  async waitForFinal(leafIndex: number, timeoutMs: number): Promise<number> {
    if (this.finalWhenSealed) {
      return (await this.sequencer.waitForSeal(leafIndex, timeoutMs)).treeSize;
    }
    if (leafIndex < this.finalSize) return this.finalSize;
    return this.finality.wait(leafIndex, timeoutMs);
  }

  /** Rejects every pending waitForFinal: the node is shutting down. */
  close(): void {
    this.finality.close();
  }

  /** The published (cosigned) note of a tree size, or null when none was published. */
  cosignedNote(treeSize: number): string | null {
    if (!Number.isSafeInteger(treeSize) || treeSize < 0) return null;
    return this.statements.at.get(treeSize)?.note ?? null;
  }

  private withCosignatures(checkpoint: SealedCheckpoint | null): SealedCheckpoint | null {
    if (checkpoint === null) return null;
    const note = this.cosignedNote(checkpoint.treeSize);
    return note === null ? checkpoint : { ...checkpoint, note };
  }

  // ── LogReader, with cosigned notes ─────────────────────────────────────────

  sequencedSize(): number {
    return this.sequencer.sequencedSize();
  }

  latestCheckpoint(): SealedCheckpoint | null {
    return this.withCosignatures(this.sequencer.latestCheckpoint());
  }

  checkpointAt(treeSize: number): SealedCheckpoint | null {
    return this.withCosignatures(this.sequencer.checkpointAt(treeSize));
  }

  leafIndexForPosition(position: bigint): number | null {
    return this.sequencer.leafIndexForPosition(position);
  }

  entry(leafIndex: number): LogEntryRecord | null {
    return this.sequencer.entry(leafIndex);
  }

  entries(start: number, end: number, limit: number): LogEntryRecord[] {
    return this.sequencer.entries(start, end, limit);
  }

  inclusionProof(leafIndex: number, treeSize: number): Uint8Array[] {
    return this.sequencer.inclusionProof(leafIndex, treeSize);
  }

  consistencyProof(from: number, to: number): Uint8Array[] {
    return this.sequencer.consistencyProof(from, to);
  }

  waitForSeal(leafIndex: number, timeoutMs: number): Promise<SealedCheckpoint> {
    return this.sequencer.waitForSeal(leafIndex, timeoutMs);
  }
}
