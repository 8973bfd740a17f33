/**
 * Cosignatures collected for a checkpoint are published as CheckpointCosigned
 * events on a stream of their own, beside (not in) the checkpoint stream: a
 * checkpoint is sealed once, by one node's winning append, while its
 * cosignatures arrive later and may grow (a slow witness answers after the
 * quorum). Like checkpoints, these events are bookkeeping about the log and
 * never become leaves.
 */

import { decodeBase64, HASH_SIZE } from '../../domain/log/index.js';
import type { NewEvent, RecordedEvent } from '../eventstore/port.js';
import { COSIGNATURE_STREAM } from '../sequencer/checkpoint-event.js';

export { COSIGNATURE_STREAM };
export const CHECKPOINT_COSIGNED = 'CheckpointCosigned';

export interface CheckpointCosignedData {
  readonly origin: string;
  readonly treeSize: number;
  /** base64 of the 32-byte root, as in the checkpoint. */
  readonly rootHash: string;
  /** The checkpoint's signed note with the cosignatures, exactly as it is to be served. */
  readonly note: string;
}

export interface PublishedCosignatures {
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Uint8Array;
  readonly note: string;
}

export function checkpointCosignedEvent(data: CheckpointCosignedData): NewEvent {
  return { type: CHECKPOINT_COSIGNED, data: { ...data } };
}

/** Reads a CheckpointCosigned event defensively; null for anything else (it is then ignored, not fatal). */
export function readCosignedEvent(event: RecordedEvent): PublishedCosignatures | null {
  if (event.type !== CHECKPOINT_COSIGNED) return null;
  const data = event.data as Partial<Record<keyof CheckpointCosignedData, unknown>> | null;
  if (data === null || typeof data !== 'object') return null;
  const rootHash = typeof data.rootHash === 'string' ? decodeBase64(data.rootHash) : undefined;
  if (
    typeof data.origin !== 'string' ||
    typeof data.note !== 'string' ||
    typeof data.treeSize !== 'number' ||
    !Number.isSafeInteger(data.treeSize) ||
    data.treeSize < 0 ||
    rootHash === undefined ||
    rootHash.length !== HASH_SIZE
  ) {
    return null;
  }
  return { origin: data.origin, treeSize: data.treeSize, rootHash, note: data.note };
}
