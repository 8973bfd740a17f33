/**
 * The EventStoreDB adapter of the event store port. It is the only file that
 * imports @eventstore/db-client: moving to its renamed successor
 * (@kurrent/kurrentdb-client, same API under new names) touches this file alone.
 *
 * Mapping onto the port:
 * - expected revisions: 'no_stream' / 'any' / 'stream_exists' / bigint are the
 *   client's NO_STREAM / ANY / STREAM_EXISTS / bigint revision;
 *   WrongExpectedVersionError becomes the port's WrongExpectedRevisionError;
 *   every other failure becomes StoreUnavailableError (the API answers 503).
 * - positions: the `$all` commit position of the event. Events written over
 *   gRPC (EventStoreDB 20+) commit one by one, so commit = prepare = the
 *   event's own log position, strictly increasing in commit order; a position
 *   is resumed from as { commit: p, prepare: p }. Stream reads carry it from
 *   server 22.6 on; older servers are refused rather than silently misordered.
 * - the feed (readAll, subscribe, lastPosition) is the database's user
 *   streams: system streams (names starting with `$`) are filtered out, on the
 *   server for subscriptions. A Chancery log owns its database.
 * - every read is paged (at most MAX_PAGE events per call) and subscriptions
 *   await the handler before taking the next event, so nothing ever collects
 *   a whole stream in memory.
 */

