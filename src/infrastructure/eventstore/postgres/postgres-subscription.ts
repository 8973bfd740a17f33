import type { Client, Notification } from 'pg';
import { DeliveryBudget } from '../delivery-budget.js';
import { type EventHandler, type RecordedEvent, StoreUnavailableError, type Subscription } from '../port.js';

/**
 * Live feeds on LISTEN/NOTIFY. Every append transaction notifies the
 * schema's channel with its last position; the notification is delivered
 * only once that transaction has committed. A notification is only a wake-up:
 * what a subscription delivers always comes from reading the table after the
 * last position it delivered, which the sequencing lock makes gap-free. A lost
 * or late notification therefore costs latency (the poll timer reads anyway),
 * never an event.
 */

interface Listening {
  readonly wake: () => void;
  readonly lost: (error: Error) => void;
}

/**
 * One LISTEN connection per store instance, shared by its subscriptions. When
 * it drops, every subscription attached to it ends with StoreUnavailableError
 * (their owners resubscribe from the position they hold: a reconnect is a
 * catch-up); the next attach opens a new connection.
 */
export class FeedListener {
  #client: Client | null = null;
  #connecting: Promise<Client> | null = null;
  readonly #attached = new Set<Listening>();
  #closed = false;

  constructor(
    private readonly newClient: () => Client,
    private readonly channel: string,
    private readonly toError: (error: unknown, what: string) => Error,
  ) {}

  /** Resolves once LISTEN is in effect, with the function that detaches. */
  async attach(wake: () => void, lost: (error: Error) => void): Promise<() => void> {
    const client = await this.#connect();
    // The connection may have dropped while this caller waited for it.
    if (client !== this.#client) throw new StoreUnavailableError('postgres: the LISTEN connection was lost');
    const entry: Listening = { wake, lost };
    this.#attached.add(entry);
    return () => {
      this.#attached.delete(entry);
    };
  }

  /** Wakes every attached subscription: a commit through this instance needs no round trip to be seen. */
  wakeAll(): void {
    for (const entry of [...this.#attached]) entry.wake();
  }

  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client ?? (await this.#connecting?.catch(() => null)) ?? null;
    this.#client = null;
    this.#connecting = null;
    this.#attached.clear();
    await client?.end().catch(() => undefined);
  }

  #connect(): Promise<Client> {
    if (this.#closed) return Promise.reject(new StoreUnavailableError('event store is closed'));
    this.#connecting ??= this.#open().catch((error: unknown) => {
      this.#connecting = null;
      throw this.toError(error, 'LISTEN');
    });
    return this.#connecting;
  }

  async #open(): Promise<Client> {
    const client = this.newClient();
    client.on('error', (error) => this.#drop(client, error));
    client.on('end', () => this.#drop(client, new Error('the LISTEN connection ended')));
    client.on('notification', (message: Notification) => {
      if (message.channel === this.channel) this.wakeAll();
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      throw new StoreUnavailableError('event store is closed');
    }
    this.#client = client;
    return client;
  }

  #drop(client: Client, error: unknown): void {
    if (client !== this.#client) return;
    this.#client = null;
    this.#connecting = null;
    const attached = [...this.#attached];
    this.#attached.clear();
    const lost = this.toError(error, 'the live feed');
    for (const entry of attached) entry.lost(lost);
    client.end().catch(() => undefined);
  }
}

/** What a subscription needs from the store. */
export interface FeedSource {
  /** Up to MAX_PAGE events strictly after `after` (from the start when undefined), in position order. */
  readPage(after: bigint | undefined): Promise<RecordedEvent[]>;
  readonly listener: FeedListener;
  /** How long an idle subscription waits for a notification before it reads anyway. */
  readonly pollIntervalMs: number;
}

/**
 * Catch-up and live delivery are one loop: read the page after the last
 * delivered position, deliver it, and when it is empty wait for a
 * notification (or the poll timer). LISTEN is in effect before the first
 * read, and a notification that arrives while a read is under way makes the
 * loop read again at once, so no commit can slip between a read and the wait.
 */
export class PostgresSubscription implements Subscription {
  readonly done: Promise<void>;
  #closed = false;
  #wakes = 0;
  #lost: Error | null = null;
  #wake: (() => void) | undefined;
  readonly #budget = new DeliveryBudget();

  constructor(
    private readonly source: FeedSource,
    private readonly handler: EventHandler,
    private last: bigint | undefined,
  ) {
    this.done = this.#run();
    // Reported through `done`; a caller that only uses close() must not crash on an unhandled rejection.
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
    if (this.#closed) return;
    const detach = await this.source.listener.attach(
      () => this.#signal(),
      (error) => {
        this.#lost = error;
        this.#signal();
      },
    );
    try {
      await this.#deliver();
    } finally {
      detach();
    }
  }

  async #deliver(): Promise<void> {
    while (!this.#closed) {
      if (this.#lost !== null) throw this.#lost;
      const seen = this.#wakes;
      const page = await this.source.readPage(this.last);
      // close() may have come during the read, when there was no wait to cut short.
      if (this.#closed) return;
      if (page.length === 0) {
        if (this.#wakes === seen) await this.#waitForWake();
        continue;
      }
      for (const event of page) {
        if (this.#closed) return;
        await this.handler(event);
        this.last = event.position;
        if (this.#budget.spent) await this.#budget.pause();
      }
    }
  }

  #signal(): void {
    this.#wakes += 1;
    this.#wake?.();
  }

  #waitForWake(): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(finish, this.source.pollIntervalMs);
      this.#wake = finish;
    });
  }
}
