import { describe, expect, it } from 'vitest';
import type {
  AccreditIdentity,
  RegisterAuthority,
  RegisterIdentity,
  RevokeIdentity,
  RotateIdentityKey,
  UpdateIdentityRoles,
} from '../../../src/domain/identity/commands.js';
import type {
  IdentityAccredited,
  IdentityKeyRotated,
  IdentityRegistered,
  IdentityRevoked,
  IdentityRolesChanged,
  PublicKeyEntry,
} from '../../../src/domain/identity/events.js';
import { identityDecider } from '../../../src/domain/identity/identity-decider.js';
import { IdentityError } from '../../../src/domain/identity/identity-error.js';
import type { Role } from '../../../src/domain/identity/roles.js';
import { type ActorSnapshot, foldEvents } from '../../../src/domain/shared/decider.js';
import { DeciderSpecification } from '../../support/decider-specification.js';

const given = DeciderSpecification.for(identityDecider);

const GENESIS_AT = '2025-01-01T00:00:00Z';
const REGISTERED_AT = '2025-02-01T09:00:00Z';
const AT = '2025-03-01T09:00:00Z';
const LATER = '2025-04-01T09:00:00Z';

/** A key whose id and public key are recognisable by label; shaped like the wire formats. */
function key(label: string): PublicKeyEntry {
  return { keyId: `ed25519:${label.padEnd(22, '_')}`, publicKey: `${label.padEnd(43, 'A')}=` };
}

const ROOT = 'ROOT';
const HEALTH = 'HEALTH';
const TRANSPORT = 'TRANSPORT';

const authority: ActorSnapshot = {
  identityId: ROOT,
  roles: ['authority'],
  accreditations: [],
  status: 'active',
};
const revokedAuthority: ActorSnapshot = { ...authority, status: 'revoked' };
const health: ActorSnapshot = { identityId: HEALTH, roles: ['issuer'], accreditations: [], status: 'active' };
const transport: ActorSnapshot = {
  identityId: TRANSPORT,
  roles: ['issuer'],
  accreditations: [],
  status: 'active',
};

const rootRegistered: IdentityRegistered = {
  type: 'IdentityRegistered',
  data: {
    identityId: ROOT,
    name: 'Provincial Chancery',
    organisationCode: ROOT,
    parentId: null,
    roles: ['authority'],
    keys: [key('root')],
    registeredAt: GENESIS_AT,
    registeredBy: ROOT,
  },
};

function healthRegistered(overrides: Partial<IdentityRegistered['data']> = {}): IdentityRegistered {
  return {
    type: 'IdentityRegistered',
    data: {
      identityId: HEALTH,
      name: 'Department of Health',
      organisationCode: HEALTH,
      parentId: null,
      roles: ['issuer'],
      keys: [key('h1')],
      registeredAt: REGISTERED_AT,
      registeredBy: ROOT,
      ...overrides,
    },
  };
}

function healthRotated(
  added: PublicKeyEntry[],
  retiredKeyIds: string[],
  rotatedAt: string,
): IdentityKeyRotated {
  return {
    type: 'IdentityKeyRotated',
    data: { identityId: HEALTH, added, retiredKeyIds, rotatedAt, rotatedBy: HEALTH },
  };
}

const healthRevoked: IdentityRevoked = {
  type: 'IdentityRevoked',
  data: { identityId: HEALTH, reason: 'department dissolved', revokedAt: AT, revokedBy: ROOT },
};

function healthAccredited(recordTypes: string[]): IdentityAccredited {
  return {
    type: 'IdentityAccredited',
    data: { identityId: HEALTH, recordTypes, accreditedAt: AT, accreditedBy: ROOT },
  };
}

describe('RegisterAuthority', () => {
  const command: RegisterAuthority = {
    type: 'RegisterAuthority',
    at: GENESIS_AT,
    identityId: ROOT,
    name: 'Provincial Chancery',
    organisationCode: ROOT,
    keys: [key('root')],
  };

  it('registers the root authority at genesis, by itself, with only the authority role', () => {
    given([]).when(command).then([rootRegistered]);
  });

  it('refuses a second genesis on the same identity', () => {
    given([rootRegistered]).when(command).thenThrows(IdentityError, 'IDENTITY_ALREADY_EXISTS');
  });
});

