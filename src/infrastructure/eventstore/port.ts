/**
 * The event store port. Every adapter (sqlite, eventstoredb) implements this
 * interface and passes the same contract suite in test/contract.
 *
 * Revisions are per stream and start at 0n. Positions are global, strictly
 * increasing in commit order, and opaque beyond ordering: sqlite uses its row
 * id, EventStoreDB its `$all` commit position. Both are bigint in memory and
 * decimal strings when persisted, because a commit position can exceed 2^53.
 */

import type { JsonValue } from '../../domain/shared/json.js';

export type { JsonValue };

/** What the writer expects the stream's current revision to be. */
export type ExpectedRevision = 'no_stream' | 'any' | 'stream_exists' | bigint;

export interface NewEvent {
  readonly type: string;
  readonly data: JsonValue;
  readonly metadata?: JsonValue;
}

export interface RecordedEvent {
  readonly stream: string;
  /** Revision of this event inside its stream, from 0n. */
  readonly revision: bigint;
  /** Global commit position. */
  readonly position: bigint;
  readonly type: string;
  readonly data: JsonValue;
  readonly metadata: JsonValue | null;
  /** ISO-8601 time the store recorded the event (informational, never used by deciders). */
  readonly recordedAt: string;
}

export interface AppendResult {
  /** Revision of the last event written; the caller's next expected revision. */
  readonly nextExpectedRevision: bigint;
  /** Global position of the last event written. */
  readonly position: bigint;
}

export interface ReadStreamOptions {
  /** Inclusive. Defaults to 0n. */
  readonly fromRevision?: bigint;
  /** Page size. Adapters cap it at MAX_PAGE. */
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Undefined means from the start. */
  readonly after?: bigint;
  /** Page size. Adapters cap it at MAX_PAGE. */
  readonly maxCount?: number;
}

export interface Subscription {
  /** Resolves once the subscription has stopped and its handler will not be called again. */
  close(): Promise<void>;
  /** Resolves (or rejects) when the subscription ends on its own: close() or a handler/store error. */
  readonly done: Promise<void>;
}

export type EventHandler = (event: RecordedEvent) => void | Promise<void>;

export interface SubscribeOptions {
  /** Exclusive start position: events strictly after it. Undefined means from the start. */
  readonly after?: bigint;
}

export const MAX_PAGE = 1000;

export interface EventStore {
  /** Kind of adapter, for status output. */
  readonly kind: string;

  /**
   * Appends atomically to one stream. Resolves only once the write is durable.
   * Rejects with WrongExpectedRevisionError when the expectation does not hold,
   * and writes nothing in that case.
   */
  append(stream: string, events: readonly NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;

  /** One page of a stream, in revision order. Empty when the stream does not exist. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  /** One page of all streams, in global commit order. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;

  /**
   * Catch-up subscription: delivers every event after `after` in commit order,
   * then switches to live delivery without gaps or duplicates. The handler is
   * awaited; events are delivered one at a time.
   */
  subscribe(handler: EventHandler, options?: SubscribeOptions): Subscription;

  /** Position of the last committed event, or null when the store is empty. */
  lastPosition(): Promise<bigint | null>;

  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  readonly code = 'WRONG_EXPECTED_REVISION' as const;
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** Current revision, or 'no_stream' when the stream does not exist. */
    readonly actual: bigint | 'no_stream',
  ) {
    super(`stream ${stream}: expected revision ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** The store cannot be reached or refused to work; callers answer 503 + Retry-After. */
export class StoreUnavailableError extends Error {
  readonly code = 'STORE_UNAVAILABLE' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * Backpressure: the adapter already queues as many appends as it allows; callers answer 503 with
 * Retry-After. A kind of StoreUnavailableError, so code that only knows the port handles it too.
 * Raised by adapters that queue writes in process (group commit).
 */
export class StoreOverloadedError extends StoreUnavailableError {
  readonly reason = 'overloaded' as const;
  constructor(
    readonly pending: number,
    readonly retryAfterSeconds: number,
  ) {
    super(`event store overloaded: ${pending} appends already waiting for a commit`);
    this.name = 'StoreOverloadedError';
  }
}
