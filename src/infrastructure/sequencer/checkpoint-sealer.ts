/**
 * Seals the log: once the tree has grown, after `sealIntervalMs` from the
 * first unsealed leaf or as soon as `maxLeavesPerSeal` leaves wait, it signs a
 * checkpoint of everything sequenced and publishes it by appending a
 * CheckpointSealed event to the checkpoint stream. Published means appended
 * durably; a client waiting for its entry to be sealed is answered only then.
 *
 * Several nodes may seal the same log. Each append carries the expected
 * revision of the newest checkpoint the node knows, so the store lets exactly
 * one of the racers through per revision; a loser re-reads the stream, adopts
 * the winner, and seals again only if its own tree is still larger. Sizes on
 * the stream therefore strictly increase, and every checkpoint was signed by a
 * node that knew (and had verified) the one before it.
 */

import { encodeBase64 } from '../../domain/log/index.js';
import { type EventStore, type ExpectedRevision, WrongExpectedRevisionError } from '../eventstore/port.js';
import { CHECKPOINT_STREAM, checkpointSealedEvent, readCheckpointEvent } from './checkpoint-event.js';
import type { CheckpointSigner } from './checkpoint-signer.js';
import { LogDivergenceError, type Sequencer } from './sequencer.js';

export const DEFAULT_SEAL_INTERVAL_MS = 300;
export const DEFAULT_MAX_LEAVES_PER_SEAL = 1000;
/** A node that keeps losing races this often in one round lets the next round try again later. */
const MAX_ATTEMPTS_PER_ROUND = 5;
const STREAM_PAGE = 100;

export interface CheckpointSealerOptions {
  readonly store: EventStore;
  readonly sequencer: Sequencer;
  readonly signer: CheckpointSigner;
  readonly sealIntervalMs?: number;
  readonly maxLeavesPerSeal?: number;
  /** Told about failed rounds (the sealer retries after the interval, except on divergence). */
  readonly onError?: (error: Error) => void;
}

export interface SealerStats {
  /** Checkpoints this node published. */
  readonly sealed: number;
  /** Appends lost to another node's checkpoint. */
  readonly racesLost: number;
  readonly lastError: string | null;
}

export class CheckpointSealer {
  private readonly interval: number;
  private readonly maxLeaves: number;
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;
  /** Until start(): leaves replayed while the node catches up are sealed once, after it has. */
  private stopped = true;
  private halted: LogDivergenceError | null = null;
  private sealedCount = 0;
  private racesLost = 0;
  private lastError: Error | null = null;

  constructor(private readonly options: CheckpointSealerOptions) {
    this.interval = options.sealIntervalMs ?? DEFAULT_SEAL_INTERVAL_MS;
    this.maxLeaves = options.maxLeavesPerSeal ?? DEFAULT_MAX_LEAVES_PER_SEAL;
    if (!Number.isInteger(this.interval) || this.interval < 1)
      throw new RangeError('sealIntervalMs must be ≥ 1');
    if (!Number.isInteger(this.maxLeaves) || this.maxLeaves < 1)
      throw new RangeError('maxLeavesPerSeal must be ≥ 1');
    options.sequencer.onSequenced(() => this.evaluate());
  }

  /** Starts sealing; seals soon if leaves were sequenced but not sealed before a restart. */
  start(): void {
    this.stopped = false;
    this.evaluate();
  }

  /** Set when a published checkpoint disagreed with this node's tree; sealing has stopped for good. */
  get divergence(): LogDivergenceError | null {
    return this.halted;
  }

  stats(): SealerStats {
    return {
      sealed: this.sealedCount,
      racesLost: this.racesLost,
      lastError: this.lastError === null ? null : this.lastError.message,
    };
  }

  /** Seals now (if the tree grew) and resolves when that round is over. For tests and shutdown. */
  async sealNow(): Promise<void> {
    while (this.round !== null) await this.round;
    this.clearTimer();
    this.round = this.runRound();
    await this.round;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    if (this.round !== null) await this.round;
  }

  private unsealed(): number {
    const { sequencer } = this.options;
    return sequencer.sequencedSize() - sequencer.knownTreeSize();
  }

  /** Decides when the next round runs; called on every new leaf and after every round. */
  private evaluate(): void {
    if (this.stopped || this.halted !== null || this.round !== null) return;
    const waiting = this.unsealed();
    if (waiting <= 0) return;
    if (waiting >= this.maxLeaves) {
      this.clearTimer();
      this.schedule(0);
    } else if (this.timer === null) {
      this.schedule(this.interval);
    }
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.round = this.runRound();
    }, delayMs);
    // A pending seal must not keep a process alive that has nothing else to do.
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async runRound(): Promise<void> {
    try {
      await this.seal();
      this.lastError = null;
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      this.lastError = failure;
      if (failure instanceof LogDivergenceError) this.halted = failure;
      this.options.onError?.(failure);
    } finally {
      this.round = null;
      // Leaves that arrived during the round, or a failed round, start the next interval.
      this.evaluate();
    }
  }

  private async seal(): Promise<void> {
    const { store, sequencer, signer } = this.options;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS_PER_ROUND; attempt++) {
      const treeSize = sequencer.sequencedSize();
      if (treeSize <= sequencer.knownTreeSize()) return;
      const rootHash = sequencer.rootAt(treeSize);
      // Read in the same synchronous step as the tree size: the map stands at exactly these entries.
      const stateRoot = sequencer.stateRootAt(treeSize) ?? undefined;
      const revision = sequencer.checkpointRevision();
      const expected: ExpectedRevision = revision === null ? 'no_stream' : revision;
      const note = signer.sign(treeSize, rootHash, stateRoot);
      try {
        const appended = await store.append(
          CHECKPOINT_STREAM,
          [
            checkpointSealedEvent({
              origin: signer.origin,
              treeSize,
              rootHash: encodeBase64(rootHash),
              note,
            }),
          ],
          expected,
        );
        this.sealedCount++;
        sequencer.adopt({
          origin: signer.origin,
          treeSize,
          rootHash,
          note,
          revision: appended.nextExpectedRevision,
          position: appended.position,
        });
        return;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        this.racesLost++;
        await this.adoptWinners(expected);
      }
    }
    throw new Error(`lost ${MAX_ATTEMPTS_PER_ROUND} checkpoint races in a row; retrying after the interval`);
  }

  /** Reads the checkpoints appended after `expected` (the ones that beat this node) and adopts them. */
  private async adoptWinners(expected: ExpectedRevision): Promise<void> {
    const { store, sequencer } = this.options;
    let from = typeof expected === 'bigint' ? expected + 1n : 0n;
    for (;;) {
      const page = await store.readStream(CHECKPOINT_STREAM, { fromRevision: from, maxCount: STREAM_PAGE });
      for (const event of page) sequencer.adopt(readCheckpointEvent(event));
      const last = page[page.length - 1];
      if (page.length < STREAM_PAGE || last === undefined) return;
      from = last.revision + 1n;
    }
  }
}