describe('RegisterIdentity', () => {
  function register(overrides: Partial<RegisterIdentity> = {}): RegisterIdentity {
    return {
      type: 'RegisterIdentity',
      actor: authority,
      at: REGISTERED_AT,
      identityId: HEALTH,
      name: 'Department of Health',
      organisationCode: HEALTH,
      parentId: null,
      parentExists: false,
      roles: ['issuer'],
      keys: [key('h1')],
      keysInUse: [key('root').keyId],
      ...overrides,
    };
  }

  it('registers a top-level department on behalf of the authority', () => {
    given([]).when(register()).then([healthRegistered()]);
  });

  it('registers a department under an existing parent', () => {
    given([])
      .when(register({ parentId: 'PROVINCE-GOV', parentExists: true }))
      .then([healthRegistered({ parentId: 'PROVINCE-GOV' })]);
  });

  it('refuses to mint a second authority, whatever the schema let through', () => {
    given([])
      .when(register({ roles: ['issuer', 'authority'] }))
      .thenThrows(IdentityError, 'ROLE_NOT_ASSIGNABLE');
  });

  it('refuses an identity without any key', () => {
    given([])
      .when(register({ keys: [] }))
      .thenThrows(IdentityError, 'KEY_NOT_ACTIVE');
  });

  it('refuses an actor without the authority role', () => {
    given([])
      .when(register({ actor: transport }))
      .thenThrows(IdentityError, 'ROLE_MISSING');
  });

  it('refuses a revoked actor even if it held the authority role', () => {
    given([])
      .when(register({ actor: revokedAuthority }))
      .thenThrows(IdentityError, 'IDENTITY_REVOKED');
  });

  it('refuses an organisation code that is already registered', () => {
    given([healthRegistered()]).when(register()).thenThrows(IdentityError, 'IDENTITY_ALREADY_EXISTS');
  });

  it('refuses a code that belonged to a since revoked identity (codes are never reused)', () => {
    given([healthRegistered(), healthRevoked])
      .when(register())
      .thenThrows(IdentityError, 'IDENTITY_ALREADY_EXISTS');
  });

  it('refuses a parent that does not exist', () => {
    given([])
      .when(register({ parentId: 'NOWHERE', parentExists: false }))
      .thenThrows(IdentityError, 'PARENT_NOT_FOUND');
  });

  it('refuses the same key twice in one registration', () => {
    given([])
      .when(register({ keys: [key('h1'), key('h1')] }))
      .thenThrows(IdentityError, 'KEY_ALREADY_REGISTERED');
  });

  it('refuses a key already bound to another identity', () => {
    given([])
      .when(register({ keys: [key('h1'), key('root')] }))
      .thenThrows(IdentityError, 'KEY_ALREADY_REGISTERED');
  });

  it('collapses repeated roles, keeping first-seen order', () => {
    given([])
      .when(register({ roles: ['issuer', 'publisher', 'issuer', 'publisher'] }))
      .then([healthRegistered({ roles: ['issuer', 'publisher'] })]);
  });
});

