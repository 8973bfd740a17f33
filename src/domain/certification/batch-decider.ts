/**
 * Bulk certification: one signed command certifies a batch of records by the
 * RFC 6962 root of their digests. The department signs only the root and the
 * count; the digest list travels beside the signed command, so before
 * anything is written the decider recomputes the root from the list and
 * refuses a list that does not hash to what was signed.
 */

import { fromHex, toHex } from '../crypto/hex.js';
import { batchLeafHash, RootAccumulator } from '../log/batch-tree.js';
import type { Decider } from '../shared/decider.js';
import type { PackedDigests } from './batch-digest-intake.js';
import { CertificationError } from './certification-error.js';
import type { CertifyBatch } from './commands.js';
import { BATCH_DIGESTS_PER_EVENT, type BatchEvent, MAX_BATCH_RECORDS } from './events.js';
import { requireAccreditedIssuer, requireActive, requireValidityWindow } from './issuer-rules.js';

export type BatchState =
  | { readonly status: 'none' }
  | { readonly status: 'certified'; readonly count: number };

/** The hex root over the digests, or the index of the first digest that is not 64 lower-case hex characters. */
function rootOf(digests: CertifyBatch['digests']): { root: string } | { invalidAt: number } {
  // A packed list was hashed as it streamed in (BatchDigestIntake): its root is already the list's.
  if (isPacked(digests)) return { root: digests.root };
  const accumulator = new RootAccumulator();
  for (let i = 0; i < digests.length; i++) {
    const digest = fromHex(digests[i]!);
    // The route's schema already checks this; the decider does not rely on it.
    if (digest === null || digest.length !== 32) return { invalidAt: i };
    accumulator.add(batchLeafHash(digest));
  }
  return { root: toHex(accumulator.root()) };
}

function isPacked(digests: CertifyBatch['digests']): digests is PackedDigests {
  return !Array.isArray(digests);
}

function countOf(digests: CertifyBatch['digests']): number {
  return isPacked(digests) ? digests.count : digests.length;
}

/** Digests from..to as the lower-case hex an event stores. */
function hexSlice(digests: CertifyBatch['digests'], from: number, to: number): string[] {
  if (!isPacked(digests)) return digests.slice(from, to);
  const out: string[] = new Array(to - from);
  for (let i = from; i < to; i++) out[i - from] = toHex(digests.packed.subarray(i * 32, i * 32 + 32));
  return out;
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

function requireMatchingList(command: CertifyBatch): void {
  const uploaded = countOf(command.digests);
  // Counted before hashing: a list of the wrong length is refused without spending any work on it.
  if (uploaded !== command.count) {
    throw new CertificationError(
      'BATCH_COUNT_MISMATCH',
      `the command certifies ${command.count} records, but ${uploaded} digests were uploaded`,
    );
  }
  const computed = rootOf(command.digests);
  if ('invalidAt' in computed) {
    throw new CertificationError(
      'BATCH_ROOT_MISMATCH',
      `digest ${computed.invalidAt} is not a lower-case hex SHA-256 digest`,
    );
  }
  if (computed.root !== command.batchRoot) {
    throw new CertificationError(
      'BATCH_ROOT_MISMATCH',
      `the uploaded digests hash to root ${computed.root}, not to the signed batchRoot ${command.batchRoot}`,
    );
  }
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
    requireMatchingList(command);

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
    for (let from = 0; from < command.count; from += BATCH_DIGESTS_PER_EVENT) {
      const to = Math.min(from + BATCH_DIGESTS_PER_EVENT, command.count);
      events.push({
        type: 'BatchDigestsRecorded',
        data: { batchId: command.batchId, from, digests: hexSlice(command.digests, from, to) },
      });
    }
    return events;
  },
};
