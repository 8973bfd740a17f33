import { DeliveryBudget } from '../delivery-budget.js';
import { type EventHandler, MAX_PAGE, type RecordedEvent, type Subscription } from '../port.js';

/** What a subscription needs from the store: pages of the feed as stored rows, and word of commits. */
export interface SubscriptionSource<Row> {
  /** At most `maxCount` rows after position `after` (all from the start when undefined), in position order. */
  readPage(after: bigint | undefined, maxCount: number): readonly Row[];
  /** The event a row stores: parsed only as it is delivered, within the delivery budget. */
  toEvent(row: Row): RecordedEvent;
  /** The row's stored text, in characters (its data and metadata). */
  textLength(row: Row): number;
  onCommit(listener: () => void): () => void;
  readonly pollIntervalMs: number;
}

/**
 * Stored text read in one page, about: past it the next page asks for fewer
 * rows. A page is one synchronous read; a page of a thousand slices of a
 * million-record batch (22 KB of base64 each) was 22 MB of strings at once,
 * parsed in the same turn, and its read and the collection after it held the
 * event loop for a few hundred milliseconds (issue 14).
 */
const PAGE_TEXT = 2 * 1024 * 1024;
/** Page sizes tried, largest first: a few fixed LIMITs, each prepared once. */
const PAGE_SIZES = [MAX_PAGE, 256, 64, 16] as const;

/**
 * Catch-up and live delivery are the same loop: read the next page after the
 * last delivered position, deliver it, and when there is nothing new wait for
 * an in-process commit or the poll timer (commits by other processes). Because
 * positions become visible in order, "after the last delivered position" can
 * neither skip nor repeat an event at the switch to live.
 */
export class SqliteSubscription<Row> implements Subscription {
  readonly done: Promise<void>;
  #closed = false;
  #wake: (() => void) | undefined;
  readonly #budget = new DeliveryBudget();
  /**
   * Index in PAGE_SIZES of the next page's size: smaller after a page of large events, larger after
   * small ones. It starts below the largest, so that a first page of large events is not a thousand.
   */
  #size = 1;

  constructor(
    private readonly source: SubscriptionSource<Row>,
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
      const page = this.source.readPage(this.last, PAGE_SIZES[this.#size]!);
      if (page.length === 0) {
        await this.#waitForCommit();
        continue;
      }
      this.#sizeNextPage(page);
      for (const row of page) {
        if (this.#closed) return;
        const event = this.source.toEvent(row);
        const handled = this.handler(event);
        // A synchronous handler (the projector's) is not awaited: a turn of the microtask queue per event.
        if (handled !== undefined) await handled;
        this.last = event.position;
        if (this.#budget.spent) await this.#budget.pause();
      }
    }
  }

  /** One size down after a page over PAGE_TEXT, one up after a full page that a larger size would keep under it. */
  #sizeNextPage(page: readonly Row[]): void {
    let text = 0;
    for (const row of page) text += this.source.textLength(row);
    if (text > PAGE_TEXT) {
      this.#size = Math.min(this.#size + 1, PAGE_SIZES.length - 1);
    } else if (this.#size > 0 && page.length === PAGE_SIZES[this.#size]) {
      const larger = PAGE_SIZES[this.#size - 1]!;
      if ((text / page.length) * larger <= PAGE_TEXT) this.#size--;
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
