import type { ActorSnapshot, Decider } from '../shared/decider.js';
import type { CatalogMetadata } from './catalog-metadata.js';
import type {
  CatalogEntryCommand,
  PublishCatalogEntry,
  PublishDatasetVersion,
  UpdateCatalogEntry,
  WithdrawCatalogEntry,
} from './commands.js';
import { DirectoryError } from './directory-error.js';
import { EU_LANGUAGE_CODES, unknownLanguages } from './eu-languages.js';
import type { CatalogEntryEvent, DatasetVersionPublished } from './events.js';

export type DatasetVersion = DatasetVersionPublished['data'];

export type CatalogEntryState =
  | { readonly status: 'none' }
  | {
      readonly status: 'published' | 'withdrawn';
      readonly entryId: string;
      readonly publisherId: string;
      readonly metadataVersion: number;
      readonly metadata: CatalogMetadata;
      readonly schemaDigest: string;
      readonly versions: readonly DatasetVersion[];
    };

function requireActive(actor: ActorSnapshot): void {
  if (actor.status !== 'active')
    throw new DirectoryError('ACTOR_REVOKED', `actor ${actor.identityId} is revoked`);
}

function requireExisting(
  state: CatalogEntryState,
  entryId: string,
): asserts state is Exclude<CatalogEntryState, { status: 'none' }> {
  if (state.status === 'none')
    throw new DirectoryError('ENTRY_NOT_FOUND', `catalog entry ${entryId} does not exist`);
}

function requireCoherentCoverage(metadata: CatalogMetadata): void {
  const { temporal } = metadata;
  // YYYY-MM-DD dates order correctly as text.
  if (temporal?.start !== undefined && temporal.end !== undefined && temporal.end < temporal.start) {
    throw new DirectoryError(
      'COVERAGE_INVALID',
      `temporal coverage ends (${temporal.end}) before it starts (${temporal.start})`,
    );
  }
}

/** dct:language must name a concept of the EU language table; see eu-languages.ts. */
export function requireKnownLanguages(languages: readonly string[]): void {
  const unknown = unknownLanguages(languages);
  if (unknown.length > 0) {
    throw new DirectoryError(
      'LANGUAGE_UNKNOWN',
      `language ${unknown.join(', ')} is not an EU language authority code this node accepts; allowed: ${[...EU_LANGUAGE_CODES].join(', ')}`,
    );
  }
}

function requireOwner(state: { publisherId: string; entryId: string }, actor: ActorSnapshot): void {
  if (state.publisherId !== actor.identityId) {
    throw new DirectoryError(
      'NOT_OWNER',
      `catalog entry ${state.entryId} belongs to ${state.publisherId}, not ${actor.identityId}`,
    );
  }
}

function requirePublished(state: { status: string; entryId: string }): void {
  if (state.status === 'withdrawn')
    throw new DirectoryError('ENTRY_WITHDRAWN', `catalog entry ${state.entryId} is withdrawn`);
}

/**
 * Whether `actor` may upload a dataset version to the entry now. The upload
 * route asks before it reads a byte of the body; the decider asks again when
 * the validated version is appended.
 */
export function assertUploadable(
  state: CatalogEntryState,
  actor: ActorSnapshot,
  entryId: string,
): asserts state is Exclude<CatalogEntryState, { status: 'none' }> {
  requireActive(actor);
  requireExisting(state, entryId);
  requireOwner(state, actor);
  requirePublished(state);
}

function decidePublishCatalogEntry(
  command: PublishCatalogEntry,
  state: CatalogEntryState,
): CatalogEntryEvent[] {
  if (state.status !== 'none') {
    throw new DirectoryError('ENTRY_ALREADY_EXISTS', `catalog entry ${command.entryId} already exists`);
  }
  if (!command.actor.roles.includes('publisher')) {
    throw new DirectoryError('ROLE_MISSING', `actor ${command.actor.identityId} lacks the publisher role`);
  }
  requireCoherentCoverage(command.metadata);
  requireKnownLanguages(command.metadata.languages);
  return [
    {
      type: 'CatalogEntryPublished',
      data: {
        entryId: command.entryId,
        publisherId: command.actor.identityId,
        metadataVersion: 1,
        metadata: command.metadata,
        schemaDigest: command.schemaDigest,
        publishedAt: command.at,
      },
    },
  ];
}

