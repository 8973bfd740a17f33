import { describe, it } from 'vitest';
import { catalogEntryDecider } from '../../../src/domain/directory/catalog-entry-decider.js';
import type { CatalogEntryCommand } from '../../../src/domain/directory/commands.js';
import { DirectoryError } from '../../../src/domain/directory/directory-error.js';
import { DeciderSpecification } from '../../support/decider-specification.js';
import {
  AT,
  authority,
  consumer,
  ENTRY,
  LATER,
  metadata,
  published,
  publisher,
  SCHEMA_DIGEST,
  versionPublished,
} from './directory-fixtures.js';

const given = DeciderSpecification.for(catalogEntryDecider);

const publish = (overrides: Partial<Extract<CatalogEntryCommand, { type: 'PublishCatalogEntry' }>> = {}) =>
  ({
    type: 'PublishCatalogEntry',
    actor: publisher,
    at: AT,
    entryId: ENTRY,
    metadata: metadata(),
    schemaDigest: SCHEMA_DIGEST,
    ...overrides,
  }) as const;
const update = (actor = publisher, schemaDigest = 'd'.repeat(64)) =>
  ({
    type: 'UpdateCatalogEntry',
    actor,
    at: LATER,
    entryId: ENTRY,
    metadata: metadata({ title: 'Road traffic counts (hourly)' }),
    schemaDigest,
  }) as const;
const withdraw = (actor = publisher) =>
  ({ type: 'WithdrawCatalogEntry', actor, at: LATER, entryId: ENTRY, reason: 'superseded' }) as const;
const upload = (digest = 'e'.repeat(64), schemaDigest = SCHEMA_DIGEST, actor = publisher) =>
  ({
    type: 'PublishDatasetVersion',
    actor,
    at: LATER,
    entryId: ENTRY,
    digest,
    mediaType: 'application/x-ndjson',
    recordCount: 3,
    byteCount: 42,
    schemaDigest,
  }) as const;

describe('catalog entry decider', () => {
  it('publishes an entry as metadata version 1 of the signing department', () => {
    given([]).when(publish()).then([published()]);
  });

  it('refuses publishing without the publisher role', () => {
    given([])
      .when(publish({ actor: consumer }))
      .thenThrows(DirectoryError, 'ROLE_MISSING');
  });

  it('refuses publishing by a revoked department', () => {
    given([])
      .when(publish({ actor: { ...publisher, status: 'revoked' } }))
      .thenThrows(DirectoryError, 'ACTOR_REVOKED');
  });

  it('refuses a temporal coverage that ends before it starts', () => {
    given([])
      .when(publish({ metadata: metadata({ temporal: { start: '2026-01-01', end: '2025-01-01' } }) }))
      .thenThrows(DirectoryError, 'COVERAGE_INVALID');
  });

  it('refuses publishing the same entry twice', () => {
    given([published()]).when(publish()).thenThrows(DirectoryError, 'ENTRY_ALREADY_EXISTS');
  });

  it('records an update as the next metadata version', () => {
    given([published()])
      .when(update())
      .then([
        {
          type: 'CatalogEntryUpdated',
          data: {
            entryId: ENTRY,
            metadataVersion: 2,
            metadata: metadata({ title: 'Road traffic counts (hourly)' }),
            schemaDigest: 'd'.repeat(64),
            updatedAt: LATER,
            updatedBy: 'TRANSPORT',
          },
        },
      ]);
  });

  it('refuses an update by another department, even the authority', () => {
    given([published()]).when(update(consumer)).thenThrows(DirectoryError, 'NOT_OWNER');
    given([published()]).when(update(authority)).thenThrows(DirectoryError, 'NOT_OWNER');
  });

  it('refuses updating an unknown or withdrawn entry', () => {
    given([]).when(update()).thenThrows(DirectoryError, 'ENTRY_NOT_FOUND');
    given([
      published(),
      {
        type: 'CatalogEntryWithdrawn',
        data: { entryId: ENTRY, reason: 'x', withdrawnAt: LATER, withdrawnBy: 'TRANSPORT' },
      },
    ])
      .when(update())
      .thenThrows(DirectoryError, 'ENTRY_WITHDRAWN');
  });

  it('lets the publisher or the authority withdraw, once', () => {
    const withdrawn = (by: string) => ({
      type: 'CatalogEntryWithdrawn' as const,
      data: { entryId: ENTRY, reason: 'superseded', withdrawnAt: LATER, withdrawnBy: by },
    });
    given([published()])
      .when(withdraw())
      .then([withdrawn('TRANSPORT')]);
    given([published()])
      .when(withdraw(authority))
      .then([withdrawn('AUTHORITY')]);
    given([published()]).when(withdraw(consumer)).thenThrows(DirectoryError, 'NOT_OWNER');
    given([published(), withdrawn('TRANSPORT')])
      .when(withdraw())
      .thenThrows(DirectoryError, 'ENTRY_WITHDRAWN');
  });

  it('numbers dataset versions 1, 2, … in upload order', () => {
    given([published()])
      .when(upload())
      .then([
        {
          type: 'DatasetVersionPublished',
          data: {
            ...versionPublished(1, 'e'.repeat(64)).data,
            recordCount: 3,
            byteCount: 42,
            publishedAt: LATER,
          },
        },
      ]);
    given([published(), versionPublished(1), versionPublished(2)])
      .when(upload())
      .then([
        {
          type: 'DatasetVersionPublished',
          data: {
            ...versionPublished(3, 'e'.repeat(64)).data,
            recordCount: 3,
            byteCount: 42,
            publishedAt: LATER,
          },
        },
      ]);
  });

  it('treats the same bytes under the same schema as a retry: nothing happens', () => {
    given([published(), versionPublished(1, 'e'.repeat(64))])
      .when(upload())
      .thenNothingHappened();
  });

  it('refuses a version validated against a schema the entry no longer has', () => {
    given([published()])
      .when(upload('e'.repeat(64), 'f'.repeat(64)))
      .thenThrows(DirectoryError, 'SCHEMA_CHANGED');
  });

  it('refuses uploads by another department', () => {
    given([published()])
      .when(upload('e'.repeat(64), SCHEMA_DIGEST, consumer))
      .thenThrows(DirectoryError, 'NOT_OWNER');
  });
});
