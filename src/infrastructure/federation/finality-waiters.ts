/**
 * Writes waiting for finality (`?wait=final`): each waits until a checkpoint
 * the witness quorum cosigned covers its leaf, or until its timeout. Also
 * tells listeners whenever the final size grows.
 */

/** A write waited for finality longer than it was allowed to. */
export class FinalityTimeoutError extends Error {
  readonly code = 'FINALITY_TIMEOUT' as const;
  constructor(
    readonly leafIndex: number,
    readonly timeoutMs: number,
  ) {
    super(
      `leaf ${leafIndex} was not under a checkpoint cosigned by the witness quorum within ${timeoutMs} ms`,
    );
    this.name = 'FinalityTimeoutError';
  }
}

interface FinalWaiter {
  readonly leafIndex: number;
  resolve(treeSize: number): void;
  reject(error: Error): void;
  readonly timer: NodeJS.Timeout;
}

export class FinalityWaiters {
  private waiters: FinalWaiter[] = [];
  private readonly listeners: ((treeSize: number) => void)[] = [];

  /** Told whenever the final size grows. */
  onFinal(listener: (treeSize: number) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves with the final tree size once settle() reports one that covers leafIndex. */
  wait(leafIndex: number, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const waiter: FinalWaiter = {
        leafIndex,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new FinalityTimeoutError(leafIndex, timeoutMs));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** The final tree size is now `size`: answers the waits it covers and tells the listeners. */
  settle(size: number): void {
    const ready = this.waiters.filter((w) => w.leafIndex < size);
    this.waiters = this.waiters.filter((w) => w.leafIndex >= size);
    for (const w of ready) {
      clearTimeout(w.timer);
      w.resolve(size);
    }
    for (const listener of this.listeners) listener(size);
  }

  /** Rejects every pending wait: the node is shutting down. */
  close(): void {
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new Error('the node closed before the entry was final'));
    }
  }
}
