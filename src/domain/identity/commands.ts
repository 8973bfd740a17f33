import type { ActorSnapshot } from '../shared/decider.js';
import type { PublicKeyEntry } from './events.js';
import type { Role } from './roles.js';

interface IdentityCommandBase {
  readonly actor: ActorSnapshot;
  /** When the command was issued (signed issuedAt, already checked against the server clock). */
  readonly at: string;
}

export interface RegisterIdentity extends IdentityCommandBase {
  readonly type: 'RegisterIdentity';
  readonly identityId: string;
  readonly name: string;
  readonly organisationCode: string;
  readonly parentId: string | null;
  /** Whether the parent exists; resolved by the handler from the registry read model. */
  readonly parentExists: boolean;
  readonly roles: Role[];
  readonly keys: PublicKeyEntry[];
  /** Key ids already bound to another identity, resolved by the handler; a key names one identity only. */
  readonly keysInUse: string[];
}

/** Genesis: the root authority registers itself, once, when the node is initialised. */
export interface RegisterAuthority {
  readonly type: 'RegisterAuthority';
  readonly at: string;
  readonly identityId: string;
  readonly name: string;
  readonly organisationCode: string;
  readonly keys: PublicKeyEntry[];
}

export interface RotateIdentityKey extends IdentityCommandBase {
  readonly type: 'RotateIdentityKey';
  readonly identityId: string;
  readonly newKey: PublicKeyEntry;
  /** Keys to retire; empty means every key active before the rotation. */
  readonly retireKeyIds: string[];
  readonly keysInUse: string[];
}

export interface AccreditIdentity extends IdentityCommandBase {
  readonly type: 'AccreditIdentity';
  readonly identityId: string;
  readonly recordTypes: string[];
}

export interface RevokeIdentity extends IdentityCommandBase {
  readonly type: 'RevokeIdentity';
  readonly identityId: string;
  readonly reason: string;
}

/** The authority changes which roles a department holds; `authority` itself is never added or removed. */
export interface UpdateIdentityRoles extends IdentityCommandBase {
  readonly type: 'UpdateIdentityRoles';
  readonly identityId: string;
  readonly add: Role[];
  readonly remove: Role[];
}

export type IdentityCommand =
  | UpdateIdentityRoles
  | RegisterIdentity
  | RegisterAuthority
  | RotateIdentityKey
  | AccreditIdentity
  | RevokeIdentity;
