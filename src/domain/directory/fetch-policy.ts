import type { ActorSnapshot } from '../shared/decider.js';
import type { AccessState } from './access-decider.js';
import type { CatalogEntryState, DatasetVersion } from './catalog-entry-decider.js';
import { DirectoryError } from './directory-error.js';
import type { DatasetFetched } from './events.js';

export interface FetchQuestion {
  readonly entryId: string;
  readonly entry: CatalogEntryState;
  /** A version number, or 'latest'. */
  readonly version: number | 'latest';
  /** The signed-in department, or null for an anonymous read. */
  readonly consumer: ActorSnapshot | null;
  /** The grant the consumer presents (folded from its request stream), if any. */
  readonly grant: { readonly grantId: string; readonly state: AccessState } | null;
  /** The signature's created time, already checked against the server clock. */
  readonly at: string;
}

export interface FetchAnswer {
  readonly version: DatasetVersion;
  /** The event to record before any byte leaves; null for anonymous reads of public data. */
  readonly event: DatasetFetched | null;
}

function resolveVersion(entry: Exclude<CatalogEntryState, { status: 'none' }>, wanted: number | 'latest') {
  const version =
    wanted === 'latest' ? entry.versions[entry.versions.length - 1] : entry.versions[wanted - 1];
  if (version === undefined) {
    throw new DirectoryError(
      'VERSION_NOT_FOUND',
      wanted === 'latest'
        ? `catalog entry ${entry.entryId} has no dataset version yet`
        : `catalog entry ${entry.entryId} has no version ${wanted}`,
    );
  }
  return version;
}

/**
 * Who may read which version of a dataset. Pure: the caller folds the entry
 * and grant streams and passes the signed time in. Public data is open to
 * anyone; the publisher reads its own data; everyone else needs a grant that
 * is theirs, for this entry, granted, unrevoked, unexpired at `at`, and whose
 * scope covers the version.
 */
export function authorizeFetch(q: FetchQuestion): FetchAnswer {
  const { entry } = q;
  if (entry.status === 'none')
    throw new DirectoryError('ENTRY_NOT_FOUND', `catalog entry ${q.entryId} does not exist`);
  if (entry.status === 'withdrawn')
    throw new DirectoryError('ENTRY_WITHDRAWN', `catalog entry ${q.entryId} is withdrawn`);
  if (q.consumer !== null && q.consumer.status !== 'active')
    throw new DirectoryError('ACTOR_REVOKED', `actor ${q.consumer.identityId} is revoked`);
  const version = resolveVersion(entry, q.version);
  const record = (consumerId: string, grantId: string | null): FetchAnswer => ({
    version,
    event: {
      type: 'DatasetFetched',
      data: {
        entryId: entry.entryId,
        version: version.version,
        digest: version.digest,
        consumerId,
        grantId,
        fetchedAt: q.at,
      },
    },
  });

  const isPublic = entry.metadata.accessRights === 'public';
  if (q.consumer === null) {
    if (isPublic) return { version, event: null };
    throw new DirectoryError(
      'ACCESS_NOT_GRANTED',
      `catalog entry ${q.entryId} is ${entry.metadata.accessRights}: sign the request`,
    );
  }
  const consumerId = q.consumer.identityId;
  if (consumerId === entry.publisherId) return record(consumerId, null);
  if (q.grant === null) {
    if (isPublic) return record(consumerId, null);
    throw new DirectoryError(
      'ACCESS_NOT_GRANTED',
      `${consumerId} holds no grant for catalog entry ${q.entryId}`,
    );
  }

  const { grantId, state } = q.grant;
  if (state.status !== 'granted' && state.status !== 'revoked')
    throw new DirectoryError('ACCESS_NOT_GRANTED', `grant ${grantId} does not exist`);
  if (state.grant.requesterId !== consumerId) {
    throw new DirectoryError(
      'GRANT_HOLDER_MISMATCH',
      `grant ${grantId} was given to ${state.grant.requesterId}, not ${consumerId}`,
    );
  }
  if (state.grant.entryId !== entry.entryId)
    throw new DirectoryError(
      'ACCESS_NOT_GRANTED',
      `grant ${grantId} is for ${state.grant.entryId}, not ${entry.entryId}`,
    );
  if (state.status === 'revoked') throw new DirectoryError('GRANT_REVOKED', `grant ${grantId} was revoked`);
  // !(at < expiresAt): NaN fails closed.
  if (!(Date.parse(q.at) < Date.parse(state.grant.expiresAt)))
    throw new DirectoryError('GRANT_EXPIRED', `grant ${grantId} expired at ${state.grant.expiresAt}`);
  const { versions } = state.grant.scope;
  const latest = entry.versions.length;
  const covered =
    versions === 'all' ||
    (versions === 'latest' ? version.version === latest : versions.includes(version.version));
  if (!covered) {
    throw new DirectoryError(
      'VERSION_NOT_IN_GRANT_SCOPE',
      `grant ${grantId} covers ${versions === 'latest' ? 'only the latest version' : `versions ${JSON.stringify(versions)}`}, not version ${version.version}`,
    );
  }
  return record(consumerId, grantId);
}
