/** Log entries as a mirror pulls them, grouped into the writes that made them. */

import { canonicalJson } from '../../domain/canonical/canonical-json.js';
import type { JsonObject, JsonValue } from '../../domain/shared/json.js';

/** A log entry as upstream serves it: its leaf index and the parsed leaf. */
export interface UpstreamEntry {
  readonly leafIndex: number;
  readonly type: string;
  readonly stream: string;
  readonly data: JsonValue;
  readonly envelope: JsonValue;
}

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Whether two events are the same, as the log leaf would record them (RFC 8785). */
export function sameEvent(a: { type: string; data: unknown }, b: { type: string; data: unknown }): boolean {
  return (
    canonicalJson({ type: a.type, data: a.data as JsonValue }) ===
    canonicalJson({ type: b.type, data: b.data as JsonValue })
  );
}

/** The number of leading entries that belong to the same write as the first: same stream, same envelope. */
export function groupLength(entries: readonly UpstreamEntry[]): number {
  const first = entries[0];
  if (first === undefined) return 0;
  const envelope = canonicalJson(first.envelope);
  let n = 1;
  while (
    n < entries.length &&
    entries[n]!.stream === first.stream &&
    canonicalJson(entries[n]!.envelope) === envelope
  )
    n++;
  return n;
}

/** The digest list a batch uploaded, from its BatchDigestsRecorded slices in order. */
export function batchDigests(group: readonly UpstreamEntry[]): string[] {
  const digests: string[] = [];
  for (const entry of group) {
    if (entry.type !== 'BatchDigestsRecorded' || !isObject(entry.data)) continue;
    const slice = entry.data['digests'];
    if (Array.isArray(slice)) for (const d of slice) if (typeof d === 'string') digests.push(d);
  }
  return digests;
}

/** Whether a CertifyBatch write has fewer digests in its slices so far than the count its command signs. */
export function batchIncomplete(group: readonly UpstreamEntry[]): boolean {
  const envelope = group[0]!.envelope;
  const payload = isObject(envelope) ? envelope['payload'] : undefined;
  if (!isObject(payload) || payload['type'] !== 'CertifyBatch') return false;
  const count = payload['count'];
  return typeof count === 'number' && batchDigests(group).length < count;
}
