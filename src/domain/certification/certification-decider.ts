import type { ActorSnapshot, Decider } from '../shared/decider.js';
import { CertificationError } from './certification-error.js';
import type { CertificationCommand } from './commands.js';
import type { CertificationEvent, CertificationStatus, RecordCertified } from './events.js';

export type CertificationState =
  | { readonly status: 'none' }
  | {
      readonly status: CertificationStatus;
      readonly record: RecordCertified['data'];
    };

const TRANSITIONS = {
  SuspendCertification: { from: ['active'], event: 'CertificationSuspended' },
  ReinstateCertification: { from: ['suspended'], event: 'CertificationReinstated' },
  RevokeCertification: { from: ['active', 'suspended'], event: 'CertificationRevoked' },
} as const;

function requireActive(actor: ActorSnapshot): void {
  if (actor.status !== 'active')
    throw new CertificationError('ACTOR_REVOKED', `actor ${actor.identityId} is revoked`);
}

export const certificationDecider: Decider<CertificationCommand, CertificationEvent, CertificationState> = {
  initialState: () => ({ status: 'none' }),

  evolve(state, event) {
    switch (event.type) {
      case 'RecordCertified':
        return { status: 'active', record: event.data };
      case 'CertificationSuspended':
        return state.status === 'none' ? state : { ...state, status: 'suspended' };
      case 'CertificationReinstated':
        return state.status === 'none' ? state : { ...state, status: 'active' };
      case 'CertificationRevoked':
        return state.status === 'none' ? state : { ...state, status: 'revoked' };
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
      if (!command.actor.roles.includes('issuer')) {
        throw new CertificationError(
          'ROLE_MISSING',
          `actor ${command.actor.identityId} lacks the issuer role`,
        );
      }
      if (!command.actor.accreditations.includes(command.recordType)) {
        throw new CertificationError(
          'ACCREDITATION_MISSING',
          `actor ${command.actor.identityId} is not accredited for record type ${command.recordType}`,
        );
      }
      // RFC 3339 UTC timestamps of equal precision compare correctly as strings only by accident; compare instants.
      const from = Date.parse(command.validFrom);
      const until = command.validUntil === null ? Number.POSITIVE_INFINITY : Date.parse(command.validUntil);
      // !(from < until), not until <= from: NaN must fail closed, and the schema's date-time admits
      // leap seconds (23:59:60Z), which Date.parse reads as NaN.
      if (!(from < until)) {
        throw new CertificationError(
          'VALIDITY_WINDOW_INVALID',
          'validFrom must be an instant and validUntil a later one',
        );
      }
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
          },
        },
      ];
    }

    if (state.status === 'none') {
      throw new CertificationError(
        'CERTIFICATION_NOT_FOUND',
        `certification ${command.certificationId} does not exist`,
      );
    }
    const isIssuer = state.record.issuerId === command.actor.identityId;
    if (!isIssuer && !command.actor.roles.includes('authority')) {
      throw new CertificationError(
        'NOT_ISSUER',
        `only the issuer or the authority may change certification ${command.certificationId}`,
      );
    }
    const transition = TRANSITIONS[command.type];
    if (!(transition.from as readonly string[]).includes(state.status)) {
      throw new CertificationError(
        'INVALID_STATUS_TRANSITION',
        `cannot ${command.type.replace('Certification', '').toLowerCase()} a certification that is ${state.status}`,
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
