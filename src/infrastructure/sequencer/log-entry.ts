/**
 * The log leaf of a domain event: the RFC 8785 bytes of
 * { type, stream, data, envelope }, where envelope is the signed command that
 * caused the event (event metadata, see projections/projection.ts). Anyone
 * holding the leaf can check the department's signature without asking the
 * node, and the node cannot change what a leaf says without changing its hash.
 */

import { canonicalBytes, canonicalJson } from '../../domain/canonical/canonical-json.js';
import type { SignedPayloadTexts } from '../../domain/canonical/signed-payload-texts.js';
import type { JsonValue } from '../../domain/shared/json.js';
import type { RecordedEvent } from '../eventstore/port.js';
import { eventMetadata } from '../projections/projection.js';

export interface LogEntry {
  readonly type: string;
  readonly stream: string;
  readonly data: JsonValue;
  /** The signed envelope { payload, signature }; null for an event no command caused (none today). */
  readonly envelope: JsonValue;
}

export function logEntryOf(event: RecordedEvent): LogEntry {
  const envelope = eventMetadata(event)?.envelope;
  return {
    type: event.type,
    stream: event.stream,
    data: event.data,
    // An explicit null keeps the leaf's shape fixed: a verifier never has to guess whether a key is missing.
    envelope: envelope === undefined ? null : (envelope as unknown as JsonValue),
  };
}

const encoder = new TextEncoder();

/**
 * The leaf bytes hashed into the tree: RFC 8785 canonical JSON of the log
 * entry. Written from its parts, which is the same text: the entry always has
 * exactly these four keys, RFC 8785 orders them data, envelope, stream, type,
 * and the canonical form of an object is its sorted members' canonical forms
 * (test/unit/sequencer/log-entry.test.ts checks this against canonicalJson of
 * the whole entry on random events). An envelope's payload is taken from
 * `texts` when its signature was just checked over the same payload.
 */
export function logLeafOf(event: RecordedEvent, texts?: SignedPayloadTexts): Uint8Array {
  const entry = logEntryOf(event);
  // An undefined member would be left out of the canonical object; the port never delivers one.
  const { data, envelope, stream, type } = entry;
  if (data === undefined || envelope === undefined || stream === undefined || type === undefined) {
    return canonicalBytes(entry);
  }
  return encoder.encode(
    `{"data":${canonicalJson(data)},"envelope":${envelopeText(envelope, texts)},` +
      `"stream":${canonicalJson(stream)},"type":${canonicalJson(type)}}`,
  );
}

/**
 * RFC 8785 text of an envelope { payload, signature }: its two members in
 * order, the payload's text as its signature check wrote it when `texts` still
 * holds it. Anything else is written whole.
 */
function envelopeText(envelope: JsonValue, texts: SignedPayloadTexts | undefined): string {
  if (texts !== undefined && typeof envelope === 'object' && envelope !== null && !Array.isArray(envelope)) {
    const { payload, signature } = envelope;
    const value =
      typeof signature === 'object' && signature !== null && !Array.isArray(signature)
        ? signature['value']
        : undefined;
    if (payload !== undefined && typeof value === 'string' && Object.keys(envelope).length === 2) {
      const text = texts.take(value, payload);
      if (text !== undefined) return `{"payload":${text},"signature":${canonicalJson(signature)}}`;
    }
  }
  return canonicalJson(envelope);
}
