import type { Decider } from '../shared/decider.js';
import { CertificationError } from './certification-error.js';
import type { CertificationCommand } from './commands.js';
import type { CertificationEvent, CertificationStatus, RecordCertified } from './events.js';
import { requireAccreditedIssuer, requireActive, requireValidityWindow } from './issuer-rules.js';
import { reissueLink } from './record-reissue.js';

export type CertificationState =
  | { readonly status: 'none' }
  | {
      readonly status: CertificationStatus;
      /**
       * The certification, or null for a record certified in a batch: its
       * stream holds only its status changes, and the batch holds the rest.
       */
      readonly record: RecordCertified['data'] | null;
    };

const TRANSITIONS = {
  SuspendCertification: { from: ['active'], event: 'CertificationSuspended' },
  ReinstateCertification: { from: ['suspended'], event: 'CertificationReinstated' },
  RevokeCertification: { from: ['active', 'suspended'], event: 'CertificationRevoked' },
} as const;

const STATUS_AFTER = {
  CertificationSuspended: 'suspended',
  CertificationReinstated: 'active',
  CertificationRevoked: 'revoked',
} as const;

export const certificationDecider: Decider<CertificationCommand, CertificationEvent, CertificationState> = {
  initialState: () => ({ status: 'none' }),

  evolve(state, event) {
    switch (event.type) {
      case 'RecordCertified':
        return { status: 'active', record: event.data };
      case 'CertificationSuspended':
      case 'CertificationReinstated':
      case 'CertificationRevoked':
        // A status change first on its stream is about a record certified in a batch.
        return state.status === 'none'
          ? { status: STATUS_AFTER[event.type], record: null }
          : { ...state, status: STATUS_AFTER[event.type] };
    }
  },

  decide(command, state) {
    requireActive(command.actor);
    if (command.type === 'CertifyRecord') {
      if (state.status !== 'none') {
        throw new CertificationError(
          'CERTIFICATION_ALREADY_EXISTS',
          `certification ${command.certificationId} already exists`,
        );
      }
      requireAccreditedIssuer(command.actor, command.recordType);
      requireValidityWindow(command.validFrom, command.validUntil);
      const link = reissueLink(command);
      return [
        {
          type: 'RecordCertified',
          data: {
            certificationId: command.certificationId,
            issuerId: command.actor.identityId,
            recordDigest: command.recordDigest,
            recordType: command.recordType,
            subjectRef: command.subjectRef,
            validFrom: command.validFrom,
            validUntil: command.validUntil,
            metadata: command.metadata,
            certifiedAt: command.at,
            ...link,
          },
        },
      ];
    }

    // A record certified in a batch exists from the batch on, active until its own stream says otherwise.
    const issuerId =
      state.status === 'none' || state.record === null
        ? command.batchRecord?.issuerId
        : state.record.issuerId;
    if (issuerId === undefined) {
      throw new CertificationError(
        'CERTIFICATION_NOT_FOUND',
        `certification ${command.certificationId} does not exist`,
      );
    }
    const status: CertificationStatus = state.status === 'none' ? 'active' : state.status;
    const isIssuer = issuerId === command.actor.identityId;
    if (!isIssuer && !command.actor.roles.includes('authority')) {
      throw new CertificationError(
        'NOT_ISSUER',
        `only the issuer or the authority may change certification ${command.certificationId}`,
      );
    }
    const transition = TRANSITIONS[command.type];
    if (!(transition.from as readonly string[]).includes(status)) {
      throw new CertificationError(
        'INVALID_STATUS_TRANSITION',
        `cannot ${command.type.replace('Certification', '').toLowerCase()} a certification that is ${status}`,
      );
    }
    return [
      {
        type: transition.event,
        data: {
          certificationId: command.certificationId,
          reason: command.reason,
          at: command.at,
          by: command.actor.identityId,
        },
      },
    ];
  },
};
