import type { CatalogDescription, PublisherType } from '../../domain/directory/catalog-description.js';
import type {
  ContactPoint,
  SpatialCoverage,
  TemporalCoverage,
} from '../../domain/directory/catalog-metadata.js';
import type { CatalogDates, CatalogEntryView } from '../../infrastructure/projections/catalog-read-model.js';
import { dateTime, declaredDistribution, recordSchema, versionDistribution } from './dcat-distributions.js';
import {
  accessRightNode,
  EU_THEME_SCHEME,
  euThemeCode,
  euThemeNode,
  frequencyNode,
  languageNode,
  licenceNode,
  publisherTypeNode,
} from './dcat-vocabularies.js';

/**
 * The catalog as DCAT-AP 3 JSON-LD, conformant to the DCAT-AP 3.0.1 SHACL
 * shapes (docs/directory.md, "DCAT-AP conformance"). Controlled vocabularies
 * are the EU Publications Office tables DCAT-AP names and the ADMS types,
 * declared inline (dcat-vocabularies.ts); formats follow dcat-formats.ts.
 * The context is inline, so a consumer needs no network to read a document.
 * Paging follows the Hydra partial-collection view that DCAT-AP
 * implementations (ckanext-dcat among them) use.
 */

export const DCAT_CONTEXT = {
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  locn: 'http://www.w3.org/ns/locn#',
  spdx: 'http://spdx.org/rdf/terms#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  hydra: 'http://www.w3.org/ns/hydra/core#',
  gsp: 'http://www.opengis.net/ont/geosparql#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
} as const;

const date = (value: string) => ({ '@value': value, '@type': 'xsd:date' });

export interface DcatLinks {
  readonly base: string;
  publisherName(identityId: string): string | undefined;
}

/** What the export needs to know about the catalog beside its entries. */
export interface CatalogContext {
  /** The node's default title, used when the description has none. */
  readonly title: string;
  readonly publisherId: string;
  readonly description: CatalogDescription | null;
}

function entryUri(links: DcatLinks, entryId: string): string {
  return `${links.base}/v1/directory/entries/${entryId}`;
}

/** The catalog's own theme scheme: themes that are not EU data themes are its concepts. */
export function localThemeScheme(links: DcatLinks): string {
  return `${links.base}/v1/directory/themes`;
}

const catalogTitle = (catalog: CatalogContext) => catalog.description?.title ?? catalog.title;

function localThemeSchemeNode(catalog: CatalogContext, links: DcatLinks) {
  return {
    '@id': localThemeScheme(links),
    '@type': 'skos:ConceptScheme',
    'dct:title': `${catalogTitle(catalog)}: themes`,
  };
}

/**
 * dcat:theme must be a skos:Concept IRI with a label. An EU data-theme code or
 * URI is that concept; any other theme (a label, or another taxonomy's URI,
 * which the export cannot label) is a concept of the catalog's own scheme,
 * labelled with what the publisher wrote, and an exactMatch of a given URI.
 */
