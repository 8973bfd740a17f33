import type { SpatialCoverage } from './catalog-metadata.js';

/**
 * Agent types of the ADMS publisher-type vocabulary (http://purl.org/adms/publishertype/1.0),
 * which DCAT-AP recommends as dct:type of a publisher. The conformance test
 * checks each against the vocabulary.
 */
export const PUBLISHER_TYPES = [
  'Academia-ScientificOrganisation',
  'Company',
  'IndustryConsortium',
  'LocalAuthority',
  'NationalAuthority',
  'NonGovernmentalOrganisation',
  'NonProfitOrganisation',
  'PrivateIndividual(s)',
  'RegionalAuthority',
  'StandardisationBody',
  'SupraNationalAuthority',
] as const;
export type PublisherType = (typeof PUBLISHER_TYPES)[number];

/** A SKOS concept scheme the catalog's themes may come from (dcat:themeTaxonomy), besides the EU data themes. */
export interface ThemeTaxonomy {
  readonly uri: string;
  readonly title: string;
}

/**
 * What the authority says about the catalog as a whole (dcat:Catalog): what
 * harvesters look for beside the datasets. Every field is optional; a new
 * description replaces the previous one.
 */
export interface CatalogDescription {
  /** dct:title; null keeps the node's default ("{origin} data directory"). */
  readonly title: string | null;
  readonly description: string | null;
  /** dct:language of the catalog's metadata, EU language authority codes. */
  readonly languages: string[];
  /** dct:license of the catalog's metadata: a licence URI or SPDX id. */
  readonly license: string | null;
  readonly spatial: SpatialCoverage | null;
  /** Extra theme taxonomies; the EU data-theme scheme and the catalog's own are always listed. */
  readonly themeTaxonomies: ThemeTaxonomy[];
  /** dct:type of the publishing agents (the authority and the departments). */
  readonly publisherType: PublisherType | null;
}
