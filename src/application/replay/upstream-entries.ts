/** Log entries as a mirror pulls them, grouped into the writes that made them. */

import { canonicallyEqual } from '../../domain/canonical/canonical-json.js';
import type { PackedDigests } from '../../domain/certification/batch-digest-intake.js';
import { sliceDigestBytes, sliceEncodingOf } from '../../domain/certification/batch-slice.js';
import type { BatchDigestSlice, BatchSliceEncoding } from '../../domain/certification/events.js';
import { HASH_SIZE } from '../../domain/log/rfc6962.js';
import type { JsonObject, JsonValue } from '../../domain/shared/json.js';
import {
  ParallelDigestIntake,
  type PrecomputedKeys,
} from '../../infrastructure/crypto/parallel-digest-intake.js';
import { decodeStrictBase64 } from '../../infrastructure/crypto/strict-base64.js';
import { DeliveryBudget } from '../../infrastructure/eventstore/delivery-budget.js';

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
  return a.type === b.type && canonicallyEqual(a.data, b.data);
}

/** The number of leading entries that belong to the same write as the first: same stream, same envelope. */
export function groupLength(entries: readonly UpstreamEntry[]): number {
  const first = entries[0];
  if (first === undefined) return 0;
  let n = 1;
  while (
    n < entries.length &&
    entries[n]!.stream === first.stream &&
    canonicallyEqual(entries[n]!.envelope, first.envelope)
  )
    n++;
  return n;
}

/**
 * A batch's digest list read back from its slices, in the encoding they use, or why it cannot be. A
 * list read back holds the intake that hashed it until `release`, which the caller must call once the
 * write is applied or refused: its worker thread computes the batch's record keys meanwhile.
 */
export type UploadedList = ReadBackList | { readonly malformed: string };

export interface ReadBackList {
  readonly digests: PackedDigests;
  readonly encoding: BatchSliceEncoding;
  /** The batch's record keys, once the worker has computed them (null entries until then, or without one). */
  readonly recordKeys?: PrecomputedKeys;
  readonly release: () => void;
}

/**
 * The digest list a batch uploaded, from its BatchDigestsRecorded slices in order, packed, with its root
 * hashed here (the decider compares it with the signed root). The slices must agree on one encoding and
 * continue one another; a slice that is not a well-formed one makes the write unreplayable.
 *
 * The root is hashed as a streamed upload's is (ParallelDigestIntake: a second core, the tree's stored
 * hashes kept), and the event loop turns every DeliveryBudget: a million-record batch is two million
 * SHA-256 calls, and hashed in one piece it held a mirror's every request, health checks included,
 * for over four seconds (issue 14). Given the batch id, the intake's worker then computes the batch's
 * record keys while the write is decided and appended, as for an upload: on the event loop they are a
 * million more SHA-256 calls for a million-record batch, some 0.3 s.
 */
export async function batchUpload(group: readonly UpstreamEntry[], batchId?: string): Promise<UploadedList> {
  // Sized by what the slices say they hold, read without decoding them; each slice is pushed as it is
  // decoded and checked, so that the digests are not held twice. A slice that does not decode to a
  // whole list of digests is refused below, before anything of it is pushed.
  const sliced = slicedCount(group);
  const intake = sliced === 0 ? null : new ParallelDigestIntake(sliced);
  let kept = false;
  try {
    let encoding: BatchSliceEncoding | undefined;
    let count = 0;
    const budget = new DeliveryBudget();
    for (const entry of group) {
      if (entry.type !== 'BatchDigestsRecorded') continue;
      const slice = entry.data as unknown as BatchDigestSlice;
      const bytes = isObject(entry.data) ? sliceDigestBytes(slice, decodeStrictBase64) : null;
      if (bytes === null)
        return { malformed: `slice at leaf ${entry.leafIndex} is not a list of SHA-256 digests` };
      const sliceEncoding = sliceEncodingOf(slice);
      if ((encoding ?? sliceEncoding) !== sliceEncoding)
        return { malformed: `slice at leaf ${entry.leafIndex} mixes hex and base64 slices in one batch` };
      if (slice.from !== count)
        return {
          malformed: `slice at leaf ${entry.leafIndex} starts at ${String(slice.from)}, not at ${count}`,
        };
      encoding = sliceEncoding;
      intake?.push(bytes);
      count += bytes.length / HASH_SIZE;
      if (budget.spent) await budget.pause();
    }
    if (intake === null)
      return {
        digests: { packed: new Uint8Array(0), count: 0, root: '' },
        encoding: 'base64',
        release: () => {},
      };
    const digests = await intake.finish();
    const recordKeys = batchId === undefined ? undefined : intake.recordKeys(batchId);
    kept = true;
    return {
      digests,
      encoding: encoding ?? 'base64',
      ...(recordKeys === undefined ? {} : { recordKeys }),
      release: () => intake.close(),
    };
  } finally {
    if (!kept) intake?.close();
  }
}

/** Digests in a group's slices so far, without decoding them. */
function slicedCount(group: readonly UpstreamEntry[]): number {
  let count = 0;
  for (const entry of group) {
    if (entry.type !== 'BatchDigestsRecorded' || !isObject(entry.data)) continue;
    const { digests, digestsBase64 } = entry.data;
    if (Array.isArray(digests)) count += digests.length;
    else if (typeof digestsBase64 === 'string')
      count += Math.floor(base64ByteLength(digestsBase64) / HASH_SIZE);
  }
  return count;
}

/** Bytes that padded base64 of this length decodes to. */
function base64ByteLength(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

/** Whether a CertifyBatch write has fewer digests in its slices so far than the count its command signs. */
export function batchIncomplete(group: readonly UpstreamEntry[]): boolean {
  const envelope = group[0]!.envelope;
  const payload = isObject(envelope) ? envelope['payload'] : undefined;
  if (!isObject(payload) || payload['type'] !== 'CertifyBatch') return false;
  const count = payload['count'];
  return typeof count === 'number' && slicedCount(group) < count;
}
