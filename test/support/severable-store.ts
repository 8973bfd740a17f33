import {
  type AppendResult,
  type EventHandler,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  StoreUnavailableError,
  type SubscribeOptions,
  type Subscription,
} from '../../src/infrastructure/eventstore/port.js';

/**
 * A real store (our own port, wrapping e.g. the sqlite adapter) whose
 * connection a test can cut and restore: while severed every call fails with
 * StoreUnavailableError and live subscriptions end with it, which is what the
 * EventStoreDB adapter does when its server or leader goes away. The store
 * behind it keeps working, so other writers can go on meanwhile.
 */
export class SeverableStore implements EventStore {
  readonly kind: string;
  #severed: string | null = null;
  readonly #live = new Set<() => void>();
  /** Subscriptions opened so far (resubscribes included). */
  subscriptions = 0;

  constructor(readonly inner: EventStore) {
    this.kind = inner.kind;
  }

  get severed(): boolean {
    return this.#severed !== null;
  }

  sever(reason = 'connection to the event store lost'): void {
    this.#severed = reason;
    for (const cut of [...this.#live]) cut();
  }

  restore(): void {
    this.#severed = null;
  }

  #check(): void {
    if (this.#severed !== null) throw new StoreUnavailableError(this.#severed);
  }

  async append(
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    this.#check();
    return this.inner.append(stream, events, expected);
  }

  async readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    this.#check();
    return this.inner.readStream(stream, options);
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    this.#check();
    return this.inner.readAll(options);
  }

  async lastPosition(): Promise<bigint | null> {
    this.#check();
    return this.inner.lastPosition();
  }

  subscribe(handler: EventHandler, options?: SubscribeOptions): Subscription {
    this.subscriptions++;
    if (this.#severed !== null) {
      const done = Promise.reject(new StoreUnavailableError(this.#severed));
      done.catch(() => {});
      return { done, close: async () => {} };
    }
    let cutOff!: (error: Error) => void;
    const severed = new Promise<never>((_, reject) => {
      cutOff = reject;
    });
    const inner = this.inner.subscribe((event) => {
      // An event already read when the cut lands is not delivered: the connection is gone.
      if (this.#severed !== null) throw new StoreUnavailableError(this.#severed);
      return handler(event);
    }, options);
    const cut = () => {
      void inner.close();
      cutOff(new StoreUnavailableError(this.#severed ?? 'connection lost'));
    };
    this.#live.add(cut);
    const done = Promise.race([inner.done, severed]);
    const forget = () => this.#live.delete(cut);
    done.then(forget, forget);
    done.catch(() => {});
    return {
      done,
      close: async () => {
        await inner.close();
        await done.catch(() => {});
      },
    };
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