import {
  type AllStreamRecordedEvent,
  ANY,
  type AppendExpectedRevision,
  BACKWARDS,
  END,
  type RecordedEvent as EsdbRecordedEvent,
  type EventData,
  EventStoreDBClient,
  FORWARDS,
  type JSONType,
  jsonEvent,
  NO_STREAM,
  type Position,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  streamNameFilter,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { DeliveryBudget } from '../delivery-budget.js';
import { toEventJson } from '../event-json.js';
import { checkExpected, expectationHolds } from '../expected-revision.js';
import {
  type AppendResult,
  type EventHandler,
  type EventStore,
  type ExpectedRevision,
  type JsonValue,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  StoreUnavailableError,
  type SubscribeOptions,
  type Subscription,
  WrongExpectedRevisionError,
} from '../port.js';
import { checkAfter, checkStreamName, fromRevisionOf, pageSize } from '../port-arguments.js';
import { maskPassword } from './connection-string.js';

export { maskPassword };

export interface EventStoreDbOptions {
  /** `esdb://host:2113?tls=false` for one node, `esdb://a:2113,b:2113,c:2113?tls=false` or `esdb+discover://…` for a cluster. */
  readonly url: string;
}

/** Stream-name filter for the feed: everything but system streams. */
const USER_STREAMS = '^[^$]';
/** Older servers put this in the position fields of stream reads instead of the real position. */
const NO_POSITION = 2n ** 64n - 1n;
/** Pages of `$all` read backwards when looking for the newest user event. */
const BACKWARD_PAGE = 100;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export class EventStoreDbEventStore implements EventStore {
  readonly kind = 'eventstoredb';
  /** The connection string with any password masked, for messages and status. */
  readonly target: string;
  readonly #client: EventStoreDBClient;
  readonly #subscriptions = new Set<EsdbSubscription>();
  readonly #inFlight = new Set<Promise<unknown>>();
  #closing = false;
  #closed: Promise<void> | undefined;

  constructor(options: EventStoreDbOptions) {
    const url = options.url;
    if (typeof url !== 'string' || !/^esdb(\+discover)?:\/\/\S+$/.test(url)) {
      throw new TypeError('eventstoredb: url must be an esdb:// or esdb+discover:// connection string');
    }
    this.target = maskPassword(url);
    try {
      this.#client = EventStoreDBClient.connectionString(url);
    } catch (error) {
      throw new TypeError(`eventstoredb: cannot use ${this.target}: ${messageOf(error)}`);
    }
  }

  async append(
    stream: string,
    events: readonly NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    checkStreamName(stream);
    checkExpected(expected);
    const proposed = events.map((event, index) => toEventData(stream, event, index));
    this.#checkOpen();
    const work =
      proposed.length === 0 ? this.#checkOnly(stream, expected) : this.#append(stream, proposed, expected);
    // close() lets appends already sent finish, as the sqlite adapter commits its queue.
    this.#inFlight.add(work);
    const forget = () => this.#inFlight.delete(work);
    work.then(forget, forget);
    return work;
  }

  async #append(stream: string, proposed: EventData[], expected: ExpectedRevision): Promise<AppendResult> {
    try {
      const result = await this.#client.appendToStream(stream, proposed, {
        expectedRevision: toEsdbExpected(expected),
      });
      // The position of a write is the commit position of its last event.
      if (result.position === undefined) {
        throw new StoreUnavailableError(`eventstoredb: the append to ${stream} returned no position`);
      }
      return { nextExpectedRevision: result.nextExpectedRevision, position: result.position.commit };
    } catch (error) {
      throw this.#mapError(error, `append to ${stream}`, stream, expected);
    }
  }

  /**
   * An empty append writes nothing: the server is not asked to write, the
   * expectation is checked against the stream's last event. Like the sqlite
   * adapter it answers -1n for both fields when the stream does not exist.
   */
  async #checkOnly(stream: string, expected: ExpectedRevision): Promise<AppendResult> {
    const [last] = await this.#readStreamPage(stream, END, 1, BACKWARDS);
    const actual = last === undefined ? 'no_stream' : last.revision;
    if (!expectationHolds(expected, actual)) throw new WrongExpectedRevisionError(stream, expected, actual);
    return last === undefined
      ? { nextExpectedRevision: -1n, position: -1n }
      : { nextExpectedRevision: last.revision, position: last.position };
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const fromRevision = fromRevisionOf(options.fromRevision);
    const limit = pageSize(options.maxCount);
    if (limit === 0) return [];
    this.#checkOpen();
    return this.#readStreamPage(stream, fromRevision, limit, FORWARDS);
  }

  async #readStreamPage(
    stream: string,
    from: bigint | typeof END,
    limit: number,
    direction: typeof FORWARDS | typeof BACKWARDS,
  ): Promise<RecordedEvent[]> {
    const page: RecordedEvent[] = [];
    try {
      for await (const resolved of this.#client.readStream(stream, {
        fromRevision: from,
        maxCount: limit,
        direction,
      })) {
        if (resolved.event !== undefined) page.push(toRecordedEvent(resolved.event));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw this.#mapError(error, `read ${stream}`);
    }
    return page;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after;
    checkAfter(after);
    const limit = pageSize(options.maxCount);
    if (limit === 0) return [];
    this.#checkOpen();
    const page: RecordedEvent[] = [];
    let cursor = after;
    // System events are dropped client-side, so one server page may not fill ours: read on until it is full.
    for (;;) {
      const wanted = limit - page.length;
      // +1: a read from a position includes the event at that position, which is not "after" it.
      const request = cursor === undefined ? wanted : wanted + 1;
      let seen = 0;
      let lastRaw: bigint | undefined;
      try {
        for await (const resolved of this.#client.readAll({
          fromPosition: cursor === undefined ? START : positionAt(cursor),
          maxCount: request,
          direction: FORWARDS,
        })) {
          seen++;
          const event = resolved.event;
          if (event === undefined) continue;
          const position = event.position.commit;
          lastRaw = position;
          if (cursor !== undefined && position <= cursor) continue;
          if (event.streamId.startsWith('$')) continue;
          if (page.length < limit) page.push(toRecordedEvent(event));
        }
      } catch (error) {
        throw this.#mapError(error, 'read $all');
      }
      if (page.length >= limit || seen < request || lastRaw === undefined) return page;
      cursor = lastRaw;
    }
  }

  subscribe(handler: EventHandler, options: SubscribeOptions = {}): Subscription {
    if (this.#closing) throw new StoreUnavailableError('event store is closed');
    checkAfter(options.after);
    const subscription = new EsdbSubscription(this.#client, handler, options.after, (error, what) =>
      this.#mapError(error, what),
    );
    this.#subscriptions.add(subscription);
    const forget = () => this.#subscriptions.delete(subscription);
    subscription.done.then(forget, forget);
    return subscription;
  }

  async lastPosition(): Promise<bigint | null> {
    this.#checkOpen();
    let cursor: bigint | undefined;
    for (;;) {
      let seen = 0;
      let lastRaw: bigint | undefined;
      try {
        for await (const resolved of this.#client.readAll({
          fromPosition: cursor === undefined ? END : positionAt(cursor),
          maxCount: BACKWARD_PAGE,
          direction: BACKWARDS,
        })) {
          seen++;
          const event = resolved.event;
          if (event === undefined) continue;
          const position = event.position.commit;
          lastRaw = position;
          // Whether a backward read includes its start position or not, never look at it twice.
          if (cursor !== undefined && position >= cursor) continue;
          if (!event.streamId.startsWith('$')) return position;
        }
      } catch (error) {
        throw this.#mapError(error, 'read the end of $all');
      }
      if (seen < BACKWARD_PAGE || lastRaw === undefined) return null;
      cursor = lastRaw;
    }
  }

  /** Lets appends already sent finish, stops subscriptions, then closes the connection. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#closing = true;
    await Promise.allSettled([...this.#inFlight]);
    await Promise.all([...this.#subscriptions].map((subscription) => subscription.close()));
    await this.#client.dispose().catch(() => undefined);
  }

  #checkOpen(): void {
    if (this.#closing) throw new StoreUnavailableError('event store is closed');
  }

  #mapError(error: unknown, what: string, stream?: string, expected?: ExpectedRevision): Error {
    if (error instanceof WrongExpectedVersionError && stream !== undefined && expected !== undefined) {
      // Our own expectation, not the server's echo of it: the caller compares it with what it sent.
      return new WrongExpectedRevisionError(stream, expected, error.actualVersion);
    }
    if (error instanceof StoreUnavailableError || error instanceof WrongExpectedRevisionError) return error;
    return new StoreUnavailableError(`eventstoredb ${this.target}: ${what} failed: ${messageOf(error)}`, {
      cause: error,
    });
  }
}

/**
 * Catch-up subscription to `$all`, filtered to user streams on the server.
 * Delivery resumes strictly after the last delivered position, so neither the
 * inclusive start of a read nor a server replay can repeat an event. It ends
 * (rejecting `done`) when the connection is lost: the projector resubscribes
 * from its own stored position, which is what makes a restart and a reconnect
 * the same code path.
 */
