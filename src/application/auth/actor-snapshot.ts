import type { ActorSnapshot } from '../../domain/shared/decider.js';
import type { RegistryIdentity } from '../../infrastructure/projections/identity-registry.js';

/** The acting identity as deciders see it: its id, roles, accreditations and status, nothing else. */
export function actorSnapshot(identity: RegistryIdentity): ActorSnapshot {
  return {
    identityId: identity.identityId,
    roles: identity.roles,
    accreditations: identity.accreditations,
    status: identity.status,
  };
}
