import { DeliveryBudget } from '../delivery-budget.js';
import type { EventHandler, RecordedEvent, Subscription } from '../port.js';

/** What a subscription needs from the store: pages of the feed, and word of commits. */
export interface SubscriptionSource {
  readPage(after: bigint | undefined): RecordedEvent[];
  onCommit(listener: () => void): () => void;
  readonly pollIntervalMs: number;
}

/**
 * Catch-up and live delivery are the same loop: read the next page after the
 * last delivered position, deliver it, and when there is nothing new wait for
 * an in-process commit or the poll timer (commits by other processes). Because
 * positions become visible in order, "after the last delivered position" can
 * neither skip nor repeat an event at the switch to live.
 */
export class SqliteSubscription implements Subscription {
  readonly done: Promise<void>;
  #closed = false;
  #wake: (() => void) | undefined;
  readonly #budget = new DeliveryBudget();

  constructor(
    private readonly source: SubscriptionSource,
    private readonly handler: EventHandler,
    private last: bigint | undefined,
  ) {
    this.done = this.#run();
    // The handler's error is reported through `done`; without this a caller
    // that only uses close() would crash the process with an unhandled rejection.
    this.done.catch(() => {});
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    await this.done.catch(() => {});
  }

  async #run(): Promise<void> {
    // Never call the handler before subscribe() has returned to its caller.
    await null;
    while (!this.#closed) {
      const page = this.source.readPage(this.last);
      if (page.length === 0) {
        await this.#waitForCommit();
        continue;
      }
      for (const event of page) {
        if (this.#closed) return;
        const handled = this.handler(event);
        // A synchronous handler (the projector's) is not awaited: a turn of the microtask queue per event.
        if (handled !== undefined) await handled;
        this.last = event.position;
        if (this.#budget.spent) await this.#budget.pause();
      }
    }
  }

  #waitForCommit(): Promise<void> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        stopListening();
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(finish, this.source.pollIntervalMs);
      const stopListening = this.source.onCommit(finish);
      this.#wake = finish;
    });
  }
}
