import type { Distribution, UpdateFrequency } from '../../domain/directory/catalog-metadata.js';
import type { CatalogEntryView } from '../../infrastructure/projections/catalog-read-model.js';

/**
 * The catalog as DCAT-AP 3 JSON-LD. Controlled vocabularies are the EU
 * Publications Office authority tables that DCAT-AP names (access-right,
 * frequency, data-theme, file-type); licences given as SPDX ids become SPDX
 * licence URIs. Paging follows the Hydra partial-collection view that
 * DCAT-AP implementations (ckanext-dcat among them) use.
 */

export const DCAT_CONTEXT = {
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  locn: 'http://www.w3.org/ns/locn#',
  spdx: 'http://spdx.org/rdf/terms#',
  owl: 'http://www.w3.org/2002/07/owl#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  hydra: 'http://www.w3.org/ns/hydra/core#',
  gsp: 'http://www.opengis.net/ont/geosparql#',
} as const;

const EU = 'http://publications.europa.eu/resource/authority';

const ACCESS_RIGHT: Record<string, string> = {
  public: `${EU}/access-right/PUBLIC`,
  restricted: `${EU}/access-right/RESTRICTED`,
  'non-public': `${EU}/access-right/NON_PUBLIC`,
};

const FREQUENCY: Record<UpdateFrequency, string> = {
  continuous: 'CONT',
  daily: 'DAILY',
  weekly: 'WEEKLY',
  biweekly: 'BIWEEKLY',
  monthly: 'MONTHLY',
  quarterly: 'QUARTERLY',
  semiannual: 'ANNUAL_2',
  annual: 'ANNUAL',
  irregular: 'IRREG',
  never: 'NEVER',
  unknown: 'UNKNOWN',
};

/** The EU data-theme vocabulary's codes (DCAT-AP's mandatory theme scheme). */
export const EU_THEMES: ReadonlySet<string> = new Set([
  'AGRI',
  'ECON',
  'EDUC',
  'ENER',
  'ENVI',
  'GOVE',
  'HEAL',
  'INTR',
  'JUST',
  'REGI',
  'SOCI',
  'TECH',
  'TRAN',
]);

const isUri = (text: string) => /^https?:\/\//.test(text);
const dateTime = (value: string) => ({ '@value': value, '@type': 'xsd:dateTime' });
const date = (value: string) => ({ '@value': value, '@type': 'xsd:date' });

function theme(value: string) {
  if (EU_THEMES.has(value.toUpperCase())) return { '@id': `${EU}/data-theme/${value.toUpperCase()}` };
  if (isUri(value)) return { '@id': value };
  return { '@type': 'skos:Concept', 'skos:prefLabel': value };
}

function license(value: string) {
  if (isUri(value)) return { '@id': value, '@type': 'dct:LicenseDocument' };
  // An SPDX identifier (CC-BY-4.0, OGL-UK-3.0…) has a stable SPDX licence URI.
  if (/^[A-Za-z0-9.+-]+$/.test(value))
    return { '@id': `http://spdx.org/licenses/${value}`, '@type': 'dct:LicenseDocument' };
  return { '@type': 'dct:LicenseDocument', 'rdfs:label': value };
}

/** EU file-type codes for the formats the directory commonly sees; others stay literals. */
function format(value: string) {
  const code = value.toUpperCase();
  if (/^[A-Z0-9_]+$/.test(code)) return { '@id': `${EU}/file-type/${code}` };
  return value;
}

export interface DcatLinks {
  readonly base: string;
  publisherName(identityId: string): string | undefined;
}

function entryUri(links: DcatLinks, entryId: string): string {
  return `${links.base}/v1/directory/entries/${entryId}`;
}

function declaredDistribution(entry: CatalogEntryView, d: Distribution, i: number, links: DcatLinks) {
  return {
    '@id': `${entryUri(links, entry.entryId)}#distribution-${i + 1}`,
    '@type': 'dcat:Distribution',
    ...(d.title === undefined ? {} : { 'dct:title': d.title }),
    ...(d.description === undefined ? {} : { 'dct:description': d.description }),
    'dct:format': format(d.format),
    ...(d.mediaType === undefined
      ? {}
      : { 'dcat:mediaType': { '@id': `http://www.iana.org/assignments/media-types/${d.mediaType}` } }),
    'dcat:accessURL': { '@id': d.accessUrl ?? entryUri(links, entry.entryId) },
    'dct:license': license(entry.metadata.license),
  };
}

/** The uploaded data as a distribution: Chancery's own access and download URLs, with the digest. */
function chanceryDistribution(entry: CatalogEntryView, links: DcatLinks) {
  const v = entry.latestVersion;
  if (v === null) return [];
  const uri = entryUri(links, entry.entryId);
  return [
    {
      '@id': `${uri}/versions/${v.version}`,
      '@type': 'dcat:Distribution',
      'dct:title': `Dataset version ${v.version}`,
      'dct:format': {
        '@id': `${EU}/file-type/${v.mediaType === 'application/json' ? 'JSON' : 'JSON_LINES'}`,
      },
      'dcat:mediaType': { '@id': `http://www.iana.org/assignments/media-types/${v.mediaType}` },
      'dcat:accessURL': { '@id': `${uri}/versions/latest/data` },
      'dcat:downloadURL': { '@id': `${uri}/versions/${v.version}/data` },
      'dcat:byteSize': { '@value': String(v.byteCount), '@type': 'xsd:nonNegativeInteger' },
      'spdx:checksum': {
        '@type': 'spdx:Checksum',
        'spdx:algorithm': { '@id': 'spdx:checksumAlgorithm_sha256' },
        'spdx:checksumValue': v.digest,
      },
      'dct:issued': dateTime(v.publishedAt),
      'dct:license': license(entry.metadata.license),
      'dct:conformsTo': { '@id': `${uri}/schema` },
      'dct:rights': { '@id': ACCESS_RIGHT[entry.metadata.accessRights] },
    },
  ];
}