describe('RotateIdentityKey', () => {
  function rotate(overrides: Partial<RotateIdentityKey> = {}): RotateIdentityKey {
    return {
      type: 'RotateIdentityKey',
      actor: health,
      at: AT,
      identityId: HEALTH,
      newKey: key('h2'),
      retireKeyIds: [],
      keysInUse: [key('root').keyId],
      ...overrides,
    };
  }

  it('lets an identity rotate its own key, retiring every active key by default', () => {
    given([healthRegistered()])
      .when(rotate())
      .then([healthRotated([key('h2')], [key('h1').keyId], AT)]);
  });

  it('lets the authority rotate the key of another identity (lost key)', () => {
    given([healthRegistered()])
      .when(rotate({ actor: authority }))
      .then([
        {
          type: 'IdentityKeyRotated',
          data: {
            identityId: HEALTH,
            added: [key('h2')],
            retiredKeyIds: [key('h1').keyId],
            rotatedAt: AT,
            rotatedBy: ROOT,
          },
        },
      ]);
  });

  it('refuses a third party that is neither the identity nor the authority', () => {
    given([healthRegistered()])
      .when(rotate({ actor: transport }))
      .thenThrows(IdentityError, 'ROLE_MISSING');
  });

  it('refuses a revoked actor rotating its own key', () => {
    given([healthRegistered(), healthRevoked])
      .when(rotate({ actor: { ...health, status: 'revoked' } }))
      .thenThrows(IdentityError, 'IDENTITY_REVOKED');
  });

  it('refuses to rotate the keys of a revoked identity, even for the authority', () => {
    given([healthRegistered(), healthRevoked])
      .when(rotate({ actor: authority }))
      .thenThrows(IdentityError, 'IDENTITY_REVOKED');
  });

  it('refuses an identity that does not exist', () => {
    given([])
      .when(rotate({ actor: authority }))
      .thenThrows(IdentityError, 'IDENTITY_NOT_FOUND');
  });

  it('retires only the keys named, leaving the others active', () => {
    given([healthRegistered({ keys: [key('h1'), key('h2')] })])
      .when(rotate({ newKey: key('h3'), retireKeyIds: [key('h1').keyId, key('h1').keyId] }))
      .then([healthRotated([key('h3')], [key('h1').keyId], AT)]);
  });

  it('by default retires every key still active, not the ones retired before', () => {
    given([
      healthRegistered({ keys: [key('h1'), key('h2')] }),
      healthRotated([key('h3')], [key('h1').keyId], AT),
    ])
      .when(rotate({ at: LATER, newKey: key('h4') }))
      .then([healthRotated([key('h4')], [key('h2').keyId, key('h3').keyId], LATER)]);
  });

  it('refuses to retire a key that is already retired', () => {
    given([healthRegistered(), healthRotated([key('h2')], [key('h1').keyId], AT)])
      .when(rotate({ at: LATER, newKey: key('h3'), retireKeyIds: [key('h1').keyId] }))
      .thenThrows(IdentityError, 'KEY_NOT_ACTIVE');
  });

  it('refuses to retire a key the identity never had', () => {
    given([healthRegistered()])
      .when(rotate({ retireKeyIds: [key('root').keyId] }))
      .thenThrows(IdentityError, 'KEY_NOT_ACTIVE');
  });

  it('refuses to re-add a retired key: a retired key never comes back', () => {
    given([healthRegistered(), healthRotated([key('h2')], [key('h1').keyId], AT)])
      .when(rotate({ at: LATER, newKey: key('h1') }))
      .thenThrows(IdentityError, 'KEY_ALREADY_REGISTERED');
  });

  it('refuses to add a key the identity already has active', () => {
    given([healthRegistered()])
      .when(rotate({ newKey: key('h1') }))
      .thenThrows(IdentityError, 'KEY_ALREADY_REGISTERED');
  });

  it('refuses a new key already bound to another identity', () => {
    given([healthRegistered()])
      .when(rotate({ newKey: key('root') }))
      .thenThrows(IdentityError, 'KEY_ALREADY_REGISTERED');
  });

  it('keeps retired keys in state with when they were retired, so old signatures stay verifiable', () => {
    const state = foldEvents(identityDecider, [
      healthRegistered({ keys: [key('h1')] }),
      healthRotated([key('h2')], [key('h1').keyId], AT),
      healthRotated([key('h3')], [key('h2').keyId], LATER),
      // A replayed retirement must not move the instant a key stopped being accepted.
      healthRotated([], [key('h1').keyId], '2025-05-01T00:00:00Z'),
    ]);
    expect(state.status === 'active' && state.keys).toStrictEqual([
      { ...key('h1'), activeFrom: REGISTERED_AT, retiredAt: AT },
      { ...key('h2'), activeFrom: AT, retiredAt: LATER },
      { ...key('h3'), activeFrom: LATER, retiredAt: null },
    ]);
  });
});

describe('AccreditIdentity', () => {
  function accredit(overrides: Partial<AccreditIdentity> = {}): AccreditIdentity {
    return {
      type: 'AccreditIdentity',
      actor: authority,
      at: AT,
      identityId: HEALTH,
      recordTypes: ['birth-certificate', 'vaccination'],
      ...overrides,
    };
  }

  it('accredits an issuer for record types', () => {
    given([healthRegistered()])
      .when(accredit())
      .then([healthAccredited(['birth-certificate', 'vaccination'])]);
  });

  it('refuses an identity without the issuer role', () => {
    given([healthRegistered({ roles: ['publisher', 'consumer'] })])
      .when(accredit())
      .thenThrows(IdentityError, 'NOT_AN_ISSUER');
  });

  it('records nothing when every type is already held (safe to script)', () => {
    given([healthRegistered(), healthAccredited(['birth-certificate', 'vaccination'])])
      .when(accredit({ recordTypes: ['vaccination', 'birth-certificate', 'vaccination'] }))
      .thenNothingHappened();
  });

  it('records only the types not already held, each once', () => {
    given([healthRegistered(), healthAccredited(['birth-certificate'])])
      .when(accredit({ recordTypes: ['birth-certificate', 'diploma', 'diploma'] }))
      .then([healthAccredited(['diploma'])]);
  });

  it('accumulates accreditations in state', () => {
    const state = foldEvents(identityDecider, [
      healthRegistered(),
      healthAccredited(['birth-certificate']),
      healthAccredited(['diploma', 'birth-certificate']),
    ]);
    expect(state.status === 'active' && state.accreditations).toStrictEqual(['birth-certificate', 'diploma']);
  });

  it('refuses a revoked identity', () => {
    given([healthRegistered(), healthRevoked]).when(accredit()).thenThrows(IdentityError, 'IDENTITY_REVOKED');
  });

  it('refuses an identity that does not exist', () => {
    given([]).when(accredit()).thenThrows(IdentityError, 'IDENTITY_NOT_FOUND');
  });

  it('refuses an actor without the authority role, even accrediting itself', () => {
    given([healthRegistered()])
      .when(accredit({ actor: health }))
      .thenThrows(IdentityError, 'ROLE_MISSING');
  });
});

