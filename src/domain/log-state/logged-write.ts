/**
 * A write as the log holds it: the events of one append (contiguous in log
 * order, sharing one signed input) and who signed that input. The state
 * machine judges and applies writes, not single events.
 */

import type { JsonObject, JsonValue } from '../shared/json.js';

export interface LoggedEvent {
  readonly type: string;
  readonly data: JsonValue;
  /** The event's leaf index. */
  readonly leafIndex: number;
}

export type Signer =
  /** A signed command envelope: its payload names the command type and its fields. */
  | { readonly kind: 'command'; readonly actor: string; readonly keyId: string; readonly payload: JsonObject }
  /** An RFC 9421-signed request (a dataset upload or fetch). */
  | { readonly kind: 'request'; readonly actor: string; readonly keyId: string }
  /** No signed input the state machine can read. */
  | { readonly kind: 'unsigned' };

export interface LoggedWrite {
  /** Leaf index of the write's first event. */
  readonly leafIndex: number;
  readonly signer: Signer;
  readonly events: readonly LoggedEvent[];
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Who signed a write, read from the envelope its events carry in their metadata (never trusted beyond that). */
export function signerOf(envelope: JsonValue | undefined): Signer {
  if (!isObject(envelope)) return { kind: 'unsigned' };
  if (envelope['scheme'] === 'rfc9421') {
    const { actor, keyId } = envelope;
    return typeof actor === 'string' && typeof keyId === 'string'
      ? { kind: 'request', actor, keyId }
      : { kind: 'unsigned' };
  }
  const payload = envelope['payload'];
  if (!isObject(payload)) return { kind: 'unsigned' };
  const { actor, keyId, type } = payload;
  if (typeof actor !== 'string' || typeof keyId !== 'string' || typeof type !== 'string')
    return { kind: 'unsigned' };
  return { kind: 'command', actor, keyId, payload };
}

/** The command a write carries out: the payload's type, or what an RFC 9421 request did. */
export function commandTypeOf(write: LoggedWrite): string {
  if (write.signer.kind === 'command') return String(write.signer.payload['type']);
  if (write.signer.kind === 'request') {
    const first = write.events[0]?.type;
    return first === 'DatasetVersionPublished' ? 'UploadDatasetVersion' : 'FetchDataset';
  }
  return 'Unsigned';
}
