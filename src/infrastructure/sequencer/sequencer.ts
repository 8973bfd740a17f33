/**
 * The sequencer: gives every domain event a leaf index in global commit order,
 * stores the RFC 6962 hashes, and keeps track of the checkpoints published on
 * the checkpoint stream. It implements LogReader for the API and proof bundles.
 *
 * It is a Projection registered with the node's Projector rather than a
 * subscription of its own. The projector applies an event to every read model
 * and records the feed position in one SQLite transaction, so leaves, hashes
 * and read models always stand at the same position: a crash can neither lose
 * a leaf the read models show nor apply an event twice, and a write is
 * acknowledged only once its leaf exists (the command service waits for the
 * projector). Leaf indexes are a pure function of the event order — the n-th
 * event off the checkpoint stream is leaf n — so a replay after any crash, or
 * `chancery rebuild`, assigns exactly the same indexes and hashes.
 */

import type { Statement } from 'better-sqlite3';
import type { SignedPayloadTexts } from '../../domain/canonical/signed-payload-texts.js';
import {
  ed25519NoteVerifier,
  hashesEqual,
  LogProofError,
  type NoteVerifier,
  parseCheckpoint,
  parseNote,
  stateMapRootOf,
  verifyNote,
} from '../../domain/log/index.js';
import { verifyEd25519 } from '../crypto/ed25519-verifier.js';
import type { RecordedEvent } from '../eventstore/port.js';
import type { NodeDatabase } from '../projections/node-database.js';
import { positionFromKey, positionKey } from '../projections/position-key.js';
import type { Projection } from '../projections/projection.js';
import {
  CHECKPOINT_STREAM,
  COSIGNATURE_STREAM,
  type PublishedCheckpoint,
  readCheckpointEvent,
} from './checkpoint-event.js';
import { logLeafOf } from './log-entry.js';
import type { CheckpointHistory, LogEntryRecord, LogReader, SealedCheckpoint } from './log-reader.js';
import { MerkleHashStore } from './merkle-hash-store.js';

/** waitForSeal gave up: the entry is durable and sequenced, but no checkpoint covered it in time. */
export class SealTimeoutError extends Error {
  readonly code = 'SEAL_TIMEOUT' as const;
  constructor(
    readonly leafIndex: number,
    readonly timeoutMs: number,
  ) {
    super(`leaf ${leafIndex} was not sealed within ${timeoutMs} ms`);
    this.name = 'SealTimeoutError';
  }
}

/** waitForSeal was pending when the node shut down; the entry is durable and will be sealed after restart. */
export class LogClosedError extends Error {
  readonly code = 'LOG_CLOSED' as const;
  constructor() {
    super('the log closed before the entry was sealed');
    this.name = 'LogClosedError';
  }
}

/**
 * A published checkpoint disagrees with the tree this node computed from the
 * same events: a split view, a corrupted node database or a foreign origin.
 * The node refuses to go on rather than serve or sign anything on top of it.
 */
export class LogDivergenceError extends Error {
  readonly code = 'LOG_DIVERGENCE' as const;
  constructor(message: string) {
    super(message);
    this.name = 'LogDivergenceError';
  }
}

/**
 * The ordered state machine's map, as the log commits to it: every checkpoint carries the map's root
 * after its tree size's entries (src/infrastructure/log-state).
 */
export interface StateCommitment {
  /** The map root after the log's first treeSize entries; null when that state is no longer kept. */
  rootAt(treeSize: number): Uint8Array | null;
  /** A checkpoint committed to this state: keep it provable. */
  retainVersion(treeSize: number): void;
}

interface CheckpointRow {
  tree_size: number;
  root_hash: Buffer;
  note: string;
  position: string;
  revision: string;
}

interface SealWaiter {
  readonly leafIndex: number;
  resolve(checkpoint: SealedCheckpoint): void;
  reject(error: Error): void;
  readonly timer: NodeJS.Timeout;
}

function fromRow(row: CheckpointRow, origin: string): PublishedCheckpoint {
  return {
    origin,
    treeSize: row.tree_size,
    rootHash: new Uint8Array(row.root_hash),
    note: row.note,
    position: positionFromKey(row.position),
    revision: BigInt(row.revision),
  };
}

