import type { CatalogMetadata } from '../../domain/directory/catalog-metadata.js';

/** The facets search counts, and the field of the metadata each one reads. */
export const FACETS = ['publisher', 'theme', 'keyword', 'accessRights', 'license', 'format'] as const;
export type Facet = (typeof FACETS)[number];

/** The facet values one entry contributes; formats and licences are upper-cased so CSV and csv count once. */
export function facetValues(publisherId: string, metadata: CatalogMetadata): [Facet, string][] {
  const pairs: [Facet, string][] = [
    ['publisher', publisherId],
    ['accessRights', metadata.accessRights],
    ['license', metadata.license],
  ];
  for (const theme of new Set(metadata.themes)) pairs.push(['theme', theme]);
  for (const keyword of new Set(metadata.keywords.map((k) => k.toLowerCase())))
    pairs.push(['keyword', keyword]);
  for (const format of new Set(metadata.distributions.map((d) => d.format.toUpperCase())))
    pairs.push(['format', format]);
  return pairs;
}
