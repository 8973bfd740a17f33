/**
 * Planning for bulk certification, which needs more than the signed payload:
 * a CertifyBatch is planned with the digest list uploaded beside it, and a
 * status change of a record certified in a batch with what the batch says
 * about that record. Both plug into CommandService.execute as its `plan`.
 */

import { batchDecider } from '../../domain/certification/batch-decider.js';
import { certificationDecider } from '../../domain/certification/certification-decider.js';
import { batchIdFor } from '../../domain/certification/certification-id.js';
import type { CertificationCommand, CertifyBatch } from '../../domain/certification/commands.js';
import {
  batchStream,
  type CertificationMetadata,
  certificationStream,
} from '../../domain/certification/events.js';
import type { CommandPayload } from '../../domain/crypto/envelope.js';
import type { ActorSnapshot } from '../../domain/shared/decider.js';
import type { CertificationView } from '../../infrastructure/projections/certification-read-model.js';
import type { CommandPlan } from './command-plan.js';

function optional<T>(payload: CommandPayload, field: string): T | null {
  const value = payload[field];
  return value === undefined ? null : (value as T);
}

/** The CertifyBatch plan: the batch stream, and the uploaded digests for the decider to check against the root. */
export function planCertifyBatch(
  payload: CommandPayload,
  actor: ActorSnapshot,
  digests: readonly string[],
): CommandPlan {
  const batchId = batchIdFor(payload.actor, payload.commandId);
  const command: CertifyBatch = {
    type: 'CertifyBatch',
    actor,
    at: payload.issuedAt,
    batchId,
    recordType: payload['recordType'] as string,
    validFrom: payload['validFrom'] as string,
    validUntil: optional<string>(payload, 'validUntil'),
    metadata: optional<CertificationMetadata>(payload, 'metadata'),
    batchRoot: payload['batchRoot'] as string,
    count: payload['count'] as number,
    digests,
  };
  return { stream: batchStream(batchId), decider: batchDecider, command, resourceIds: {} };
}

/**
 * A status change of a record certified in a batch, with the batch's facts
 * about it; null (planCommand's ordinary plan) for any other certification.
 */
export function planBatchRecordStatusChange(
  payload: CommandPayload,
  actor: ActorSnapshot,
  certifications: { get(certificationId: string): CertificationView | undefined },
): CommandPlan | null {
  const certificationId = payload['certificationId'];
  if (typeof certificationId !== 'string') return null;
  const view = certifications.get(certificationId);
  if (view?.batch === undefined) return null;
  if (
    payload.type !== 'SuspendCertification' &&
    payload.type !== 'ReinstateCertification' &&
    payload.type !== 'RevokeCertification'
  ) {
    return null;
  }
  const command: CertificationCommand = {
    type: payload.type,
    actor,
    at: payload.issuedAt,
    certificationId,
    reason: payload['reason'] as string,
    batchRecord: { batchId: view.batch.batchId, index: view.batch.index, issuerId: view.issuerId },
  };
  return {
    stream: certificationStream(certificationId),
    decider: certificationDecider,
    command,
    resourceIds: { certificationId },
  };
}
