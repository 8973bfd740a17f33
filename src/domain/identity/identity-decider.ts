import type { ActorSnapshot, Decider } from '../shared/decider.js';
import type {
  AccreditIdentity,
  IdentityCommand,
  RegisterAuthority,
  RegisterIdentity,
  RevokeIdentity,
  RotateIdentityKey,
  UpdateIdentityRoles,
} from './commands.js';
import type { IdentityEvent, PublicKeyEntry } from './events.js';
import { IdentityError } from './identity-error.js';
import { ASSIGNABLE_ROLES, type Role } from './roles.js';

export interface KeyRecord extends PublicKeyEntry {
  readonly activeFrom: string;
  /** When the key stopped being accepted; signatures made before stay verifiable. */
  readonly retiredAt: string | null;
}

export type IdentityState =
  | { readonly status: 'none' }
  | {
      readonly status: 'active' | 'revoked';
      readonly identityId: string;
      readonly name: string;
      readonly organisationCode: string;
      readonly parentId: string | null;
      readonly roles: Role[];
      readonly keys: KeyRecord[];
      readonly accreditations: string[];
      readonly revokedAt: string | null;
    };

function requireActiveActor(actor: ActorSnapshot): void {
  if (actor.status !== 'active')
    throw new IdentityError('IDENTITY_REVOKED', `actor ${actor.identityId} is revoked`);
}

function requireAuthority(actor: ActorSnapshot): void {
  requireActiveActor(actor);
  if (!actor.roles.includes('authority')) {
    throw new IdentityError('ROLE_MISSING', `actor ${actor.identityId} lacks the authority role`);
  }
}

function requireExisting(
  state: IdentityState,
  identityId: string,
): asserts state is Exclude<IdentityState, { status: 'none' }> {
  if (state.status === 'none')
    throw new IdentityError('IDENTITY_NOT_FOUND', `identity ${identityId} does not exist`);
}

function requireUnusedKeys(keys: readonly PublicKeyEntry[], keysInUse: readonly string[]): void {
  const seen = new Set<string>();
  for (const key of keys) {
    // One key names one identity: the CLI and the verifier resolve signers by key id.
    if (seen.has(key.keyId) || keysInUse.includes(key.keyId)) {
      throw new IdentityError('KEY_ALREADY_REGISTERED', `key ${key.keyId} is already registered`);
    }
    seen.add(key.keyId);
  }
}

function decideRegisterAuthority(command: RegisterAuthority, state: IdentityState): IdentityEvent[] {
  if (state.status !== 'none') {
    throw new IdentityError('IDENTITY_ALREADY_EXISTS', `identity ${command.identityId} already exists`);
  }
  return [
    {
      type: 'IdentityRegistered',
      data: {
        identityId: command.identityId,
        name: command.name,
        organisationCode: command.organisationCode,
        parentId: null,
        roles: ['authority'],
        keys: command.keys,
        registeredAt: command.at,
        registeredBy: command.identityId,
      },
    },
  ];
}

function decideRegisterIdentity(command: RegisterIdentity, state: IdentityState): IdentityEvent[] {
  requireAuthority(command.actor);
  if (state.status !== 'none') {
    throw new IdentityError(
      'IDENTITY_ALREADY_EXISTS',
      `organisation code ${command.organisationCode} is already registered`,
    );
  }
  if (command.parentId !== null && !command.parentExists) {
    throw new IdentityError('PARENT_NOT_FOUND', `parent identity ${command.parentId} does not exist`);
  }
  requireAssignable(command.roles);
  if (command.keys.length === 0)
    throw new IdentityError('KEY_NOT_ACTIVE', 'an identity needs at least one key');
  requireUnusedKeys(command.keys, command.keysInUse);
  return [
    {
      type: 'IdentityRegistered',
      data: {
        identityId: command.identityId,
        name: command.name,
        organisationCode: command.organisationCode,
        parentId: command.parentId,
        roles: [...new Set(command.roles)],
        keys: command.keys,
        registeredAt: command.at,
        registeredBy: command.actor.identityId,
      },
    },
  ];
}

function decideRotateIdentityKey(command: RotateIdentityKey, state: IdentityState): IdentityEvent[] {
  requireActiveActor(command.actor);
  requireExisting(state, command.identityId);
  // An identity rotates its own keys; the authority may do it for anyone (lost key).
  if (command.actor.identityId !== command.identityId && !command.actor.roles.includes('authority')) {
    throw new IdentityError(
      'ROLE_MISSING',
      `actor ${command.actor.identityId} may not rotate keys of ${command.identityId}`,
    );
  }
  if (state.status === 'revoked')
    throw new IdentityError('IDENTITY_REVOKED', `identity ${command.identityId} is revoked`);
  requireUnusedKeys([command.newKey], [...command.keysInUse, ...state.keys.map((k) => k.keyId)]);
  const active = state.keys.filter((k) => k.retiredAt === null).map((k) => k.keyId);
  const retire = command.retireKeyIds.length === 0 ? active : [...new Set(command.retireKeyIds)];
  for (const keyId of retire) {
    if (!active.includes(keyId))
      throw new IdentityError('KEY_NOT_ACTIVE', `key ${keyId} is not an active key of ${command.identityId}`);
  }
  return [
    {
      type: 'IdentityKeyRotated',
      data: {
        identityId: command.identityId,
        added: [command.newKey],
        retiredKeyIds: retire,
        rotatedAt: command.at,
        rotatedBy: command.actor.identityId,
      },
    },
  ];
}

