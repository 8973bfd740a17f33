import type { ActorSnapshot, Decider } from '../shared/decider.js';
import type {
  AccessCommand,
  DenyAccess,
  EntrySnapshot,
  GrantAccess,
  RequestAccess,
  RevokeGrant,
} from './commands.js';
import { DirectoryError } from './directory-error.js';
import { grantIdFor } from './directory-ids.js';
import type { AccessEvent, AccessGranted, AccessRequested } from './events.js';

export type AccessState =
  | { readonly status: 'none' }
  | {
      readonly status: 'pending' | 'denied';
      readonly request: AccessRequested['data'];
    }
  | {
      readonly status: 'granted' | 'revoked';
      readonly request: AccessRequested['data'];
      readonly grant: AccessGranted['data'];
    };

/** Roles that take part in data sharing; the authority and pure issuers do not request data. */
export const REQUESTER_ROLES = ['consumer', 'publisher'] as const;

function requireActive(actor: ActorSnapshot): void {
  if (actor.status !== 'active')
    throw new DirectoryError('ACTOR_REVOKED', `actor ${actor.identityId} is revoked`);
}

function requireRequest(
  state: AccessState,
  requestId: string,
): asserts state is Exclude<AccessState, { status: 'none' }> {
  if (state.status === 'none')
    throw new DirectoryError('REQUEST_NOT_FOUND', `access request ${requestId} does not exist`);
}

function requireOwner(request: AccessRequested['data'], actor: ActorSnapshot): void {
  if (request.ownerId !== actor.identityId) {
    throw new DirectoryError(
      'NOT_OWNER',
      `only ${request.ownerId}, which publishes ${request.entryId}, may decide request ${request.requestId}`,
    );
  }
}

function requirePending(state: Exclude<AccessState, { status: 'none' }>, requestId: string): void {
  if (state.status !== 'pending') {
    throw new DirectoryError('REQUEST_NOT_PENDING', `access request ${requestId} is already ${state.status}`);
  }
}

function requireOpenEntry(entry: EntrySnapshot | null, entryId: string): asserts entry is EntrySnapshot {
  if (entry === null) throw new DirectoryError('ENTRY_NOT_FOUND', `catalog entry ${entryId} does not exist`);
  if (entry.status === 'withdrawn')
    throw new DirectoryError('ENTRY_WITHDRAWN', `catalog entry ${entryId} is withdrawn`);
}

/** Instants compared as numbers: RFC 3339 strings of different precision do not sort as text. */
function instant(at: string): number {
  return Date.parse(at);
}

/** Whether a grant is still usable at `at`: granted, not revoked, and `at` before its expiry. */
export function grantActiveAt(state: AccessState, at: string): boolean {
  return state.status === 'granted' && instant(at) < instant(state.grant.expiresAt);
}

function decideRequestAccess(command: RequestAccess, state: AccessState): AccessEvent[] {
  if (state.status !== 'none')
    throw new DirectoryError('REQUEST_ALREADY_EXISTS', `access request ${command.requestId} already exists`);
  if (!REQUESTER_ROLES.some((r) => command.actor.roles.includes(r))) {
    throw new DirectoryError(
      'ROLE_MISSING',
      `actor ${command.actor.identityId} holds neither the consumer nor the publisher role`,
    );
  }
  requireOpenEntry(command.entry, command.entryId);
  if (command.entry.publisherId === command.actor.identityId) {
    throw new DirectoryError(
      'OWN_DATASET',
      `${command.actor.identityId} publishes ${command.entryId} itself`,
    );
  }
  return [
    {
      type: 'AccessRequested',
      data: {
        requestId: command.requestId,
        entryId: command.entryId,
        ownerId: command.entry.publisherId,
        requesterId: command.actor.identityId,
        purpose: command.purpose,
        durationSeconds: command.durationSeconds,
        requestedAt: command.at,
      },
    },
  ];
}

function decideGrantAccess(command: GrantAccess, state: AccessState): AccessEvent[] {
  requireRequest(state, command.requestId);
  requireOwner(state.request, command.actor);
  requirePending(state, command.requestId);
  requireOpenEntry(command.entry, state.request.entryId);
  const now = instant(command.at);
  const longest = now + state.request.durationSeconds * 1000;
  const { expiresAt } = command;
  const until = instant(expiresAt);
  // !(now < until): NaN (an unparsable time) fails closed.
  if (!(now < until) || until > longest) {
    throw new DirectoryError(
      'EXPIRY_INVALID',
      `expiresAt must be after ${command.at} and at most the requested ${state.request.durationSeconds} s later`,
    );
  }
  return [
    {
      type: 'AccessGranted',
      data: {
        requestId: command.requestId,
        grantId: grantIdFor(command.requestId),
        entryId: state.request.entryId,
        requesterId: state.request.requesterId,
        scope: command.scope,
        expiresAt,
        grantedAt: command.at,
        grantedBy: command.actor.identityId,
      },
    },
  ];
}

function decideDenyAccess(command: DenyAccess, state: AccessState): AccessEvent[] {
  requireRequest(state, command.requestId);
  requireOwner(state.request, command.actor);
  requirePending(state, command.requestId);
  return [
    {
      type: 'AccessDenied',
      data: {
        requestId: command.requestId,
        entryId: state.request.entryId,
        reason: command.reason,
        deniedAt: command.at,
        deniedBy: command.actor.identityId,
      },
    },
  ];
}

function decideRevokeGrant(command: RevokeGrant, state: AccessState): AccessEvent[] {
  if (state.status !== 'granted' && state.status !== 'revoked')
    throw new DirectoryError('GRANT_NOT_FOUND', `grant ${command.grantId} does not exist`);
  // The authority may revoke any grant, e.g. when a department is compromised.
  if (!command.actor.roles.includes('authority')) requireOwner(state.request, command.actor);
  if (state.status === 'revoked')
    throw new DirectoryError('GRANT_NOT_ACTIVE', `grant ${command.grantId} is already revoked`);
  if (!grantActiveAt(state, command.at))
    throw new DirectoryError(
      'GRANT_NOT_ACTIVE',
      `grant ${command.grantId} expired at ${state.grant.expiresAt}`,
    );
  return [
    {
      type: 'AccessRevoked',
      data: {
        requestId: command.requestId,
        grantId: command.grantId,
        entryId: state.request.entryId,
        reason: command.reason,
        revokedAt: command.at,
        revokedBy: command.actor.identityId,
      },
    },
  ];
}

/**
 * An access request and its grant: request → granted | denied; a grant ends
 * when revoked or when time passes its expiry (time comes in on the command,
 * so expiry is a comparison, never an event).
 */
export const accessDecider: Decider<AccessCommand, AccessEvent, AccessState> = {
  initialState: () => ({ status: 'none' }),

  evolve(state, event) {
    switch (event.type) {
      case 'AccessRequested':
        return { status: 'pending', request: event.data };
      case 'AccessGranted':
        return state.status === 'none'
          ? state
          : { status: 'granted', request: state.request, grant: event.data };
      case 'AccessDenied':
        return state.status === 'none' ? state : { status: 'denied', request: state.request };
      case 'AccessRevoked':
        return state.status === 'granted' ? { ...state, status: 'revoked' } : state;
    }
  },

  decide(command, state) {
    requireActive(command.actor);
    switch (command.type) {
      case 'RequestAccess':
        return decideRequestAccess(command, state);
      case 'GrantAccess':
        return decideGrantAccess(command, state);
      case 'DenyAccess':
        return decideDenyAccess(command, state);
      case 'RevokeGrant':
        return decideRevokeGrant(command, state);
    }
  },
};