describe('RevokeIdentity', () => {
  function revoke(overrides: Partial<RevokeIdentity> = {}): RevokeIdentity {
    return {
      type: 'RevokeIdentity',
      actor: authority,
      at: AT,
      identityId: HEALTH,
      reason: 'department dissolved',
      ...overrides,
    };
  }

  it('revokes an identity', () => {
    given([healthRegistered()]).when(revoke()).then([healthRevoked]);
  });

  it('marks the identity revoked in state, keeping its keys for verifying history', () => {
    const state = foldEvents(identityDecider, [healthRegistered(), healthRevoked]);
    expect(state).toMatchObject({
      status: 'revoked',
      revokedAt: AT,
      keys: [{ ...key('h1'), retiredAt: null }],
    });
  });

  it('refuses to revoke the root authority', () => {
    given([rootRegistered])
      .when(revoke({ identityId: ROOT }))
      .thenThrows(IdentityError, 'AUTHORITY_NOT_REVOCABLE');
  });

  it('refuses an identity that is already revoked', () => {
    given([healthRegistered(), healthRevoked]).when(revoke()).thenThrows(IdentityError, 'IDENTITY_REVOKED');
  });

  it('refuses an identity that does not exist', () => {
    given([]).when(revoke()).thenThrows(IdentityError, 'IDENTITY_NOT_FOUND');
  });

  it('refuses an actor without the authority role', () => {
    given([healthRegistered()])
      .when(revoke({ actor: transport }))
      .thenThrows(IdentityError, 'ROLE_MISSING');
  });
});

describe('UpdateIdentityRoles', () => {
  function update(add: Role[], remove: Role[] = [], overrides: Partial<UpdateIdentityRoles> = {}) {
    return {
      type: 'UpdateIdentityRoles',
      actor: authority,
      at: AT,
      identityId: HEALTH,
      add,
      remove,
      ...overrides,
    } satisfies UpdateIdentityRoles;
  }
  function changed(roles: Role[], added: Role[], removed: Role[]): IdentityRolesChanged {
    return {
      type: 'IdentityRolesChanged',
      data: { identityId: HEALTH, roles, added, removed, changedAt: AT, changedBy: ROOT },
    };
  }

  it('adds and removes roles, recording the whole set after the change', () => {
    given([healthRegistered()])
      .when(update(['publisher', 'consumer'], ['issuer']))
      .then([changed(['publisher', 'consumer'], ['publisher', 'consumer'], ['issuer'])]);
  });

  it('folds the new roles into state', () => {
    const state = foldEvents(identityDecider, [
      healthRegistered(),
      changed(['publisher'], ['publisher'], ['issuer']),
    ]);
    expect(state).toMatchObject({ roles: ['publisher'] });
  });

  it('changes nothing when the roles are already as asked (safe to script)', () => {
    given([healthRegistered()])
      .when(update(['issuer'], ['consumer']))
      .then([]);
  });

  it('refuses to hand out the authority role', () => {
    given([healthRegistered()])
      .when(update(['authority']))
      .thenThrows(IdentityError, 'ROLE_NOT_ASSIGNABLE');
  });

  it("refuses to change the root authority's roles", () => {
    given([rootRegistered])
      .when(update(['issuer'], [], { identityId: ROOT }))
      .thenThrows(IdentityError, 'ROLE_NOT_ASSIGNABLE');
  });

  it('refuses a role both added and removed', () => {
    given([healthRegistered()])
      .when(update(['publisher'], ['publisher']))
      .thenThrows(IdentityError, 'ROLE_NOT_ASSIGNABLE');
  });

  it('refuses to leave a department without any role', () => {
    given([healthRegistered()])
      .when(update([], ['issuer']))
      .thenThrows(IdentityError, 'ROLE_NOT_ASSIGNABLE');
  });

  it('refuses a department that grants itself a role', () => {
    given([healthRegistered()])
      .when(update(['publisher'], [], { actor: health }))
      .thenThrows(IdentityError, 'ROLE_MISSING');
  });

  it('refuses a revoked or unknown identity', () => {
    given([healthRegistered(), healthRevoked])
      .when(update(['publisher']))
      .thenThrows(IdentityError, 'IDENTITY_REVOKED');
    given([])
      .when(update(['publisher']))
      .thenThrows(IdentityError, 'IDENTITY_NOT_FOUND');
  });
});
