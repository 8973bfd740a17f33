import type { Distribution } from '../../domain/directory/catalog-metadata.js';
import type {
  CatalogEntryView,
  DatasetVersionView,
} from '../../infrastructure/projections/catalog-read-model.js';
import { formatTerms, mediaTypeNode, uploadFormatTerms } from './dcat-formats.js';
import { licenceNode } from './dcat-vocabularies.js';

export const dateTime = (value: string) => ({ '@value': value, '@type': 'xsd:dateTime' });

/** The entry's record schema: dct:conformsTo of the dataset and of its uploaded versions. */
function recordSchema(entryUri: string) {
  return { '@id': `${entryUri}/schema`, '@type': 'dct:Standard' };
}

/** A distribution the publisher declared (a file or service elsewhere). */
export function declaredDistribution(entry: CatalogEntryView, entryUri: string, d: Distribution, i: number) {
  const { format, conformsTo } = formatTerms(d.format);
  const media = d.mediaType === undefined ? undefined : mediaTypeNode(d.mediaType);
  return {
    '@id': `${entryUri}#distribution-${i + 1}`,
    '@type': 'dcat:Distribution',
    ...(d.title === undefined ? {} : { 'dct:title': d.title }),
    ...(d.description === undefined ? {} : { 'dct:description': d.description }),
    ...(format === undefined ? {} : { 'dct:format': format }),
    ...(media === undefined ? {} : { 'dcat:mediaType': media }),
    ...(conformsTo.length === 0 ? {} : { 'dct:conformsTo': conformsTo }),
    'dcat:accessURL': { '@id': d.accessUrl ?? entryUri },
    'dct:license': licenceNode(entry.metadata.license, entryUri),
  };
}

function versionDescription(v: DatasetVersionView): string {
  const encoding =
    v.mediaType === 'application/json'
      ? 'a JSON array of records'
      : 'newline-delimited JSON (one record per line)';
  return (
    `Version ${v.version} of the dataset as uploaded to the directory: ${v.recordCount} records in ` +
    `${encoding}, each valid against the entry's JSON Schema (dct:conformsTo). The bytes are ` +
    `addressed by their SHA-256 (spdx:checksum), and the upload is a leaf of the directory's Merkle log.`
  );
}

/** The latest uploaded version: Chancery's own download URL, with its digest and size. */
export function versionDistribution(entry: CatalogEntryView, entryUri: string) {
  const v = entry.latestVersion;
  if (v === null) return [];
  const { format, conformsTo } = uploadFormatTerms(v.mediaType);
  const media = mediaTypeNode(v.mediaType);
  const uri = `${entryUri}/versions/${v.version}`;
  const data = { '@id': `${uri}/data` };
  return [
    {
      '@id': uri,
      '@type': 'dcat:Distribution',
      'dct:title': `Dataset version ${v.version}`,
      'dct:description': versionDescription(v),
      ...(format === undefined ? {} : { 'dct:format': format }),
      ...(media === undefined ? {} : { 'dcat:mediaType': media }),
      'dcat:accessURL': data,
      'dcat:downloadURL': data,
      'dcat:byteSize': { '@value': String(v.byteCount), '@type': 'xsd:nonNegativeInteger' },
      'spdx:checksum': {
        '@id': `${uri}#checksum`,
        '@type': 'spdx:Checksum',
        'spdx:algorithm': { '@id': 'spdx:checksumAlgorithm_sha256', '@type': 'spdx:ChecksumAlgorithm' },
        'spdx:checksumValue': { '@value': v.digest, '@type': 'xsd:hexBinary' },
      },
      'dct:issued': dateTime(v.publishedAt),
      'dct:license': licenceNode(entry.metadata.license, entryUri),
      'dct:conformsTo': [recordSchema(entryUri), ...conformsTo],
    },
  ];
}

export { recordSchema };
