import type { CatalogDescription } from './catalog-description.js';
import type { CatalogMetadata } from './catalog-metadata.js';

/** Which versions a grant lets its holder fetch. */
export type GrantScope = { readonly versions: 'all' | 'latest' | number[] };

export interface CatalogEntryPublished {
  readonly type: 'CatalogEntryPublished';
  readonly data: {
    readonly entryId: string;
    readonly publisherId: string;
    readonly metadataVersion: 1;
    readonly metadata: CatalogMetadata;
    /** Hex SHA-256 of the RFC 8785 form of metadata.conformsTo: names the schema records are checked against. */
    readonly schemaDigest: string;
    readonly publishedAt: string;
  };
}

export interface CatalogEntryUpdated {
  readonly type: 'CatalogEntryUpdated';
  readonly data: {
    readonly entryId: string;
    readonly metadataVersion: number;
    readonly metadata: CatalogMetadata;
    readonly schemaDigest: string;
    readonly updatedAt: string;
    readonly updatedBy: string;
  };
}

export interface CatalogEntryWithdrawn {
  readonly type: 'CatalogEntryWithdrawn';
  readonly data: {
    readonly entryId: string;
    readonly reason: string;
    readonly withdrawnAt: string;
    readonly withdrawnBy: string;
  };
}

export type DatasetMediaType = 'application/json' | 'application/x-ndjson';

export interface DatasetVersionPublished {
  readonly type: 'DatasetVersionPublished';
  readonly data: {
    readonly entryId: string;
    /** 1, 2, 3… in upload order. */
    readonly version: number;
    /** Hex SHA-256 of the uploaded bytes: the blob's address and the signed Content-Digest. */
    readonly digest: string;
    readonly mediaType: DatasetMediaType;
    readonly recordCount: number;
    readonly byteCount: number;
    /** The schema every record was validated against. */
    readonly schemaDigest: string;
    readonly publishedAt: string;
    readonly publishedBy: string;
  };
}

export type CatalogEntryEvent =
  | CatalogEntryPublished
  | CatalogEntryUpdated
  | CatalogEntryWithdrawn
  | DatasetVersionPublished;

export interface AccessRequested {
  readonly type: 'AccessRequested';
  readonly data: {
    readonly requestId: string;
    readonly entryId: string;
    /** The entry's publisher when the request was made: the only department that may decide it. */
    readonly ownerId: string;
    readonly requesterId: string;
    readonly purpose: string;
    readonly durationSeconds: number;
    readonly requestedAt: string;
  };
}

export interface AccessGranted {
  readonly type: 'AccessGranted';
  readonly data: {
    readonly requestId: string;
    readonly grantId: string;
    readonly entryId: string;
    readonly requesterId: string;
    readonly scope: GrantScope;
    readonly expiresAt: string;
    readonly grantedAt: string;
    readonly grantedBy: string;
  };
}

export interface AccessDenied {
  readonly type: 'AccessDenied';
  readonly data: {
    readonly requestId: string;
    readonly entryId: string;
    readonly reason: string | null;
    readonly deniedAt: string;
    readonly deniedBy: string;
  };
}

export interface AccessRevoked {
  readonly type: 'AccessRevoked';
  readonly data: {
    readonly requestId: string;
    readonly grantId: string;
    readonly entryId: string;
    readonly reason: string;
    readonly revokedAt: string;
    readonly revokedBy: string;
  };
}

export type AccessEvent = AccessRequested | AccessGranted | AccessDenied | AccessRevoked;

export interface DatasetFetched {
  readonly type: 'DatasetFetched';
  readonly data: {
    readonly entryId: string;
    readonly version: number;
    readonly digest: string;
    readonly consumerId: string;
    /** The grant that allowed it; null for the publisher's own reads and signed reads of public data. */
    readonly grantId: string | null;
    readonly fetchedAt: string;
  };
}

export interface CatalogDescribed {
  readonly type: 'CatalogDescribed';
  readonly data: {
    /** 1, 2, 3… : each description replaces the previous one. */
    readonly revision: number;
    readonly description: CatalogDescription;
    readonly describedAt: string;
    readonly describedBy: string;
  };
}

export type DirectoryEvent = CatalogEntryEvent | AccessEvent | DatasetFetched | CatalogDescribed;

export const DIRECTORY_EVENT_TYPES = [
  'CatalogEntryPublished',
  'CatalogEntryUpdated',
  'CatalogEntryWithdrawn',
  'DatasetVersionPublished',
  'AccessRequested',
  'AccessGranted',
  'AccessDenied',
  'AccessRevoked',
  'DatasetFetched',
  'CatalogDescribed',
] as const satisfies readonly DirectoryEvent['type'][];

/** Metadata, versions and withdrawal of one entry: one stream, so versions number without gaps. */
export function catalogEntryStream(entryId: string): string {
  return `directory-entry-${entryId}`;
}

/** A request and, once decided, its grant or denial and the grant's revocation. */
export function accessRequestStream(requestId: string): string {
  return `directory-request-${requestId}`;
}

/**
 * Fetch records of one entry. Kept apart from the entry stream: reads are
 * frequent, decide nothing about the entry, and must not contend with its writes.
 */
export function fetchAuditStream(entryId: string): string {
  return `directory-audit-${entryId}`;
}

/** The catalog's own description: one stream for the whole catalog. */
export const CATALOG_STREAM = 'directory-catalog';
