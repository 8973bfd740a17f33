import type { NewEvent } from './port.js';

/** A new event as JSON text, the form adapters store or send. */
export interface EventJson {
  readonly type: string;
  readonly data: string;
  /** null when the event has no metadata. */
  readonly metadata: string | null;
}

/**
 * Checks one event of an append and writes its data and metadata as JSON
 * text. Adapters call it for every event before anything is written, so that
 * a bad event fails its own append only.
 */
export function toEventJson(stream: string, event: NewEvent, index: number): EventJson {
  if (typeof event.type !== 'string' || event.type.length === 0) {
    throw new TypeError(`stream ${stream}, event ${index}: type must be a non-empty string`);
  }
  const data = JSON.stringify(event.data);
  if (data === undefined) {
    throw new TypeError(`stream ${stream}, event ${index}: data is not JSON`);
  }
  let metadata: string | null = null;
  if (event.metadata !== undefined) {
    const text = JSON.stringify(event.metadata);
    if (text === undefined) throw new TypeError(`stream ${stream}, event ${index}: metadata is not JSON`);
    metadata = text;
  }
  return { type: event.type, data, metadata };
}

/**
 * JSON text written, or handed on to a store, between two turns of the event loop, about. A batch of a
 * million records is some 2,000 events and 45 MB of text: written in one
 * turn, it and the collection after it held every request (health checks
 * included) for a few hundred milliseconds (issue 14).
 */
export const TEXT_PER_TURN = 1024 * 1024;

/** The characters of an event's JSON text. */
export function eventJsonLength(json: EventJson): number {
  return json.data.length + (json.metadata?.length ?? 0);
}

/**
 * toEventJson for every event of one append, letting the event loop turn
 * after each TEXT_PER_TURN of text. An append under that is written at once,
 * in the caller's turn (an array, no promise); a bad event fails the append
 * as before, with nothing written.
 */
export function toEventJsonInTurns(
  stream: string,
  events: readonly NewEvent[],
  /** A store's own check of each event's JSON (e.g. PostgreSQL's text refusing U+0000); throws to refuse it. */
  check: (json: EventJson, index: number) => void = () => {},
): EventJson[] | Promise<EventJson[]> {
  const serialized: EventJson[] = [];
  let text = 0;
  for (let index = 0; index < events.length; index++) {
    if (text > TEXT_PER_TURN) return rest(stream, events, index, serialized, check);
    text += serializeInto(serialized, stream, events[index]!, index, check);
  }
  return serialized;
}

async function rest(
  stream: string,
  events: readonly NewEvent[],
  from: number,
  serialized: EventJson[],
  check: (json: EventJson, index: number) => void,
): Promise<EventJson[]> {
  let text = 0;
  await nextTurn();
  for (let index = from; index < events.length; index++) {
    if (text > TEXT_PER_TURN) {
      text = 0;
      await nextTurn();
    }
    text += serializeInto(serialized, stream, events[index]!, index, check);
  }
  return serialized;
}

/** Appends the event's checked JSON to `serialized`; returns its length. */
function serializeInto(
  serialized: EventJson[],
  stream: string,
  event: NewEvent,
  index: number,
  check: (json: EventJson, index: number) => void,
): number {
  const json = toEventJson(stream, event, index);
  check(json, index);
  serialized.push(json);
  return eventJsonLength(json);
}

/**
 * Appends still being written as JSON over several turns, not yet queued: a store's close() waits
 * for them, as it does for appends already queued (an append asked for before close() is committed).
 */
export class AppendsInWriting {
  readonly #writing = new Set<Promise<unknown>>();

  /**
   * Queues an append whose JSON toEventJsonInTurns wrote: at once when it was written in the
   * caller's turn, else once it is written, counted here meanwhile.
   */
  enqueue<T>(
    serialized: EventJson[] | Promise<EventJson[]>,
    enqueue: (events: EventJson[]) => Promise<T>,
  ): Promise<T> {
    if (Array.isArray(serialized)) return enqueue(serialized);
    const queued = serialized.then(enqueue);
    this.#writing.add(queued);
    const forget = () => this.#writing.delete(queued);
    queued.then(forget, forget);
    return queued;
  }

  /** Settles once every append added so far is queued or refused. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#writing]);
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
