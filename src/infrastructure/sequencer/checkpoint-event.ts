/**
 * A published checkpoint is an event on its own stream. Appending it with the
 * expected revision of the last checkpoint the sealer knew is what makes
 * exactly one node win each round when several seal at once: the store's
 * revision check is the only arbiter, no consensus of our own.
 */

import { decodeBase64, HASH_SIZE } from '../../domain/log/index.js';
import type { NewEvent, RecordedEvent } from '../eventstore/port.js';

export const CHECKPOINT_STREAM = 'log-checkpoints';
export const CHECKPOINT_SEALED = 'CheckpointSealed';
/**
 * Witness cosignatures of published checkpoints (src/infrastructure/federation/cosignature-event.ts):
 * bookkeeping about the log like the checkpoints themselves, never leaves of it.
 */
export const COSIGNATURE_STREAM = 'log-cosignatures';

export interface CheckpointSealedData {
  readonly origin: string;
  readonly treeSize: number;
  /** base64 of the 32-byte RFC 6962 root. */
  readonly rootHash: string;
  /** The C2SP signed note, exactly as published. */
  readonly note: string;
}

export interface PublishedCheckpoint {
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Uint8Array;
  readonly note: string;
  /** Revision of the event on the checkpoint stream. */
  readonly revision: bigint;
  readonly position: bigint;
}

export function checkpointSealedEvent(data: CheckpointSealedData): NewEvent {
  return { type: CHECKPOINT_SEALED, data: { ...data } };
}

/**
 * Reads a CheckpointSealed event. Events on this stream may come from another
 * node sharing the store, so the shape is checked rather than trusted; throws
 * on anything that is not a well-formed checkpoint event.
 */
export function readCheckpointEvent(event: RecordedEvent): PublishedCheckpoint {
  if (event.type !== CHECKPOINT_SEALED) {
    throw new Error(`${CHECKPOINT_STREAM}@${event.revision}: unexpected event type ${event.type}`);
  }
  const data = event.data as Partial<Record<keyof CheckpointSealedData, unknown>> | null;
  const rootHash = typeof data?.rootHash === 'string' ? decodeBase64(data.rootHash) : undefined;
  if (
    data === null ||
    typeof data !== 'object' ||
    typeof data.origin !== 'string' ||
    typeof data.note !== 'string' ||
    typeof data.treeSize !== 'number' ||
    !Number.isSafeInteger(data.treeSize) ||
    data.treeSize < 0 ||
    rootHash === undefined ||
    rootHash.length !== HASH_SIZE
  ) {
    throw new Error(`${CHECKPOINT_STREAM}@${event.revision}: malformed ${CHECKPOINT_SEALED} data`);
  }
  return {
    origin: data.origin,
    treeSize: data.treeSize,
    rootHash,
    note: data.note,
    revision: event.revision,
    position: event.position,
  };
}