function themeNode(theme: string, links: DcatLinks) {
  const code = euThemeCode(theme);
  if (code !== undefined) return euThemeNode(code);
  const scheme = localThemeScheme(links);
  return {
    '@id': `${scheme}#${encodeURIComponent(theme)}`,
    '@type': 'skos:Concept',
    'skos:prefLabel': theme,
    'skos:inScheme': { '@id': scheme },
    ...(/^https?:\/\//.test(theme) ? { 'skos:exactMatch': { '@id': theme } } : {}),
  };
}

function agentNode(links: DcatLinks, identityId: string, type: PublisherType | null) {
  return {
    '@id': `${links.base}/v1/identities/${identityId}`,
    '@type': 'foaf:Agent',
    'foaf:name': links.publisherName(identityId) ?? identityId,
    'dct:identifier': identityId,
    ...(type === null ? {} : { 'dct:type': publisherTypeNode(type) }),
  };
}

function contactNode(contact: ContactPoint, owner: string) {
  return {
    '@id': `${owner}#contact-point`,
    '@type': 'vcard:Kind',
    'vcard:fn': contact.name,
    ...(contact.email === undefined ? {} : { 'vcard:hasEmail': { '@id': `mailto:${contact.email}` } }),
    ...(contact.url === undefined ? {} : { 'vcard:hasURL': { '@id': contact.url } }),
  };
}

/** WKT wants plain decimals: no exponent, whatever the number. */
const decimal = (x: number) => x.toFixed(7).replace(/\.?0+$/, '');

function centroid([w, s, e, n]: readonly number[]): string {
  // A box across the antimeridian (west > east) is centred across it too.
  let lon = w! <= e! ? (w! + e!) / 2 : (w! + e! + 360) / 2;
  if (lon > 180) lon -= 360;
  return `POINT(${decimal(lon)} ${decimal((s! + n!) / 2)})`;
}

function polygon([w, s, e, n]: readonly number[]): string {
  const [W, S, E, N] = [w!, s!, e!, n!].map(decimal);
  return `POLYGON((${W} ${S},${E} ${S},${E} ${N},${W} ${N},${W} ${S}))`;
}

/**
 * dct:spatial: the named place as its own IRI (shared by every entry that
 * names it, so nothing entry-specific is said about it), and the label and
 * bounding box (with its centroid) on a location of the entry's own.
 * The entry's own nodes have IRIs under the entry's (#spatial, #temporal…):
 * a harvester that merges a catalog page with the entry's document must still
 * see one bounding box, not two (dcat:bbox has at most one value).
 */
function spatialNodes(spatial: SpatialCoverage, owner: string) {
  const wkt = (value: string) => ({ '@value': value, '@type': 'gsp:wktLiteral' });
  const nodes: object[] = [];
  if (spatial.uri !== undefined) nodes.push({ '@id': spatial.uri, '@type': 'dct:Location' });
  if (spatial.label !== undefined || spatial.bbox !== undefined) {
    nodes.push({
      '@id': `${owner}#spatial`,
      '@type': 'dct:Location',
      ...(spatial.label === undefined ? {} : { 'skos:prefLabel': spatial.label }),
      ...(spatial.bbox === undefined
        ? {}
        : { 'dcat:bbox': wkt(polygon(spatial.bbox)), 'dcat:centroid': wkt(centroid(spatial.bbox)) }),
    });
  }
  return nodes;
}

function temporalNode(temporal: TemporalCoverage, owner: string) {
  return {
    '@id': `${owner}#temporal`,
    '@type': 'dct:PeriodOfTime',
    ...(temporal.start === undefined ? {} : { 'dcat:startDate': date(temporal.start) }),
    ...(temporal.end === undefined ? {} : { 'dcat:endDate': date(temporal.end) }),
  };
}

/** One dcat:Dataset node (without @context). */
export function datasetNode(entry: CatalogEntryView, links: DcatLinks, publisherType: PublisherType | null) {
  const m = entry.metadata;
  const uri = entryUri(links, entry.entryId);
  const optional = <T>(value: T | null, key: string, node: (v: T, owner: string) => unknown) =>
    value === null ? {} : { [key]: node(value, uri) };
  return {
    '@id': uri,
    '@type': 'dcat:Dataset',
    'dct:identifier': entry.entryId,
    'dct:title': m.title,
    'dct:description': m.description,
    ...(m.keywords.length === 0 ? {} : { 'dcat:keyword': m.keywords }),
    ...(m.themes.length === 0
      ? {}
      : { 'dcat:theme': [...new Set(m.themes)].map((t) => themeNode(t, links)) }),
    'dct:publisher': agentNode(links, entry.publisherId, publisherType),
    ...optional(m.contactPoint, 'dcat:contactPoint', contactNode),
    'dct:accessRights': accessRightNode(m.accessRights),
    ...optional(m.updateFrequency, 'dct:accrualPeriodicity', frequencyNode),
    ...(m.languages.length === 0 ? {} : { 'dct:language': m.languages.map(languageNode) }),
    ...optional(m.spatial, 'dct:spatial', spatialNodes),
    ...optional(m.temporal, 'dct:temporal', temporalNode),
    'dct:conformsTo': recordSchema(uri),
    'dct:issued': dateTime(entry.publishedAt),
    'dct:modified': dateTime(entry.modifiedAt),
    ...(entry.latestVersion === null ? {} : { 'dcat:version': String(entry.latestVersion.version) }),
    'dcat:distribution': [
      ...m.distributions.map((d, i) => declaredDistribution(entry, uri, d, i)),
      ...versionDistribution(entry, uri),
    ],
  };
}

/** The JSON-LD view of one entry. */
export function datasetDocument(
  entry: CatalogEntryView,
  links: DcatLinks,
  description: CatalogDescription | null,
) {
  return { '@context': DCAT_CONTEXT, ...datasetNode(entry, links, description?.publisherType ?? null) };
}

/** dcat:themeTaxonomy: the EU data themes, the catalog's own scheme, and those the authority named. */
function themeTaxonomies(catalog: CatalogContext, links: DcatLinks) {
  const own = localThemeSchemeNode(catalog, links);
  const named = (catalog.description?.themeTaxonomies ?? [])
    .filter((t) => t.uri !== EU_THEME_SCHEME['@id'] && t.uri !== own['@id'])
    .map((t) => ({ '@id': t.uri, '@type': 'skos:ConceptScheme', 'dct:title': t.title }));
  return [EU_THEME_SCHEME, own, ...named];
}

/** The dcat:Catalog node's own properties: what the authority described, and the catalog's dates. */
function catalogProperties(catalog: CatalogContext, dates: CatalogDates, links: DcatLinks) {
  const d = catalog.description;
  return {
    'dct:title': catalogTitle(catalog),
    'dct:description':
      d?.description ?? 'Datasets the departments of this network publish and share under grants.',
    'dct:publisher': agentNode(links, catalog.publisherId, d?.publisherType ?? null),
    'foaf:homepage': { '@id': `${links.base}/docs`, '@type': 'foaf:Document' },
    ...(dates.issued === null ? {} : { 'dct:issued': dateTime(dates.issued) }),
    ...(dates.modified === null ? {} : { 'dct:modified': dateTime(dates.modified) }),
    ...(d === null || d.languages.length === 0 ? {} : { 'dct:language': d.languages.map(languageNode) }),
    ...(d?.license == null ? {} : { 'dct:license': licenceNode(d.license, catalogIri(links)) }),
    ...(d?.spatial == null ? {} : { 'dct:spatial': spatialNodes(d.spatial, catalogIri(links)) }),
    'dcat:themeTaxonomy': themeTaxonomies(catalog, links),
  };
}

const catalogIri = (links: DcatLinks) => `${links.base}/v1/catalog.jsonld`;

/** One page of the catalog, with Hydra paging links. */
export function catalogDocument(
  entries: readonly CatalogEntryView[],
  page: { page: number; pageSize: number; total: number },
  catalog: CatalogContext,
  dates: CatalogDates,
  links: DcatLinks,
) {
  const base = catalogIri(links);
  const last = Math.max(1, Math.ceil(page.total / page.pageSize));
  const at = (n: number) => ({ '@id': `${base}?page=${n}&pageSize=${page.pageSize}` });
  const publisherType = catalog.description?.publisherType ?? null;
  return {
    '@context': DCAT_CONTEXT,
    '@id': base,
    '@type': 'dcat:Catalog',
    ...catalogProperties(catalog, dates, links),
    'dcat:dataset': entries.map((e) => datasetNode(e, links, publisherType)),
    'hydra:view': {
      ...at(page.page),
      '@type': 'hydra:PartialCollectionView',
      'hydra:totalItems': page.total,
      'hydra:first': at(1),
      'hydra:last': at(last),
      ...(page.page > 1 ? { 'hydra:previous': at(page.page - 1) } : {}),
      ...(page.page < last ? { 'hydra:next': at(page.page + 1) } : {}),
    },
  };
}

/** The catalog's own theme scheme as a document: its IRI dereferences to the concepts it holds. */
export function themeSchemeDocument(themes: readonly string[], catalog: CatalogContext, links: DcatLinks) {
  return {
    '@context': DCAT_CONTEXT,
    ...localThemeSchemeNode(catalog, links),
    'skos:hasTopConcept': themes.filter((t) => euThemeCode(t) === undefined).map((t) => themeNode(t, links)),
  };
}