class EsdbSubscription implements Subscription {
  readonly done: Promise<void>;
  #closed = false;
  #stream: ReturnType<EventStoreDBClient['subscribeToAll']> | undefined;

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly handler: EventHandler,
    private last: bigint | undefined,
    private readonly mapError: (error: unknown, what: string) => Error,
  ) {
    this.done = this.#run();
    // Reported through `done`; a caller that only uses close() must not crash on an unhandled rejection.
    this.done.catch(() => {});
  }

  async close(): Promise<void> {
    this.#closed = true;
    const stream = this.#stream;
    if (stream !== undefined) {
      await stream.unsubscribe().catch(() => undefined);
      // A cancelled call does not always end the readable: destroying it ends the loop in #run for sure.
      stream.destroy();
    }
    await this.done.catch(() => {});
  }

  async #run(): Promise<void> {
    // Never call the handler before subscribe() has returned to its caller.
    await null;
    if (this.#closed) return;
    const stream = this.client.subscribeToAll({
      fromPosition: this.last === undefined ? START : positionAt(this.last),
      filter: streamNameFilter({ regex: USER_STREAMS }),
    });
    this.#stream = stream;
    let handlerFailure: { error: unknown } | undefined;
    const budget = new DeliveryBudget();
    try {
      for await (const resolved of stream) {
        if (this.#closed) break;
        const event = resolved.event;
        if (event === undefined || event.streamId.startsWith('$')) continue;
        const recorded = toRecordedEvent(event);
        if (this.last !== undefined && recorded.position <= this.last) continue;
        try {
          await this.handler(recorded);
        } catch (error) {
          handlerFailure = { error };
          throw error;
        }
        this.last = recorded.position;
        if (budget.spent) await budget.pause();
      }
    } catch (error) {
      if (handlerFailure !== undefined) throw handlerFailure.error;
      if (this.#closed) return;
      throw this.mapError(error, 'subscription to $all');
    } finally {
      await stream.unsubscribe().catch(() => undefined);
    }
    if (!this.#closed) throw new StoreUnavailableError('eventstoredb: the server ended the subscription');
  }
}

function toEsdbExpected(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'any':
      return ANY;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return expected;
  }
}

function positionAt(position: bigint): Position {
  return { commit: position, prepare: position };
}

function toEventData(stream: string, event: NewEvent, index: number): EventData {
  const json = toEventJson(stream, event, index);
  // Bytes rather than an object: the client drops falsy metadata objects (false, 0, ''), bytes go as they are.
  // Null metadata is sent as none, and read back as null.
  const metadata =
    json.metadata === null || event.metadata === null ? undefined : encoder.encode(json.metadata);
  // The client serialises `data` with JSON.stringify, which takes any JSON value, not only its narrower JSONType.
  return jsonEvent({ type: event.type, data: event.data as JSONType, metadata });
}

function toRecordedEvent(event: EsdbRecordedEvent | AllStreamRecordedEvent): RecordedEvent {
  const position = event.position?.commit;
  if (position === undefined || position === NO_POSITION) {
    throw new StoreUnavailableError(
      'eventstoredb: the server did not return the $all position of a stream read (EventStoreDB 22.6 or later is required)',
    );
  }
  return {
    stream: event.streamId,
    revision: event.revision,
    position,
    type: event.type,
    data: event.isJson ? (event.data as JsonValue) : parseJsonBytes(event.data as Uint8Array, event),
    metadata: toMetadata(event.metadata, event),
    recordedAt: event.created.toISOString(),
  };
}

function toMetadata(metadata: unknown, event: { streamId: string; revision: bigint }): JsonValue {
  if (metadata === undefined || metadata === null) return null;
  // The client parses JSON metadata itself and hands bytes back only when they are not JSON.
  if (metadata instanceof Uint8Array) return parseJsonBytes(metadata, event);
  return metadata as JsonValue;
}

function parseJsonBytes(bytes: Uint8Array, event: { streamId: string; revision: bigint }): JsonValue {
  try {
    return JSON.parse(decoder.decode(bytes)) as JsonValue;
  } catch {
    throw new StoreUnavailableError(`eventstoredb: ${event.streamId}@${event.revision} is not JSON`);
  }
}

function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // gRPC messages end with an empty "Resolution note: "; keep the one line that says what happened.
  return text.replace(/\s*Resolution note:\s*$/, '').split('\n')[0] ?? text;
}
