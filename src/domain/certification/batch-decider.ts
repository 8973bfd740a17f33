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
import { CertificationError } from './certification-error.js';
import type { CertifyBatch } from './commands.js';
import { BATCH_DIGESTS_PER_EVENT, type BatchEvent, MAX_BATCH_RECORDS } from './events.js';
import { requireAccreditedIssuer, requireActive, requireValidityWindow } from './issuer-rules.js';

export type BatchState =
  | { readonly status: 'none' }
  | { readonly status: 'certified'; readonly count: number };

/** The hex root over the digests, or the index of the first digest that is not 64 lower-case hex characters. */
function rootOf(digests: readonly string[]): { root: string } | { invalidAt: number } {
  const accumulator = new RootAccumulator();
  for (let i = 0; i < digests.length; i++) {
    const digest = fromHex(digests[i]!);
    // The route's schema already checks this; the decider does not rely on it.
    if (digest === null || digest.length !== 32) return { invalidAt: i };
    accumulator.add(batchLeafHash(digest));
  }
  return { root: toHex(accumulator.root()) };
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
    requireAccreditedIssuer(command.actor, command.recordType);
    requireValidityWindow(command.validFrom, command.validUntil);
    if (!Number.isSafeInteger(command.count) || command.count < 1 || command.count > MAX_BATCH_RECORDS) {
      throw new CertificationError(
        'BATCH_COUNT_MISMATCH',
        `a batch certifies between 1 and ${MAX_BATCH_RECORDS} records, not ${command.count}`,
      );
    }
    // Counted before hashing: a list of the wrong length is refused without spending any work on it.
    if (command.digests.length !== command.count) {
      throw new CertificationError(
        'BATCH_COUNT_MISMATCH',
        `the command certifies ${command.count} records, but ${command.digests.length} digests were uploaded`,
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
    for (let from = 0; from < command.digests.length; from += BATCH_DIGESTS_PER_EVENT) {
      events.push({
        type: 'BatchDigestsRecorded',
        data: {
          batchId: command.batchId,
          from,
          digests: command.digests.slice(from, from + BATCH_DIGESTS_PER_EVENT),
        },
      });
    }
    return events;
  },
};
