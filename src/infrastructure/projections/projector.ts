import type { Statement } from 'better-sqlite3';
import {
  type EventStore,
  type RecordedEvent,
  StoreUnavailableError,
  type Subscription,
} from '../eventstore/port.js';
import type { NodeDatabase } from './node-database.js';
import { positionFromKey, positionKey } from './position-key.js';
import type { EventValidity, Projection } from './projection.js';

const EVERY_EVENT_VALID: EventValidity = { isValid: () => true };

const POSITION_KEY = 'projector.position';
/** Commit at least this often during catch-up so a long replay does not build one huge transaction. */
const MAX_EVENTS_PER_TRANSACTION = 2000;
/** Resubscribe delays after the store dropped the feed: doubling from the first to the last. */
const RECONNECT_FIRST_MS = 200;
const RECONNECT_MAX_MS = 5000;

/**
 * The read models did not reach a position in time. A kind of
 * StoreUnavailableError: the usual cause is a feed cut off from the store, and
 * the caller's answer is the same, 503 + Retry-After (the write is durable;
 * retrying the same command is safe).
 */
export class FeedLagError extends StoreUnavailableError {
  constructor(
    readonly position: bigint,
    readonly timeoutMs: number,
  ) {
    super(
      `the read models did not reach position ${position} within ${timeoutMs} ms; retry the same command`,
    );
    this.name = 'FeedLagError';
  }
}

interface Waiter {
  readonly position: bigint;
  resolve(): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Feeds the read models from the event store's catch-up subscription. Events
 * are applied in small transactions (one per tick) and the last applied
 * position is stored in the same transaction, so a restart resumes exactly
 * where the read models stand: no gap, no event applied twice.
 *
 * When the store drops the feed (StoreUnavailableError: connection lost,
 * leader gone), the projector commits what it applied and resubscribes after
 * its last applied position, with backoff: a reconnect is a restart without
 * the process exit. A read model that throws stops the feed for good.
 */
export class Projector {
  private subscription: Subscription | null = null;
  private inTransaction = false;
  private pendingInTransaction = 0;
  private pendingPosition: bigint | null = null;
  private flushScheduled = false;
  private projected: bigint | null;
  private waiters: Waiter[] = [];
  private failure: Error | null = null;
  private listeners: ((event: RecordedEvent) => void)[] = [];
  private lost: StoreUnavailableError | null = null;
  private reconnectDelayMs = RECONNECT_FIRST_MS;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readonly connectionListeners: ((lost: StoreUnavailableError | null) => void)[] = [];
  /** Prepared once: flush runs once per event-loop turn under load. */
  private readonly savePosition: Statement<[string, string]>;

  constructor(
    private readonly store: EventStore,
    private readonly db: NodeDatabase,
    private readonly projections: readonly Projection[],
    /** Which events read models may see; it must be a projection listed before every read model. */
    private readonly validity: EventValidity = EVERY_EVENT_VALID,
  ) {
    for (const p of projections) p.migrate(db);
    const row = db.prepare('SELECT value FROM projection_meta WHERE name = ?').get(POSITION_KEY) as
      | { value: string }
      | undefined;
    this.projected = row === undefined ? null : positionFromKey(row.value);
    this.savePosition = db.prepare(
      'INSERT INTO projection_meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value',
    );
  }

  /** Position of the last event applied to every read model, or null before the first. */
  get position(): bigint | null {
    return this.projected;
  }

  get error(): Error | null {
    return this.failure;
  }

  /** Why the feed is cut off from the store right now (it is resubscribing), or null while connected. */
  get disconnected(): StoreUnavailableError | null {
    return this.lost;
  }

  /** Told when the feed is lost (with why) and when it delivers again (null). */
  onConnectionChange(listener: (lost: StoreUnavailableError | null) => void): void {
    this.connectionListeners.push(listener);
  }

  /** Called after each committed batch with the events it held, e.g. to wake the sequencer. */
  onApplied(listener: (event: RecordedEvent) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    if (this.subscription !== null || this.reconnectTimer !== null) return;
    this.stopped = false;
    this.subscribe();
  }

