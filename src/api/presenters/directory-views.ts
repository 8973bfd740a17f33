import type {
  CatalogEntryView,
  DatasetVersionView,
  MetadataVersionView,
} from '../../infrastructure/projections/catalog-read-model.js';
import type {
  AccessRequestView,
  FetchRecordView,
} from '../../infrastructure/projections/sharing-read-model.js';

/** The wire form of a dataset version (positions as decimal strings, as everywhere in the API). */
export function versionView(v: DatasetVersionView) {
  return { ...v, position: v.position.toString() };
}

/** The wire form of an entry; search results leave out conformsTo (GET the entry or its /schema for it). */
export function entryView(entry: CatalogEntryView, options: { withSchema: boolean } = { withSchema: true }) {
  const { conformsTo, ...metadata } = entry.metadata;
  return {
    entryId: entry.entryId,
    publisherId: entry.publisherId,
    status: entry.status,
    metadataVersion: entry.metadataVersion,
    ...metadata,
    ...(options.withSchema ? { conformsTo } : {}),
    schemaDigest: entry.schemaDigest,
    publishedAt: entry.publishedAt,
    modifiedAt: entry.modifiedAt,
    withdrawnAt: entry.withdrawnAt,
    withdrawalReason: entry.withdrawalReason,
    latestVersion: entry.latestVersion === null ? null : versionView(entry.latestVersion),
    position: entry.position.toString(),
  };
}

export function metadataVersionView(v: MetadataVersionView) {
  return {
    metadataVersion: v.metadataVersion,
    event: v.event,
    ...v.metadata,
    schemaDigest: v.schemaDigest,
    at: v.at,
    by: v.by,
    position: v.position.toString(),
  };
}

/**
 * A request with its grant. `active` says whether the grant can be used now:
 * granted, not revoked, and not past expiresAt by the node's clock.
 */
export function requestView(r: AccessRequestView, now: number) {
  const { createdPosition: _created, grantedPosition: _granted, revokedPosition: _revoked, ...rest } = r;
  return {
    ...rest,
    active: r.status === 'granted' && r.expiresAt !== null && now < Date.parse(r.expiresAt),
    position: r.position.toString(),
  };
}

export function fetchView(f: FetchRecordView) {
  return { ...f, position: f.position.toString() };
}
