import type { Role } from './roles.js';

export interface PublicKeyEntry {
  readonly keyId: string;
  /** base64 of the raw 32-byte Ed25519 public key. */
  readonly publicKey: string;
}

export interface IdentityRegistered {
  readonly type: 'IdentityRegistered';
  readonly data: {
    readonly identityId: string;
    readonly name: string;
    readonly organisationCode: string;
    readonly parentId: string | null;
    readonly roles: Role[];
    readonly keys: PublicKeyEntry[];
    readonly registeredAt: string;
    readonly registeredBy: string;
  };
}

export interface IdentityKeyRotated {
  readonly type: 'IdentityKeyRotated';
  readonly data: {
    readonly identityId: string;
    readonly added: PublicKeyEntry[];
    readonly retiredKeyIds: string[];
    readonly rotatedAt: string;
    readonly rotatedBy: string;
  };
}

export interface IdentityAccredited {
  readonly type: 'IdentityAccredited';
  readonly data: {
    readonly identityId: string;
    readonly recordTypes: string[];
    readonly accreditedAt: string;
    readonly accreditedBy: string;
  };
}

export interface IdentityRevoked {
  readonly type: 'IdentityRevoked';
  readonly data: {
    readonly identityId: string;
    readonly reason: string;
    readonly revokedAt: string;
    readonly revokedBy: string;
  };
}

/** The roles a department holds changed; `roles` is the whole set after the change. */
export interface IdentityRolesChanged {
  readonly type: 'IdentityRolesChanged';
  readonly data: {
    readonly identityId: string;
    readonly roles: Role[];
    readonly added: Role[];
    readonly removed: Role[];
    readonly changedAt: string;
    readonly changedBy: string;
  };
}

export type IdentityEvent =
  | IdentityRegistered
  | IdentityKeyRotated
  | IdentityAccredited
  | IdentityRevoked
  | IdentityRolesChanged;

export const IDENTITY_EVENT_TYPES = [
  'IdentityRegistered',
  'IdentityKeyRotated',
  'IdentityAccredited',
  'IdentityRevoked',
  'IdentityRolesChanged',
] as const satisfies readonly IdentityEvent['type'][];

export function identityStream(identityId: string): string {
  return `identity-${identityId}`;
}
