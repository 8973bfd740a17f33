import type { ActorSnapshot } from '../shared/decider.js';
import type { CatalogDescription } from './catalog-description.js';
import type { CatalogMetadata } from './catalog-metadata.js';
import type { DatasetMediaType, GrantScope } from './events.js';

interface DirectoryCommandBase {
  readonly actor: ActorSnapshot;
  /** Signed time (issuedAt, or the HTTP signature's created), already checked against the server clock. */
  readonly at: string;
}

export interface PublishCatalogEntry extends DirectoryCommandBase {
  readonly type: 'PublishCatalogEntry';
  readonly entryId: string;
  readonly metadata: CatalogMetadata;
  readonly schemaDigest: string;
}

export interface UpdateCatalogEntry extends DirectoryCommandBase {
  readonly type: 'UpdateCatalogEntry';
  readonly entryId: string;
  readonly metadata: CatalogMetadata;
  readonly schemaDigest: string;
}

export interface WithdrawCatalogEntry extends DirectoryCommandBase {
  readonly type: 'WithdrawCatalogEntry';
  readonly entryId: string;
  readonly reason: string;
}

/** Built by the node after a streamed upload validated completely; the actor signed the upload. */
export interface PublishDatasetVersion extends DirectoryCommandBase {
  readonly type: 'PublishDatasetVersion';
  readonly entryId: string;
  readonly digest: string;
  readonly mediaType: DatasetMediaType;
  readonly recordCount: number;
  readonly byteCount: number;
  readonly schemaDigest: string;
}

export type CatalogEntryCommand =
  | PublishCatalogEntry
  | UpdateCatalogEntry
  | WithdrawCatalogEntry
  | PublishDatasetVersion;

/** The authority describes the catalog as a whole (one stream, directory-catalog). */
export interface DescribeCatalog extends DirectoryCommandBase {
  readonly type: 'DescribeCatalog';
  readonly description: CatalogDescription;
}

/** What the handler knows about the requested entry from the read model; null when there is none. */
export interface EntrySnapshot {
  readonly entryId: string;
  readonly publisherId: string;
  readonly status: 'published' | 'withdrawn';
}

export interface RequestAccess extends DirectoryCommandBase {
  readonly type: 'RequestAccess';
  readonly requestId: string;
  readonly entryId: string;
  readonly entry: EntrySnapshot | null;
  readonly purpose: string;
  readonly durationSeconds: number;
}

export interface GrantAccess extends DirectoryCommandBase {
  readonly type: 'GrantAccess';
  readonly requestId: string;
  readonly entry: EntrySnapshot | null;
  readonly scope: GrantScope;
  /** At most the requested duration after `at`; the client states it, so the signed command says it. */
  readonly expiresAt: string;
}

export interface DenyAccess extends DirectoryCommandBase {
  readonly type: 'DenyAccess';
  readonly requestId: string;
  readonly reason: string | null;
}

export interface RevokeGrant extends DirectoryCommandBase {
  readonly type: 'RevokeGrant';
  readonly requestId: string;
  readonly grantId: string;
  readonly reason: string;
}

export type AccessCommand = RequestAccess | GrantAccess | DenyAccess | RevokeGrant;
