/**
 * Bulk certification: one signed command certifies a batch of records by the
 * RFC 6962 root of their digests. The department signs only the root and the
 * count; the digest list travels beside the signed command, so before
 * anything is written the decider recomputes the root from the list and
 * refuses a list that does not hash to what was signed.
 */

import { encodeBase64 } from '../crypto/base64.js';
import { fromHex, toHex } from '../crypto/hex.js';
import { batchLeafHash, RootAccumulator } from '../log/batch-tree.js';
import { HASH_SIZE } from '../log/rfc6962.js';
import type { Decider } from '../shared/decider.js';
import type { PackedDigests } from './batch-digest-intake.js';
import { encodeSlice } from './batch-slice.js';
import { CertificationError } from './certification-error.js';
import type { CertifyBatch } from './commands.js';
import { BATCH_DIGESTS_PER_EVENT, type BatchEvent, MAX_BATCH_RECORDS } from './events.js';
import { requireAccreditedIssuer, requireActive, requireValidityWindow } from './issuer-rules.js';

export type BatchState =
  | { readonly status: 'none' }
  | { readonly status: 'certified'; readonly count: number };

/**
 * The list as one packed buffer with its root, or the index of the first digest that is not 64 lower-case
 * hex characters. A packed list was hashed as it streamed in (ParallelDigestIntake): its root is already the
 * list's. A hex list (the JSON route) is packed and hashed here.
 */
function packedOf(digests: CertifyBatch['digests']): PackedDigests | { invalidAt: number } {
  if (!Array.isArray(digests)) return digests as PackedDigests;
  const packed = new Uint8Array(digests.length * HASH_SIZE);
  const accumulator = new RootAccumulator();
  for (let i = 0; i < digests.length; i++) {
    const digest = fromHex(digests[i]!);
    // The route's schema already checks this; the decider does not rely on it.
    if (digest === null || digest.length !== HASH_SIZE) return { invalidAt: i };
    packed.set(digest, i * HASH_SIZE);
    accumulator.add(batchLeafHash(digest));
  }
  return { packed, count: digests.length, root: toHex(accumulator.root()) };
}

function countOf(digests: CertifyBatch['digests']): number {
  return Array.isArray(digests) ? digests.length : (digests as PackedDigests).count;
}

/**
 * What a batch command must be before its digest list is worth reading: its issuer accredited for the
 * record type, its validity window sound, its count within 1..MAX_BATCH_RECORDS. The decider checks it;
 * a streamed upload checks it (with the actor active) before it reads a byte of the list.
 */
export function requireAdmissibleBatch(command: Omit<CertifyBatch, 'digests'>): void {
  requireAccreditedIssuer(command.actor, command.recordType);
  requireValidityWindow(command.validFrom, command.validUntil);
  if (!Number.isSafeInteger(command.count) || command.count < 1 || command.count > MAX_BATCH_RECORDS) {
    throw new CertificationError(
      'BATCH_COUNT_MISMATCH',
      `a batch certifies between 1 and ${MAX_BATCH_RECORDS} records, not ${command.count}`,
    );
  }
}

/** The uploaded list, packed, once it is the signed count of digests hashing to the signed root. */
function requireMatchingList(command: CertifyBatch): PackedDigests {
  const uploaded = countOf(command.digests);
  // Counted before hashing: a list of the wrong length is refused without spending any work on it.
  if (uploaded !== command.count) {
    throw new CertificationError(
      'BATCH_COUNT_MISMATCH',
      `the command certifies ${command.count} records, but ${uploaded} digests were uploaded`,
    );
  }
  const list = packedOf(command.digests);
  if ('invalidAt' in list) {
    throw new CertificationError(
      'BATCH_ROOT_MISMATCH',
      `digest ${list.invalidAt} is not a lower-case hex SHA-256 digest`,
    );
  }
  if (list.root !== command.batchRoot) {
    throw new CertificationError(
      'BATCH_ROOT_MISMATCH',
      `the uploaded digests hash to root ${list.root}, not to the signed batchRoot ${command.batchRoot}`,
    );
  }
  return list;
}

export const batchDecider: Decider<CertifyBatch, BatchEvent, BatchState> = {
  initialState: () => ({ status: 'none' }),

  evolve(state, event) {
    return event.type === 'BatchCertified' ? { status: 'certified', count: event.data.count } : state;
  },

  decide(command, state) {
    requireActive(command.actor);
    if (state.status !== 'none') {
      throw new CertificationError('CERTIFICATION_ALREADY_EXISTS', `batch ${command.batchId} already exists`);
    }
    requireAdmissibleBatch(command);
    const list = requireMatchingList(command);

    const events: BatchEvent[] = [
      {
        type: 'BatchCertified',
        data: {
          batchId: command.batchId,
          issuerId: command.actor.identityId,
          recordType: command.recordType,
          validFrom: command.validFrom,
          validUntil: command.validUntil,
          metadata: command.metadata,
          batchRoot: command.batchRoot,
          count: command.count,
          certifiedAt: command.at,
        },
      },
    ];
    const base64 = trustedEncoder(list.encodeBase64, list.packed);
    for (let from = 0; from < command.count; from += BATCH_DIGESTS_PER_EVENT) {
      const to = Math.min(from + BATCH_DIGESTS_PER_EVENT, command.count);
      const bytes = list.packed.subarray(from * HASH_SIZE, to * HASH_SIZE);
      events.push({
        type: 'BatchDigestsRecorded',
        data: encodeSlice(command.batchId, from, bytes, command.sliceEncoding ?? 'base64', base64),
      });
    }
    return events;
  },
};

/**
 * The packer's encoder once it spelled a first slice's worth of the digests, and an odd-length tail, as
 * the domain's does; the domain's otherwise. A slice the log stores in another spelling would be
 * refused by every reader of it.
 */
function trustedEncoder(
  encoder: ((bytes: Uint8Array) => string) | undefined,
  packed: Uint8Array,
): (bytes: Uint8Array) => string {
  if (encoder === undefined) return encodeBase64;
  const sample = packed.subarray(0, Math.min(packed.length, BATCH_DIGESTS_PER_EVENT * HASH_SIZE));
  const tail = packed.subarray(0, Math.min(packed.length, 31));
  return encoder(sample) === encodeBase64(sample) && encoder(tail) === encodeBase64(tail)
    ? encoder
    : encodeBase64;
}
