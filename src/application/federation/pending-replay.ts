/**
 * The mirror's verified entries not yet applied, replayed write by write
 * through the EntryReplayer into the mirror's store. A write cut by a
 * checkpoint (its events run past the entries that have arrived) waits here
 * for its rest. A write that does not replay halts the mirror.
 */

import { type EntryReplayer, ReplayRejectedError, type UpstreamEntry } from '../replay/entry-replay.js';
import { MirrorHalt } from './mirror-halt.js';

export interface PendingReplayOptions {
  readonly replayer: EntryReplayer;
  /** After the log's first entry (the genesis) is applied. */
  readonly onGenesis?: () => Promise<void>;
  /** True once the mirror is stopping: replay ends after the write in hand. */
  readonly stopped: () => boolean;
}

export class PendingReplay {
  private pending: UpstreamEntry[] = [];

  constructor(private readonly options: PendingReplayOptions) {}

  /** The verified entries waiting, in log order. */
  get entries(): readonly UpstreamEntry[] {
    return this.pending;
  }

  /** Queues entries verified against the signed root, after those already waiting. */
  add(entries: readonly UpstreamEntry[]): void {
    this.pending.push(...entries);
  }

  /** Forgets the waiting entries: the mirror halted and applies nothing more. */
  clear(): void {
    this.pending = [];
  }

  /** Replays the pending writes in order; a write that may continue beyond them stays pending. */
  async apply(): Promise<boolean> {
    let applied = false;
    while (this.pending.length > 0 && !this.options.stopped()) {
      const first = this.pending[0]!;
      let result: Awaited<ReturnType<EntryReplayer['replayNext']>>;
      try {
        result = await this.options.replayer.replayNext(this.pending);
      } catch (error) {
        if (error instanceof ReplayRejectedError) {
          throw new MirrorHalt(
            'entry-rejected',
            error.message,
            null,
            JSON.stringify(first).slice(0, 64 * 1024),
          );
        }
        throw error;
      }
      if (!result.applied) return applied;
      this.pending = this.pending.slice(result.count);
      applied = true;
      if (first.leafIndex === 0) await this.options.onGenesis?.();
    }
    return applied;
  }
}
