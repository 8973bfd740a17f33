import { EU } from './dcat-vocabularies.js';

/**
 * dct:format and dcat:mediaType. DCAT-AP takes dct:format from the EU
 * file-type table and dcat:mediaType from the IANA media-type registry, so:
 *
 * - A format is exported only when it names a file-type concept. The codes
 *   below are the part of the table the directory sees (the conformance test
 *   checks each against the table); a format outside it is left out of the
 *   export rather than minted as a concept the table does not have (the
 *   facet and the JSON API keep the publisher's word).
 * - Line-delimited JSON (NDJSON, JSON Lines) has no file-type concept and no
 *   IANA-registered media type (application/x-ndjson is an x- type, which
 *   RFC 6838 leaves unregistered). Its records are JSON texts, so it is
 *   exported as file-type JSON that conforms to JSON Lines (dct:conformsTo),
 *   the same way on a declared distribution and on an uploaded version.
 * - An x- media type is never exported as dcat:mediaType, for the same reason.
 */

/** The EU file-type codes this export uses. */
export const FILE_TYPES: ReadonlySet<string> = new Set([
  'CSV',
  'TSV',
  'JSON',
  'JSON_LD',
  'XML',
  'XLS',
  'XLSX',
  'ODS',
  'PDF',
  'HTML',
  'TXT',
  'ZIP',
  'GZIP',
  'TAR',
  'TAR_GZ',
  'RDF',
  'RDF_XML',
  'RDF_TURTLE',
  'RDF_N_TRIPLES',
  'RDF_N_QUADS',
  'RDF_TRIG',
  'SHP',
  'KML',
  'KMZ',
  'GML',
  'NETCDF',
  'DOC',
  'DOCX',
  'ODT',
  'PNG',
  'JPEG',
  'TIFF',
  'GIF',
  'SQL',
  'ATOM',
  'RSS',
]);

/** Common spellings of the same formats (after upper-casing and turning . and - into _). */
const ALIASES: Readonly<Record<string, string>> = {
  JSONLD: 'JSON_LD',
  TTL: 'RDF_TURTLE',
  TURTLE: 'RDF_TURTLE',
  NT: 'RDF_N_TRIPLES',
  N_TRIPLES: 'RDF_N_TRIPLES',
  NQ: 'RDF_N_QUADS',
  N_QUADS: 'RDF_N_QUADS',
  TRIG: 'RDF_TRIG',
  RDFXML: 'RDF_XML',
  JPG: 'JPEG',
  TIF: 'TIFF',
  GZ: 'GZIP',
  TGZ: 'TAR_GZ',
  NC: 'NETCDF',
};

/** Line-delimited JSON, under its usual names. */
const JSON_LINES: ReadonlySet<string> = new Set(['NDJSON', 'JSONL', 'JSON_LINES', 'JSONLINES', 'LDJSON']);

export const JSON_LINES_STANDARD = {
  '@id': 'https://jsonlines.org/',
  '@type': 'dct:Standard',
  'dct:title': 'JSON Lines (newline-delimited JSON)',
};

export interface FormatTerms {
  /** The file-type concept, when the format has one. */
  readonly format?: { '@id': string; '@type': 'dct:MediaTypeOrExtent'; 'skos:inScheme': { '@id': string } };
  /** Standards the bytes follow beyond the format (JSON Lines). */
  readonly conformsTo: readonly (typeof JSON_LINES_STANDARD)[];
}

function fileType(code: string): NonNullable<FormatTerms['format']> {
  return {
    '@id': `${EU}/file-type/${code}`,
    '@type': 'dct:MediaTypeOrExtent',
    'skos:inScheme': { '@id': `${EU}/file-type` },
  };
}

/** The DCAT-AP terms for a format as a publisher wrote it (CSV, csv, json-ld, NDJSON…). */
export function formatTerms(format: string): FormatTerms {
  const normal = format.toUpperCase().replace(/[.-]/g, '_');
  if (JSON_LINES.has(normal)) return { format: fileType('JSON'), conformsTo: [JSON_LINES_STANDARD] };
  const code = ALIASES[normal] ?? normal;
  return FILE_TYPES.has(code) ? { format: fileType(code), conformsTo: [] } : { conformsTo: [] };
}

/** The format terms of an uploaded version, by its media type. */
export function uploadFormatTerms(mediaType: 'application/json' | 'application/x-ndjson'): FormatTerms {
  return formatTerms(mediaType === 'application/json' ? 'JSON' : 'NDJSON');
}

/** dcat:mediaType for an IANA-registered type; undefined for an x- (unregistered) one. */
export function mediaTypeNode(mediaType: string) {
  const subtype = mediaType.slice(mediaType.indexOf('/') + 1);
  if (/^x[-.]/i.test(subtype)) return undefined;
  return { '@id': `http://www.iana.org/assignments/media-types/${mediaType}`, '@type': 'dct:MediaType' };
}