function decideAccreditIdentity(command: AccreditIdentity, state: IdentityState): IdentityEvent[] {
  requireAuthority(command.actor);
  requireExisting(state, command.identityId);
  if (state.status === 'revoked')
    throw new IdentityError('IDENTITY_REVOKED', `identity ${command.identityId} is revoked`);
  if (!state.roles.includes('issuer')) {
    throw new IdentityError('NOT_AN_ISSUER', `identity ${command.identityId} does not hold the issuer role`);
  }
  const fresh = [...new Set(command.recordTypes)].filter((t) => !state.accreditations.includes(t));
  // Accrediting again for types already held is a no-op, not an error: safe to script.
  if (fresh.length === 0) return [];
  return [
    {
      type: 'IdentityAccredited',
      data: {
        identityId: command.identityId,
        recordTypes: fresh,
        accreditedAt: command.at,
        accreditedBy: command.actor.identityId,
      },
    },
  ];
}

function decideRevokeIdentity(command: RevokeIdentity, state: IdentityState): IdentityEvent[] {
  requireAuthority(command.actor);
  requireExisting(state, command.identityId);
  if (state.status === 'revoked')
    throw new IdentityError('IDENTITY_REVOKED', `identity ${command.identityId} is already revoked`);
  if (state.roles.includes('authority')) {
    throw new IdentityError('AUTHORITY_NOT_REVOCABLE', 'the root authority cannot be revoked');
  }
  return [
    {
      type: 'IdentityRevoked',
      data: {
        identityId: command.identityId,
        reason: command.reason,
        revokedAt: command.at,
        revokedBy: command.actor.identityId,
      },
    },
  ];
}

function requireAssignable(roles: readonly string[]): void {
  const unassignable = roles.filter((r) => !(ASSIGNABLE_ROLES as readonly string[]).includes(r));
  // The schema already limits roles; the decider holds the rule so no other path can mint a second authority.
  if (unassignable.length > 0) {
    throw new IdentityError('ROLE_NOT_ASSIGNABLE', `role ${unassignable.join(', ')} cannot be assigned`);
  }
}

function decideUpdateIdentityRoles(command: UpdateIdentityRoles, state: IdentityState): IdentityEvent[] {
  requireAuthority(command.actor);
  requireExisting(state, command.identityId);
  if (state.status === 'revoked')
    throw new IdentityError('IDENTITY_REVOKED', `identity ${command.identityId} is revoked`);
  if (state.roles.includes('authority'))
    throw new IdentityError('ROLE_NOT_ASSIGNABLE', "the root authority's roles are fixed at genesis");
  requireAssignable([...command.add, ...command.remove]);
  const both = command.add.filter((r) => command.remove.includes(r));
  if (both.length > 0)
    throw new IdentityError('ROLE_NOT_ASSIGNABLE', `role ${both.join(', ')} is both added and removed`);
  const roles = [...new Set([...state.roles, ...command.add])].filter((r) => !command.remove.includes(r));
  if (roles.length === 0)
    throw new IdentityError('ROLE_NOT_ASSIGNABLE', `${command.identityId} would be left without any role`);
  const added = [...new Set(command.add)].filter((r) => !state.roles.includes(r));
  const removed = [...new Set(command.remove)].filter((r) => state.roles.includes(r));
  // Asking for roles already held (or already absent) changes nothing: safe to script, like accrediting.
  if (added.length === 0 && removed.length === 0) return [];
  return [
    {
      type: 'IdentityRolesChanged',
      data: {
        identityId: command.identityId,
        roles,
        added,
        removed,
        changedAt: command.at,
        changedBy: command.actor.identityId,
      },
    },
  ];
}

export const identityDecider: Decider<IdentityCommand, IdentityEvent, IdentityState> = {
  initialState: () => ({ status: 'none' }),

  evolve(state, event) {
    switch (event.type) {
      case 'IdentityRegistered': {
        const d = event.data;
        return {
          status: 'active',
          identityId: d.identityId,
          name: d.name,
          organisationCode: d.organisationCode,
          parentId: d.parentId,
          roles: [...d.roles],
          keys: d.keys.map((k) => ({ ...k, activeFrom: d.registeredAt, retiredAt: null })),
          accreditations: [],
          revokedAt: null,
        };
      }
      case 'IdentityKeyRotated': {
        if (state.status === 'none') return state;
        const d = event.data;
        const retired = new Set(d.retiredKeyIds);
        return {
          ...state,
          keys: [
            ...state.keys.map((k) =>
              retired.has(k.keyId) && k.retiredAt === null ? { ...k, retiredAt: d.rotatedAt } : k,
            ),
            ...d.added.map((k) => ({ ...k, activeFrom: d.rotatedAt, retiredAt: null })),
          ],
        };
      }
      case 'IdentityAccredited': {
        if (state.status === 'none') return state;
        const merged = new Set([...state.accreditations, ...event.data.recordTypes]);
        return { ...state, accreditations: [...merged] };
      }
      case 'IdentityRevoked': {
        if (state.status === 'none') return state;
        return { ...state, status: 'revoked', revokedAt: event.data.revokedAt };
      }
      case 'IdentityRolesChanged': {
        if (state.status === 'none') return state;
        return { ...state, roles: [...event.data.roles] };
      }
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'RegisterAuthority':
        return decideRegisterAuthority(command, state);
      case 'RegisterIdentity':
        return decideRegisterIdentity(command, state);
      case 'RotateIdentityKey':
        return decideRotateIdentityKey(command, state);
      case 'AccreditIdentity':
        return decideAccreditIdentity(command, state);
      case 'RevokeIdentity':
        return decideRevokeIdentity(command, state);
      case 'UpdateIdentityRoles':
        return decideUpdateIdentityRoles(command, state);
    }
  },
};
