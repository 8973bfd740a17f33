/**
 * Planning of the certification commands: certify one record, certify a
 * batch (with the digest list uploaded beside the signed root), and change a
 * certification's status (a record certified in a batch is planned with what
 * its batch says about it).
 */

import { batchDecider } from '../../domain/certification/batch-decider.js';
import { certificationDecider } from '../../domain/certification/certification-decider.js';
import { batchIdFor, certificationIdFor } from '../../domain/certification/certification-id.js';
import type { CertificationCommand, CertifyBatch } from '../../domain/certification/commands.js';
import {
  batchStream,
  type CertificationMetadata,
  certificationStream,
} from '../../domain/certification/events.js';
import type { Planner } from '../pipeline/command-plan.js';
import { optionalField, stringField } from '../pipeline/payload-fields.js';

const certifyRecord: Planner = (payload, actor, context) => {
  const certificationId = certificationIdFor(payload.actor, payload.commandId);
  const recordDigest = stringField(payload, 'recordDigest');
  const recordType = stringField(payload, 'recordType');
  // The duplicate check reads the read model (another stream's facts); a replay has no lookup and keeps the log's verdict.
  const { latestOfRecord } = context.certifications;
  const command: CertificationCommand = {
    type: 'CertifyRecord',
    actor,
    at: payload.issuedAt,
    certificationId,
    recordDigest,
    recordType,
    subjectRef: optionalField<string>(payload, 'subjectRef'),
    validFrom: stringField(payload, 'validFrom'),
    validUntil: optionalField<string>(payload, 'validUntil'),
    metadata: optionalField<CertificationMetadata>(payload, 'metadata'),
    reissueOf: optionalField<string>(payload, 'reissueOf'),
    ...(latestOfRecord === undefined
      ? {}
      : { earlier: latestOfRecord.call(context.certifications, payload.actor, recordType, recordDigest) }),
  };
  return {
    stream: certificationStream(certificationId),
    decider: certificationDecider,
    command,
    resourceIds: { certificationId },
    streamOfCommand: true,
  };
};

/** The batch stream, and the uploaded digests for the decider to check against the signed root. */
const certifyBatch: Planner = (payload, actor, _context, inputs) => {
  const batchId = batchIdFor(payload.actor, payload.commandId);
  const command: CertifyBatch = {
    type: 'CertifyBatch',
    actor,
    at: payload.issuedAt,
    batchId,
    recordType: stringField(payload, 'recordType'),
    validFrom: stringField(payload, 'validFrom'),
    validUntil: optionalField<string>(payload, 'validUntil'),
    metadata: optionalField<CertificationMetadata>(payload, 'metadata'),
    batchRoot: stringField(payload, 'batchRoot'),
    count: payload['count'] as number,
    digests: inputs.digests ?? [],
    ...(inputs.sliceEncoding === undefined ? {} : { sliceEncoding: inputs.sliceEncoding }),
  };
  return { stream: batchStream(batchId), decider: batchDecider, command, resourceIds: {} };
};

/** Suspend, reinstate or revoke; a record of a batch carries the batch's facts about it. */
const changeStatus: Planner = (payload, actor, context) => {
  const certificationId = stringField(payload, 'certificationId');
  const facts = context.certifications.get(certificationId);
  const command: CertificationCommand = {
    type: payload.type as 'SuspendCertification' | 'ReinstateCertification' | 'RevokeCertification',
    actor,
    at: payload.issuedAt,
    certificationId,
    reason: stringField(payload, 'reason'),
    ...(facts?.batch === undefined
      ? {}
      : {
          batchRecord: { batchId: facts.batch.batchId, index: facts.batch.index, issuerId: facts.issuerId },
        }),
  };
  return {
    stream: certificationStream(certificationId),
    decider: certificationDecider,
    command,
    resourceIds: { certificationId },
  };
};

export const CERTIFICATION_PLANNERS: Readonly<Record<string, Planner>> = {
  CertifyRecord: certifyRecord,
  CertifyBatch: certifyBatch,
  SuspendCertification: changeStatus,
  ReinstateCertification: changeStatus,
  RevokeCertification: changeStatus,
};
