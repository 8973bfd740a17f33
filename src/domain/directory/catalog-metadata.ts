import type { JsonObject } from '../shared/json.js';

/** DCAT-AP access rights, as the EU access-right vocabulary names them (PUBLIC, RESTRICTED, NON_PUBLIC). */
export const ACCESS_RIGHTS = ['public', 'restricted', 'non-public'] as const;
export type AccessRights = (typeof ACCESS_RIGHTS)[number];

/** dct:accrualPeriodicity, mapped to the EU frequency vocabulary in the DCAT export. */
export const UPDATE_FREQUENCIES = [
  'continuous',
  'daily',
  'weekly',
  'biweekly',
  'monthly',
  'quarterly',
  'semiannual',
  'annual',
  'irregular',
  'never',
  'unknown',
] as const;
export type UpdateFrequency = (typeof UPDATE_FREQUENCIES)[number];

export interface ContactPoint {
  readonly name: string;
  readonly email?: string;
  readonly url?: string;
}

export interface SpatialCoverage {
  /** A location URI (e.g. a GeoNames or EU place URI). */
  readonly uri?: string;
  readonly label?: string;
  /** [west, south, east, north] in WGS 84 degrees. */
  readonly bbox?: [number, number, number, number];
}

export interface TemporalCoverage {
  /** YYYY-MM-DD; either end may be open. */
  readonly start?: string;
  readonly end?: string;
}

export interface Distribution {
  readonly title?: string;
  /** File format, e.g. CSV, JSON, NDJSON (upper case in facets). */
  readonly format: string;
  readonly mediaType?: string;
  readonly accessUrl?: string;
  readonly description?: string;
}

/**
 * What a department says about a dataset, aligned with DCAT-AP 3 (dcat:Dataset).
 * The publisher is not a field: it is the department that signed the command.
 */
export interface CatalogMetadata {
  readonly title: string;
  readonly description: string;
  readonly keywords: string[];
  readonly themes: string[];
  readonly contactPoint: ContactPoint | null;
  readonly license: string;
  readonly accessRights: AccessRights;
  readonly updateFrequency: UpdateFrequency | null;
  /** dct:language: EU language authority codes (ENG, FRA, ZHO…), see eu-languages.ts. */
  readonly languages: string[];
  readonly spatial: SpatialCoverage | null;
  readonly temporal: TemporalCoverage | null;
  readonly distributions: Distribution[];
  /** JSON Schema (2020-12) of the dataset's records; the API has checked it against the meta-schema. */
  readonly conformsTo: JsonObject;
}

export const METADATA_FIELDS = [
  'title',
  'description',
  'keywords',
  'themes',
  'contactPoint',
  'license',
  'accessRights',
  'updateFrequency',
  'languages',
  'spatial',
  'temporal',
  'distributions',
  'conformsTo',
] as const satisfies readonly (keyof CatalogMetadata)[];

/**
 * Metadata as an event recorded it, with the fields added since filled in.
 * Events are immutable history: one written before `languages` existed has
 * none, and reads (the read model, the export) see an empty list.
 */
export function withMetadataDefaults(recorded: CatalogMetadata): CatalogMetadata {
  const languages = (recorded as Partial<CatalogMetadata>).languages;
  return languages === undefined ? { ...recorded, languages: [] } : recorded;
}
