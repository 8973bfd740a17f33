import { describe, it } from 'vitest';
import { accessDecider } from '../../../src/domain/directory/access-decider.js';
import type { AccessCommand, EntrySnapshot } from '../../../src/domain/directory/commands.js';
import { DirectoryError } from '../../../src/domain/directory/directory-error.js';
import { DeciderSpecification } from '../../support/decider-specification.js';
import {
  AT,
  actor,
  authority,
  consumer,
  ENTRY,
  GRANT,
  granted,
  LATER,
  publisher,
  REQUEST,
  requested,
  stranger,
} from './directory-fixtures.js';

const given = DeciderSpecification.for(accessDecider);
const open: EntrySnapshot = { entryId: ENTRY, publisherId: 'TRANSPORT', status: 'published' };

const request = (
  overrides: Partial<Extract<AccessCommand, { type: 'RequestAccess' }>> = {},
): AccessCommand => ({
  type: 'RequestAccess',
  actor: consumer,
  at: AT,
  requestId: REQUEST,
  entryId: ENTRY,
  entry: open,
  purpose: 'epidemiology of road accidents',
  durationSeconds: 86_400,
  ...overrides,
});
const grant = (
  expiresAt = '2026-03-02T09:00:00Z',
  by = publisher,
  entry: EntrySnapshot | null = open,
): AccessCommand => ({
  type: 'GrantAccess',
  actor: by,
  at: AT,
  requestId: REQUEST,
  entry,
  scope: { versions: 'all' },
  expiresAt,
});
const deny = (by = publisher): AccessCommand => ({
  type: 'DenyAccess',
  actor: by,
  at: AT,
  requestId: REQUEST,
  reason: 'no legal basis',
});
const revoke = (by = publisher, at = LATER): AccessCommand => ({
  type: 'RevokeGrant',
  actor: by,
  at,
  requestId: REQUEST,
  grantId: GRANT,
  reason: 'purpose fulfilled',
});

describe('access decider: request → granted | denied; grant → revoked or expired', () => {
  it('records a request naming the entry owner as the one to decide', () => {
    given([]).when(request()).then([requested()]);
  });

  it('accepts requests from publishers too, but not from a department without a sharing role', () => {
    given([])
      .when(request({ actor: actor('HEALTH', ['publisher']) }))
      .then([requested()]);
    given([])
      .when(request({ actor: actor('HEALTH', ['issuer']) }))
      .thenThrows(DirectoryError, 'ROLE_MISSING');
    given([])
      .when(request({ actor: authority }))
      .thenThrows(DirectoryError, 'ROLE_MISSING');
  });

  it('refuses requests for unknown, withdrawn or own entries', () => {
    given([])
      .when(request({ entry: null }))
      .thenThrows(DirectoryError, 'ENTRY_NOT_FOUND');
    given([])
      .when(request({ entry: { ...open, status: 'withdrawn' } }))
      .thenThrows(DirectoryError, 'ENTRY_WITHDRAWN');
    given([])
      .when(request({ actor: publisher }))
      .thenThrows(DirectoryError, 'OWN_DATASET');
  });

  it('grants with a scope and an expiry within the requested duration', () => {
    given([requested()]).when(grant()).then([granted()]);
  });

  it('refuses an expiry in the past or beyond the requested duration', () => {
    given([requested()]).when(grant(AT)).thenThrows(DirectoryError, 'EXPIRY_INVALID');
    given([requested()]).when(grant('2026-03-02T09:00:01Z')).thenThrows(DirectoryError, 'EXPIRY_INVALID');
    given([requested()]).when(grant('not a time')).thenThrows(DirectoryError, 'EXPIRY_INVALID');
  });

  it('lets only the owner decide, and only once', () => {
    given([requested()]).when(grant(undefined, stranger)).thenThrows(DirectoryError, 'NOT_OWNER');
    given([requested()]).when(deny(consumer)).thenThrows(DirectoryError, 'NOT_OWNER');
    given([requested(), granted()]).when(deny()).thenThrows(DirectoryError, 'REQUEST_NOT_PENDING');
    given([requested(), granted()]).when(grant()).thenThrows(DirectoryError, 'REQUEST_NOT_PENDING');
    given([]).when(grant()).thenThrows(DirectoryError, 'REQUEST_NOT_FOUND');
  });

  it('refuses granting access to an entry withdrawn since the request', () => {
    given([requested()])
      .when(grant(undefined, publisher, { ...open, status: 'withdrawn' }))
      .thenThrows(DirectoryError, 'ENTRY_WITHDRAWN');
  });

  it('denies with a reason', () => {
    given([requested()])
      .when(deny())
      .then([
        {
          type: 'AccessDenied',
          data: {
            requestId: REQUEST,
            entryId: ENTRY,
            reason: 'no legal basis',
            deniedAt: AT,
            deniedBy: 'TRANSPORT',
          },
        },
      ]);
  });

  it('revokes an active grant (owner or authority), and refuses a second revocation or an expired grant', () => {
    const revoked = (by: string) => ({
      type: 'AccessRevoked' as const,
      data: {
        requestId: REQUEST,
        grantId: GRANT,
        entryId: ENTRY,
        reason: 'purpose fulfilled',
        revokedAt: LATER,
        revokedBy: by,
      },
    });
    given([requested(), granted()])
      .when(revoke())
      .then([revoked('TRANSPORT')]);
    given([requested(), granted()])
      .when(revoke(authority))
      .then([revoked('AUTHORITY')]);
    given([requested(), granted()]).when(revoke(consumer)).thenThrows(DirectoryError, 'NOT_OWNER');
    given([requested(), granted(), revoked('TRANSPORT')])
      .when(revoke())
      .thenThrows(DirectoryError, 'GRANT_NOT_ACTIVE');
    // Time passed in: at the expiry instant the grant is over.
    given([requested(), granted(LATER)])
      .when(revoke(publisher, LATER))
      .thenThrows(DirectoryError, 'GRANT_NOT_ACTIVE');
    given([requested()]).when(revoke()).thenThrows(DirectoryError, 'GRANT_NOT_FOUND');
  });
});