/** One dcat:Dataset node (without @context). */
export function datasetNode(entry: CatalogEntryView, links: DcatLinks) {
  const m = entry.metadata;
  const uri = entryUri(links, entry.entryId);
  const name = links.publisherName(entry.publisherId);
  return {
    '@id': uri,
    '@type': 'dcat:Dataset',
    'dct:identifier': entry.entryId,
    'dct:title': m.title,
    'dct:description': m.description,
    ...(m.keywords.length === 0 ? {} : { 'dcat:keyword': m.keywords }),
    ...(m.themes.length === 0 ? {} : { 'dcat:theme': m.themes.map(theme) }),
    'dct:publisher': {
      '@id': `${links.base}/v1/identities/${entry.publisherId}`,
      '@type': 'foaf:Agent',
      'foaf:name': name ?? entry.publisherId,
      'dct:identifier': entry.publisherId,
    },
    ...(m.contactPoint === null
      ? {}
      : {
          'dcat:contactPoint': {
            '@type': 'vcard:Kind',
            'vcard:fn': m.contactPoint.name,
            ...(m.contactPoint.email === undefined
              ? {}
              : { 'vcard:hasEmail': { '@id': `mailto:${m.contactPoint.email}` } }),
            ...(m.contactPoint.url === undefined ? {} : { 'vcard:hasURL': { '@id': m.contactPoint.url } }),
          },
        }),
    'dct:accessRights': { '@id': ACCESS_RIGHT[m.accessRights] },
    ...(m.updateFrequency === null
      ? {}
      : { 'dct:accrualPeriodicity': { '@id': `${EU}/frequency/${FREQUENCY[m.updateFrequency]}` } }),
    ...(m.spatial === null
      ? {}
      : {
          'dct:spatial': {
            '@type': 'dct:Location',
            ...(m.spatial.uri === undefined ? {} : { '@id': m.spatial.uri }),
            ...(m.spatial.label === undefined ? {} : { 'skos:prefLabel': m.spatial.label }),
            ...(m.spatial.bbox === undefined
              ? {}
              : {
                  'dcat:bbox': {
                    '@value': bboxPolygon(m.spatial.bbox),
                    '@type': 'gsp:wktLiteral',
                  },
                }),
          },
        }),
    ...(m.temporal === null
      ? {}
      : {
          'dct:temporal': {
            '@type': 'dct:PeriodOfTime',
            ...(m.temporal.start === undefined ? {} : { 'dcat:startDate': date(m.temporal.start) }),
            ...(m.temporal.end === undefined ? {} : { 'dcat:endDate': date(m.temporal.end) }),
          },
        }),
    'dct:conformsTo': { '@id': `${uri}/schema`, '@type': 'dct:Standard' },
    'dct:issued': dateTime(entry.publishedAt),
    'dct:modified': dateTime(entry.modifiedAt),
    'owl:versionInfo': String(entry.metadataVersion),
    ...(entry.latestVersion === null ? {} : { 'dcat:version': String(entry.latestVersion.version) }),
    'dcat:distribution': [
      ...m.distributions.map((d, i) => declaredDistribution(entry, d, i, links)),
      ...chanceryDistribution(entry, links),
    ],
  };
}

function bboxPolygon([w, s, e, n]: [number, number, number, number]): string {
  return `POLYGON((${w} ${s},${e} ${s},${e} ${n},${w} ${n},${w} ${s}))`;
}

/** The JSON-LD view of one entry. */
export function datasetDocument(entry: CatalogEntryView, links: DcatLinks) {
  return {
    '@context': { ...DCAT_CONTEXT, rdfs: 'http://www.w3.org/2000/01/rdf-schema#' },
    ...datasetNode(entry, links),
  };
}

/** One page of the catalog, with Hydra paging links. */
export function catalogDocument(
  entries: readonly CatalogEntryView[],
  page: { page: number; pageSize: number; total: number },
  catalog: { title: string; publisherId: string },
  links: DcatLinks,
) {
  const base = `${links.base}/v1/catalog.jsonld`;
  const last = Math.max(1, Math.ceil(page.total / page.pageSize));
  const at = (n: number) => `${base}?page=${n}&pageSize=${page.pageSize}`;
  return {
    '@context': { ...DCAT_CONTEXT, rdfs: 'http://www.w3.org/2000/01/rdf-schema#' },
    '@id': base,
    '@type': 'dcat:Catalog',
    'dct:title': catalog.title,
    'dct:description': 'Datasets the departments of this network publish and share under grants.',
    'dct:publisher': {
      '@id': `${links.base}/v1/identities/${catalog.publisherId}`,
      '@type': 'foaf:Agent',
      'foaf:name': links.publisherName(catalog.publisherId) ?? catalog.publisherId,
    },
    'foaf:homepage': { '@id': `${links.base}/docs` },
    'dcat:dataset': entries.map((e) => datasetNode(e, links)),
    'hydra:view': {
      '@id': at(page.page),
      '@type': 'hydra:PartialCollectionView',
      'hydra:totalItems': page.total,
      'hydra:first': at(1),
      'hydra:last': at(last),
      ...(page.page > 1 ? { 'hydra:previous': at(page.page - 1) } : {}),
      ...(page.page < last ? { 'hydra:next': at(page.page + 1) } : {}),
    },
  };
}