  private stopped = false;
  private handlerFailure: { readonly error: unknown } | null = null;

  private subscribe(): void {
    const sub = this.store.subscribe(
      (event) => this.handle(event),
      this.projected === null ? {} : { after: this.projected },
    );
    this.subscription = sub;
    sub.done.catch((error: unknown) => {
      if (this.subscription !== sub) return;
      this.subscription = null;
      const thrownByReadModel = this.handlerFailure !== null && this.handlerFailure.error === error;
      if (!thrownByReadModel && error instanceof StoreUnavailableError && !this.stopped) {
        this.reconnectLater(error);
        return;
      }
      this.failure = error instanceof Error ? error : new Error(String(error));
      for (const w of this.waiters.splice(0)) {
        clearTimeout(w.timer);
        w.reject(this.failure);
      }
    });
  }

  private reconnectLater(error: StoreUnavailableError): void {
    // What was applied before the feed broke is kept; the new subscription starts after it.
    this.flush();
    const first = this.lost === null;
    this.lost = error;
    if (first) for (const listener of this.connectionListeners) listener(error);
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(delay * 2, RECONNECT_MAX_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.stopped) return;
      this.subscribe();
      const sub = this.subscription;
      // A quiet log delivers nothing to prove the new feed works: a store that answers does.
      this.store.lastPosition().then(
        () => {
          if (this.subscription === sub) this.markConnected();
        },
        () => undefined,
      );
    }, delay);
  }

  private markConnected(): void {
    if (this.lost === null) return;
    this.lost = null;
    for (const listener of this.connectionListeners) listener(null);
  }

  private readonly applied: RecordedEvent[] = [];

  private handle(event: RecordedEvent): void {
    this.markConnected();
    // Only a delivered event resets the backoff: a feed that connects and fails again keeps slowing down.
    this.reconnectDelayMs = RECONNECT_FIRST_MS;
    if (!this.inTransaction) {
      this.db.exec('BEGIN');
      this.inTransaction = true;
    }
    try {
      for (const p of this.projections)
        if (p.everyEntry === true || this.validity.isValid(event)) p.apply(event);
    } catch (error) {
      // Marked so that the feed's end is not mistaken for a lost connection and retried.
      this.handlerFailure = { error };
      throw error;
    }
    this.applied.push(event);
    this.pendingPosition = event.position;
    this.pendingInTransaction++;
    if (this.pendingInTransaction >= MAX_EVENTS_PER_TRANSACTION) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (!this.inTransaction || this.pendingPosition === null) return;
    for (const p of this.projections) p.beforeCommit?.();
    this.savePosition.run(POSITION_KEY, positionKey(this.pendingPosition));
    this.db.exec('COMMIT');
    for (const p of this.projections) p.afterCommit?.();
    this.inTransaction = false;
    this.pendingInTransaction = 0;
    this.projected = this.pendingPosition;
    const applied = this.applied.splice(0);
    for (const listener of this.listeners) for (const event of applied) listener(event);
    const projected = this.projected;
    const ready = this.waiters.filter((w) => w.position <= projected);
    this.waiters = this.waiters.filter((w) => w.position > projected);
    for (const w of ready) {
      clearTimeout(w.timer);
      w.resolve();
    }
  }

  /** Resolves once every read model reflects `position` (read-your-writes for the caller). */
  waitFor(position: bigint, timeoutMs = 10_000): Promise<void> {
    if (this.projected !== null && this.projected >= position) return Promise.resolve();
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.stopped) return Promise.reject(new Error('projector stopped'));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        position,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new FeedLagError(position, timeoutMs));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const sub = this.subscription;
    this.subscription = null;
    if (sub !== null) await sub.close();
    this.flush();
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new Error('projector stopped'));
    }
  }

  /** Drops every read model and its position; the next start() replays the whole store. */
  reset(): void {
    for (const p of this.projections) p.reset(this.db);
    this.db.prepare('DELETE FROM projection_meta WHERE name = ?').run(POSITION_KEY);
    this.projected = null;
    for (const p of this.projections) p.migrate(this.db);
  }
}
