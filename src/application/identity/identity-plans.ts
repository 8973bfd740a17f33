/** Planning of the identity commands: register, rotate a key, accredit, change roles, revoke. */

import { decodeBase64 } from '../../domain/crypto/base64.js';
import type { CommandPayload } from '../../domain/crypto/envelope.js';
import { keyIdOf } from '../../domain/crypto/key-id.js';
import type { IdentityCommand } from '../../domain/identity/commands.js';
import { identityStream, type PublicKeyEntry } from '../../domain/identity/events.js';
import { identityDecider } from '../../domain/identity/identity-decider.js';
import type { Role } from '../../domain/identity/roles.js';
import type { ActorSnapshot } from '../../domain/shared/decider.js';
import type { CommandPlan, PlanContext, Planner } from '../pipeline/command-plan.js';
import { optionalField, stringField } from '../pipeline/payload-fields.js';
import { ProblemError } from '../problems/problem.js';

function publicKeyEntry(base64: string): PublicKeyEntry {
  const raw = decodeBase64(base64);
  // The schema checks the shape; this catches non-canonical base64 and wrong lengths it cannot see.
  if (raw === null || raw.length !== 32) {
    throw new ProblemError('ENCODING_INVALID', 'publicKey must be canonical base64 of a 32-byte Ed25519 key');
  }
  return { keyId: keyIdOf(raw), publicKey: base64 };
}

function keysInUse(context: PlanContext, keys: readonly PublicKeyEntry[]): string[] {
  return keys.filter((k) => context.identities.key(k.keyId) !== undefined).map((k) => k.keyId);
}

function identityPlan(identityId: string, command: IdentityCommand): CommandPlan {
  return {
    stream: identityStream(identityId),
    decider: identityDecider,
    command,
    resourceIds: { identityId },
  };
}

function common(payload: CommandPayload, actor: ActorSnapshot) {
  return { actor, at: payload.issuedAt, identityId: stringField(payload, 'identityId') };
}

const registerIdentity: Planner = (payload, actor, context) => {
  const base = common(payload, actor);
  const parentId = optionalField<string>(payload, 'parentId');
  const keys = (payload['publicKeys'] as string[]).map(publicKeyEntry);
  return identityPlan(base.identityId, {
    type: 'RegisterIdentity',
    ...base,
    name: stringField(payload, 'name'),
    organisationCode: base.identityId,
    parentId,
    parentExists: parentId !== null && context.identities.get(parentId) !== undefined,
    roles: payload['roles'] as Role[],
    keys,
    keysInUse: keysInUse(context, keys),
  });
};

const rotateIdentityKey: Planner = (payload, actor, context) => {
  const newKey = publicKeyEntry(stringField(payload, 'newPublicKey'));
  return identityPlan(stringField(payload, 'identityId'), {
    type: 'RotateIdentityKey',
    ...common(payload, actor),
    newKey,
    retireKeyIds: optionalField<string[]>(payload, 'retireKeyIds') ?? [],
    keysInUse: keysInUse(context, [newKey]),
  });
};

const accreditIdentity: Planner = (payload, actor) =>
  identityPlan(stringField(payload, 'identityId'), {
    type: 'AccreditIdentity',
    ...common(payload, actor),
    recordTypes: payload['recordTypes'] as string[],
  });

const revokeIdentity: Planner = (payload, actor) =>
  identityPlan(stringField(payload, 'identityId'), {
    type: 'RevokeIdentity',
    ...common(payload, actor),
    reason: stringField(payload, 'reason'),
  });

const updateIdentityRoles: Planner = (payload, actor) =>
  identityPlan(stringField(payload, 'identityId'), {
    type: 'UpdateIdentityRoles',
    ...common(payload, actor),
    add: optionalField<Role[]>(payload, 'add') ?? [],
    remove: optionalField<Role[]>(payload, 'remove') ?? [],
  });

export const IDENTITY_PLANNERS: Readonly<Record<string, Planner>> = {
  RegisterIdentity: registerIdentity,
  RotateIdentityKey: rotateIdentityKey,
  AccreditIdentity: accreditIdentity,
  RevokeIdentity: revokeIdentity,
  UpdateIdentityRoles: updateIdentityRoles,
};
