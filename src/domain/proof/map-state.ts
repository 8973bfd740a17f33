/**
 * Reading the state map through a bundle: the root the checkpoint commits to,
 * and a value proven under it. Every value the verifier uses comes out of
 * here, checked against the root; its fields are then checked for their type,
 * since a log-key holder could sign a map of anything (witnesses that replay
 * the log refuse such a map, but the verifier does not lean on that).
 */

import { stateMapRootOf } from '../log/index.js';
import type { CertificationRecord, KeyRecord } from '../log-state/state-records.js';
import type { JsonObject } from '../shared/json.js';
import { checkStateProof, StateProofError } from '../state-map/index.js';
import type { CheckpointedBundle } from './checkpoint-step.js';
import { readCheckpoint } from './inclusion-step.js';
import { STATUSES } from './proof-bundle.js';
import type { ProvenValue } from './proof-bundle-v2.js';
import { ensure, StepFailure } from './verification-step.js';

/** The state map root the bundle's checkpoint commits to (read, not yet verified: the checkpoint step does that). */
export function mapRootOf(bundle: CheckpointedBundle): Uint8Array {
  const root = stateMapRootOf(readCheckpoint(bundle));
  ensure(root !== null, 'the checkpoint commits to no state map, so it cannot prove any current state');
  return root;
}

/** The value `proven` claims for `key`, once its proof leads to `root`; null for a proven absence. */
export function provenAt(
  root: Uint8Array,
  key: string,
  proven: ProvenValue,
  what: string,
): JsonObject | null {
  try {
    checkStateProof(root, key, proven.value, proven.proof);
  } catch (error) {
    if (error instanceof StateProofError) {
      throw new StepFailure(
        `the ${what} state is not what the checkpoint's state map holds for ${key}: ${error.message}`,
      );
    }
    throw error;
  }
  return proven.value;
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A proven key record, its fields checked for their type. */
export function keyRecordOf(value: JsonObject | null, keyId: string): KeyRecord {
  ensure(value !== null, `the state map holds no key ${keyId}: it was never registered in this log`);
  const { identityId, publicKey, registeredAt, retiredAt } = value;
  ensure(
    typeof identityId === 'string' &&
      typeof publicKey === 'string' &&
      isIndex(registeredAt) &&
      (retiredAt === null || isIndex(retiredAt)),
    `the state map's record of key ${keyId} is malformed`,
  );
  return value as KeyRecord;
}

/** A proven certification record, its fields checked for their type. */
export function certificationRecordOf(value: JsonObject, id: string): CertificationRecord {
  const { status, issuerId, certifiedAt, setAt, batch } = value;
  const batchOk =
    batch === null ||
    (typeof batch === 'object' &&
      !Array.isArray(batch) &&
      typeof batch['batchId'] === 'string' &&
      isIndex(batch['index']));
  ensure(
    typeof status === 'string' &&
      (STATUSES as readonly string[]).includes(status) &&
      typeof issuerId === 'string' &&
      isIndex(certifiedAt) &&
      isIndex(setAt) &&
      batchOk,
    `the state map's record of ${id} is malformed`,
  );
  return value as CertificationRecord;
}