function sealed(checkpoint: PublishedCheckpoint): SealedCheckpoint {
  return { treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash, note: checkpoint.note };
}

export class Sequencer implements Projection, LogReader, CheckpointHistory {
  readonly name = 'log';
  /** Every event is a leaf, void ones included: the log is append-only whatever the verdict. */
  readonly everyEntry = true;
  readonly hashes: MerkleHashStore;
  private statements!: { insertCheckpoint: Statement; checkpointAt: Statement<[number], CheckpointRow> };
  /** The newest checkpoint this node serves: published, verified, and within the sequenced leaves. */
  private latest: PublishedCheckpoint | null = null;
  /**
   * The newest checkpoint known on the stream, possibly ahead of `latest` when
   * another node sealed leaves this node has not sequenced yet. The sealer
   * appends after its revision and never seals a size at or below it.
   */
  private known: { readonly treeSize: number; readonly revision: bigint } | null = null;
  private waiters: SealWaiter[] = [];
  private readonly sequencedListeners: (() => void)[] = [];
  private readonly servedListeners: ((checkpoint: SealedCheckpoint) => void)[] = [];
  private readonly logKey: NoteVerifier;

  constructor(
    db: NodeDatabase,
    readonly origin: string,
    /** The log's verifier key: every checkpoint this node serves or adopts must carry its signature. */
    readonly verifierKey: string,
    /** The state map the checkpoints commit to; without it, checkpoints carry no state root. */
    private readonly state: StateCommitment | null = null,
    /** Payload texts the signature checks wrote, so that a leaf does not write them again. */
    private readonly payloadTexts?: SignedPayloadTexts,
  ) {
    this.hashes = new MerkleHashStore(db);
    this.logKey = ed25519NoteVerifier(verifierKey, verifyEd25519);
  }

  migrate(db: NodeDatabase): void {
    this.hashes.migrate();
    db.exec(`CREATE TABLE IF NOT EXISTS log_checkpoints (
      tree_size INTEGER PRIMARY KEY,
      root_hash BLOB NOT NULL,
      note TEXT NOT NULL,
      position TEXT NOT NULL UNIQUE,
      revision TEXT NOT NULL
    )`);
    this.statements = {
      insertCheckpoint: db.prepare(
        'INSERT OR IGNORE INTO log_checkpoints (tree_size, root_hash, note, position, revision) VALUES (?, ?, ?, ?, ?)',
      ),
      checkpointAt: db.prepare<[number], CheckpointRow>('SELECT * FROM log_checkpoints WHERE tree_size = ?'),
    };
    const row = db.prepare('SELECT * FROM log_checkpoints ORDER BY tree_size DESC LIMIT 1').get() as
      | CheckpointRow
      | undefined;
    this.latest = row === undefined ? null : fromRow(row, this.origin);
    this.known =
      this.latest === null ? null : { treeSize: this.latest.treeSize, revision: this.latest.revision };
  }

  reset(db: NodeDatabase): void {
    this.hashes.reset();
    db.exec('DROP TABLE IF EXISTS log_checkpoints');
    this.latest = null;
    this.known = null;
  }

  apply(event: RecordedEvent): void {
    // Checkpoints are bookkeeping about the log, not entries of it.
    if (event.stream === CHECKPOINT_STREAM) {
      this.applyCheckpoint(event);
      return;
    }
    if (event.stream === COSIGNATURE_STREAM) return;
    this.hashes.append(event.position, logLeafOf(event, this.payloadTexts));
    for (const listener of this.sequencedListeners) listener();
  }

  /** Called (synchronously, inside the projector's transaction) after each new leaf. Must only schedule work. */
  onSequenced(listener: () => void): void {
    this.sequencedListeners.push(listener);
  }

  /** Called whenever a newer checkpoint is served (e.g. to ask witnesses to cosign it). Must only schedule work. */
  onCheckpointServed(listener: (checkpoint: SealedCheckpoint) => void): void {
    this.servedListeners.push(listener);
  }