function decideUpdateCatalogEntry(
  command: UpdateCatalogEntry,
  state: CatalogEntryState,
): CatalogEntryEvent[] {
  requireExisting(state, command.entryId);
  requireOwner(state, command.actor);
  requirePublished(state);
  requireCoherentCoverage(command.metadata);
  requireKnownLanguages(command.metadata.languages);
  return [
    {
      type: 'CatalogEntryUpdated',
      data: {
        entryId: command.entryId,
        metadataVersion: state.metadataVersion + 1,
        metadata: command.metadata,
        schemaDigest: command.schemaDigest,
        updatedAt: command.at,
        updatedBy: command.actor.identityId,
      },
    },
  ];
}

function decideWithdrawCatalogEntry(
  command: WithdrawCatalogEntry,
  state: CatalogEntryState,
): CatalogEntryEvent[] {
  requireExisting(state, command.entryId);
  // The authority may take an entry down (e.g. published in error by a department that is gone).
  if (!command.actor.roles.includes('authority')) requireOwner(state, command.actor);
  requirePublished(state);
  return [
    {
      type: 'CatalogEntryWithdrawn',
      data: {
        entryId: command.entryId,
        reason: command.reason,
        withdrawnAt: command.at,
        withdrawnBy: command.actor.identityId,
      },
    },
  ];
}

function decidePublishDatasetVersion(
  command: PublishDatasetVersion,
  state: CatalogEntryState,
): CatalogEntryEvent[] {
  assertUploadable(state, command.actor, command.entryId);
  // The records were checked against the schema the upload started with; an update in between voids that.
  if (command.schemaDigest !== state.schemaDigest) {
    throw new DirectoryError(
      'SCHEMA_CHANGED',
      `the schema of ${command.entryId} changed while the upload was validated; upload again`,
    );
  }
  const latest = state.versions[state.versions.length - 1];
  // The same bytes under the same schema again is a retry, not a new version.
  if (
    latest !== undefined &&
    latest.digest === command.digest &&
    latest.schemaDigest === command.schemaDigest
  )
    return [];
  return [
    {
      type: 'DatasetVersionPublished',
      data: {
        entryId: command.entryId,
        version: state.versions.length + 1,
        digest: command.digest,
        mediaType: command.mediaType,
        recordCount: command.recordCount,
        byteCount: command.byteCount,
        schemaDigest: command.schemaDigest,
        publishedAt: command.at,
        publishedBy: command.actor.identityId,
      },
    },
  ];
}

/**
 * One catalog entry: its metadata versions, its dataset versions and its
 * withdrawal. Publishing needs the `publisher` role; only the publishing
 * department changes the entry afterwards, except that the authority may
 * withdraw it.
 */
export const catalogEntryDecider: Decider<CatalogEntryCommand, CatalogEntryEvent, CatalogEntryState> = {
  initialState: () => ({ status: 'none' }),

  evolve(state, event) {
    switch (event.type) {
      case 'CatalogEntryPublished': {
        const d = event.data;
        return {
          status: 'published',
          entryId: d.entryId,
          publisherId: d.publisherId,
          metadataVersion: d.metadataVersion,
          metadata: d.metadata,
          schemaDigest: d.schemaDigest,
          versions: [],
        };
      }
      case 'CatalogEntryUpdated':
        if (state.status === 'none') return state;
        return {
          ...state,
          metadataVersion: event.data.metadataVersion,
          metadata: event.data.metadata,
          schemaDigest: event.data.schemaDigest,
        };
      case 'CatalogEntryWithdrawn':
        return state.status === 'none' ? state : { ...state, status: 'withdrawn' };
      case 'DatasetVersionPublished':
        return state.status === 'none' ? state : { ...state, versions: [...state.versions, event.data] };
    }
  },

  decide(command, state) {
    requireActive(command.actor);
    switch (command.type) {
      case 'PublishCatalogEntry':
        return decidePublishCatalogEntry(command, state);
      case 'UpdateCatalogEntry':
        return decideUpdateCatalogEntry(command, state);
      case 'WithdrawCatalogEntry':
        return decideWithdrawCatalogEntry(command, state);
      case 'PublishDatasetVersion':
        return decidePublishDatasetVersion(command, state);
    }
  },
};
