import type { CatalogMetadata } from '../../../src/domain/directory/catalog-metadata.js';
import { entryIdFor, grantIdFor, requestIdFor } from '../../../src/domain/directory/directory-ids.js';
import type {
  AccessGranted,
  AccessRequested,
  CatalogEntryPublished,
  DatasetVersionPublished,
} from '../../../src/domain/directory/events.js';
import type { ActorSnapshot } from '../../../src/domain/shared/decider.js';

export const AT = '2026-03-01T09:00:00Z';
export const LATER = '2026-03-01T10:00:00Z';
export const ENTRY = entryIdFor('TRANSPORT', 'cmd-publish-1');
export const REQUEST = requestIdFor('HEALTH', 'cmd-request-1');
export const GRANT = grantIdFor(REQUEST);
export const SCHEMA_DIGEST = 'c'.repeat(64);

export const actor = (
  identityId: string,
  roles: string[],
  status: 'active' | 'revoked' = 'active',
): ActorSnapshot => ({
  identityId,
  roles,
  accreditations: [],
  status,
});
export const publisher = actor('TRANSPORT', ['publisher']);
export const consumer = actor('HEALTH', ['consumer']);
export const stranger = actor('FINANCE', ['consumer']);
export const authority = actor('AUTHORITY', ['authority']);

export function metadata(overrides: Partial<CatalogMetadata> = {}): CatalogMetadata {
  return {
    title: 'Road traffic counts',
    description: 'Hourly counts',
    keywords: ['traffic'],
    themes: ['TRAN'],
    contactPoint: null,
    license: 'CC-BY-4.0',
    accessRights: 'restricted',
    updateFrequency: 'monthly',
    languages: [],
    spatial: null,
    temporal: null,
    distributions: [],
    conformsTo: { type: 'object' },
    ...overrides,
  };
}

export function published(overrides: Partial<CatalogMetadata> = {}): CatalogEntryPublished {
  return {
    type: 'CatalogEntryPublished',
    data: {
      entryId: ENTRY,
      publisherId: 'TRANSPORT',
      metadataVersion: 1,
      metadata: metadata(overrides),
      schemaDigest: SCHEMA_DIGEST,
      publishedAt: AT,
    },
  };
}

export function versionPublished(
  version: number,
  digest = String(version).repeat(64).slice(0, 64),
): DatasetVersionPublished {
  return {
    type: 'DatasetVersionPublished',
    data: {
      entryId: ENTRY,
      version,
      digest,
      mediaType: 'application/x-ndjson',
      recordCount: 10,
      byteCount: 100,
      schemaDigest: SCHEMA_DIGEST,
      publishedAt: AT,
      publishedBy: 'TRANSPORT',
    },
  };
}

export function requested(durationSeconds = 86_400): AccessRequested {
  return {
    type: 'AccessRequested',
    data: {
      requestId: REQUEST,
      entryId: ENTRY,
      ownerId: 'TRANSPORT',
      requesterId: 'HEALTH',
      purpose: 'epidemiology of road accidents',
      durationSeconds,
      requestedAt: AT,
    },
  };
}

export function granted(
  expiresAt = '2026-03-02T09:00:00Z',
  versions: 'all' | 'latest' | number[] = 'all',
): AccessGranted {
  return {
    type: 'AccessGranted',
    data: {
      requestId: REQUEST,
      grantId: GRANT,
      entryId: ENTRY,
      requesterId: 'HEALTH',
      scope: { versions },
      expiresAt,
      grantedAt: AT,
      grantedBy: 'TRANSPORT',
    },
  };
}