  private applyCheckpoint(event: RecordedEvent): void {
    const checkpoint = readCheckpointEvent(event);
    // Every leaf a checkpoint covers was committed before it, so the projector has already applied them.
    if (checkpoint.treeSize > this.hashes.size) {
      throw new LogDivergenceError(
        `checkpoint ${checkpoint.revision} covers ${checkpoint.treeSize} leaves, but only ${this.hashes.size} events precede it`,
      );
    }
    this.verify(checkpoint);
    this.statements.insertCheckpoint.run(
      checkpoint.treeSize,
      Buffer.from(checkpoint.rootHash),
      checkpoint.note,
      positionKey(checkpoint.position),
      checkpoint.revision.toString(),
    );
    this.noteKnown(checkpoint);
    this.serve(checkpoint);
  }

  /** Throws LogDivergenceError unless the checkpoint is of this log and agrees with this node's tree. */
  private verify(checkpoint: PublishedCheckpoint): void {
    const where = `checkpoint ${checkpoint.revision} (size ${checkpoint.treeSize})`;
    this.verifySigned(checkpoint, where);
    if (!hashesEqual(this.hashes.root(checkpoint.treeSize), checkpoint.rootHash)) {
      throw new LogDivergenceError(`${where}: its root differs from the root of this node's tree`);
    }
    let body: ReturnType<typeof parseCheckpoint>;
    try {
      body = parseCheckpoint(parseNote(checkpoint.note).text);
    } catch (error) {
      throw new LogDivergenceError(`${where}: the note is malformed: ${(error as Error).message}`);
    }
    // The note is what clients verify; it must say what the event says.
    if (
      body.origin !== checkpoint.origin ||
      body.treeSize !== checkpoint.treeSize ||
      !hashesEqual(body.rootHash, checkpoint.rootHash)
    ) {
      throw new LogDivergenceError(`${where}: the signed note names a different tree head`);
    }
    this.verifyState(body, where);
  }

  /**
   * The state map root the checkpoint signs must be this node's own, recomputed from the same entries
   * in the same order. Checkpoints from before the state map carry none and claim nothing.
   */
  private verifyState(body: ReturnType<typeof parseCheckpoint>, where: string): void {
    if (this.state === null) return;
    let signed: Uint8Array | null;
    try {
      signed = stateMapRootOf(body);
    } catch (error) {
      throw new LogDivergenceError(`${where}: ${(error as Error).message}`);
    }
    if (signed === null) {
      // Once a checkpoint of this log committed to its state, every later one must: a log-key holder
      // who drops the line would otherwise get a checkpoint that proves nothing about revocations.
      if (this.committedToState() && body.treeSize >= (this.latest?.treeSize ?? 0))
        throw new LogDivergenceError(
          `${where}: it carries no state map root, but this log's checkpoints commit to their state`,
        );
      return;
    }
    const own = this.state.rootAt(body.treeSize);
    if (own === null) return;
    if (!hashesEqual(own, signed)) {
      throw new LogDivergenceError(
        `${where}: its state map root differs from the root of this node's state map at that size`,
      );
    }
    this.state.retainVersion(body.treeSize);
  }

  /** Whether the latest checkpoint this node accepted carries a state map root (from then on every one must). */
  committedToState(): boolean {
    if (this.latest === null) return false;
    try {
      return stateMapRootOf(parseCheckpoint(parseNote(this.latest.note).text)) !== null;
    } catch {
      return false;
    }
  }

  /** The state map root the log commits to at treeSize (the current size when sealing); null without a map. */
  stateRootAt(treeSize: number): Uint8Array | null {
    return this.state?.rootAt(treeSize) ?? null;
  }

  /**
   * Throws LogDivergenceError unless the checkpoint is of this origin and signed by the log key. Clients
   * trust one log key: a checkpoint another node signed with its own key would be unverifiable to them.
   */
  private verifySigned(checkpoint: PublishedCheckpoint, where: string): void {
    if (checkpoint.origin !== this.origin) {
      throw new LogDivergenceError(`${where} is for origin ${checkpoint.origin}, this log is ${this.origin}`);
    }
    try {
      verifyNote(checkpoint.note, [this.logKey]);
    } catch (error) {
      throw new LogDivergenceError(
        `${where} is not signed by the log key ${this.verifierKey.split('+').slice(0, 2).join('+')} ` +
          `(${(error as Error).message}): every node sealing this log must use the same log key (--log-key)`,
      );
    }
  }

