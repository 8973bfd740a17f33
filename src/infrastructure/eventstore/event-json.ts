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