  private noteKnown(checkpoint: PublishedCheckpoint): void {
    if (this.known === null || checkpoint.revision > this.known.revision) {
      this.known = { treeSize: checkpoint.treeSize, revision: checkpoint.revision };
    }
  }

  private serve(checkpoint: PublishedCheckpoint): void {
    if (this.latest !== null && checkpoint.treeSize <= this.latest.treeSize) return;
    this.latest = checkpoint;
    for (const listener of this.servedListeners) listener(sealed(checkpoint));
    const ready = this.waiters.filter((w) => w.leafIndex < checkpoint.treeSize);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.leafIndex >= checkpoint.treeSize);
    const answer = sealed(checkpoint);
    for (const w of ready) {
      clearTimeout(w.timer);
      w.resolve(answer);
    }
  }

  /**
   * A checkpoint found on the stream outside the feed: the sealer's own
   * successful append, or another node's winning one read back after a lost
   * race. Served at once when this node has the leaves to check it; otherwise
   * only remembered, and served when the feed brings it.
   */
  adopt(checkpoint: PublishedCheckpoint): void {
    if (checkpoint.treeSize <= this.hashes.size) this.verify(checkpoint);
    // Beyond this node's leaves only the signature can be checked now; the feed checks the root later.
    else this.verifySigned(checkpoint, `checkpoint ${checkpoint.revision} (size ${checkpoint.treeSize})`);
    this.noteKnown(checkpoint);
    if (checkpoint.treeSize <= this.hashes.size) this.serve(checkpoint);
  }

  /** Revision of the newest checkpoint event known on the stream, or null before the first. */
  checkpointRevision(): bigint | null {
    return this.known?.revision ?? null;
  }

  /** Tree size of the newest checkpoint known on the stream (0 before the first). */
  knownTreeSize(): number {
    return this.known?.treeSize ?? 0;
  }

  rootAt(treeSize: number): Uint8Array {
    return this.hashes.root(treeSize);
  }

  // ── LogReader ──────────────────────────────────────────────────────────────

  sequencedSize(): number {
    return this.hashes.size;
  }

  latestCheckpoint(): SealedCheckpoint | null {
    return this.latest === null ? null : sealed(this.latest);
  }

  checkpointAt(treeSize: number): SealedCheckpoint | null {
    if (this.latest !== null && this.latest.treeSize === treeSize) return sealed(this.latest);
    if (!Number.isSafeInteger(treeSize) || treeSize < 0) return null;
    const row = this.statements.checkpointAt.get(treeSize);
    return row === undefined ? null : sealed(fromRow(row, this.origin));
  }

  leafIndexForPosition(position: bigint): number | null {
    return this.hashes.leafIndexForPosition(position);
  }

  entry(leafIndex: number): LogEntryRecord | null {
    return this.hashes.entry(leafIndex);
  }

  entries(start: number, end: number, limit: number): LogEntryRecord[] {
    return this.hashes.entries(start, Math.min(end, this.hashes.size), limit);
  }

  inclusionProof(leafIndex: number, treeSize: number): Uint8Array[] {
    return this.hashes.inclusionProof(leafIndex, treeSize);
  }

  consistencyProof(from: number, to: number): Uint8Array[] {
    return this.hashes.consistencyProof(from, to);
  }

  leafHash(leafIndex: number): Uint8Array {
    return this.hashes.leafHashAt(leafIndex);
  }

  waitForSeal(leafIndex: number, timeoutMs: number): Promise<SealedCheckpoint> {
    if (!Number.isSafeInteger(leafIndex) || leafIndex < 0) {
      return Promise.reject(
        new LogProofError('INDEX_OUT_OF_RANGE', `leaf index ${leafIndex} is not an index`),
      );
    }
    if (this.latest !== null && leafIndex < this.latest.treeSize) return Promise.resolve(sealed(this.latest));
    return new Promise((resolve, reject) => {
      const waiter: SealWaiter = {
        leafIndex,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new SealTimeoutError(leafIndex, timeoutMs));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Rejects every pending waitForSeal; the node is shutting down. */
  close(): void {
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new LogClosedError());
    }
  }
}
