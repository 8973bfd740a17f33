import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DCAT_AP_SKIP_REASON,
  describeResult,
  expectConformant,
  validateDcatAp,
} from '../support/dcat-ap-validation.js';
import { type Department, entryFields, ndjson, publishEntry, upload } from '../support/directory-fixtures.js';
import { startTestNode, type TestNode } from '../support/test-node.js';

/**
 * DCAT-AP 3 conformance: a harvester trusts what the official shapes accept.
 * Departments publish varied entries through the real API (every access
 * right, several licences and frequencies, EU and free-text themes, spatial
 * and temporal coverage, contact points, languages, declared distributions of
 * known, unknown and line-delimited formats, uploaded versions as NDJSON and
 * as JSON), the authority describes the catalog, and every page of
 * /v1/catalog.jsonld and every /v1/directory/entries/{id}.jsonld is turned
 * into RDF by jsonld (nothing fetched) and validated by rdf-validate-shacl
 * against the DCAT-AP 3.0.1 split shapes with the EU vocabularies: no
 * sh:Violation. The warnings that remain are the documented ones
 * (docs/directory.md, "DCAT-AP conformance"), and no others.
 */

let t: TestNode;
let transport: Department;
let health: Department;
let finance: Department;
const entries: string[] = [];

async function jsonld(url: string): Promise<object> {
  const res = await t.get(url);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/ld\+json/);
  return JSON.parse(res.body) as object;
}

/** Every page of the catalog and every entry document. */
async function exportAll(pageSize: number): Promise<object[]> {
  const first = (await jsonld(`/v1/catalog.jsonld?pageSize=${pageSize}`)) as {
    'hydra:view': { 'hydra:totalItems': number };
  };
  const total = first['hydra:view']['hydra:totalItems'];
  const pages: object[] = [first];
  for (let page = 2; page <= Math.ceil(total / pageSize); page++)
    pages.push(await jsonld(`/v1/catalog.jsonld?pageSize=${pageSize}&page=${page}`));
  const docs = await Promise.all(entries.map((id) => jsonld(`/v1/directory/entries/${id}.jsonld`)));
  return [...pages, ...docs, await jsonld('/v1/directory/themes')];
}

beforeAll(async () => {
  t = await startTestNode();
  transport = await t.issuer('TRANSPORT', [], ['publisher']);
  health = await t.issuer('HEALTH', [], ['publisher', 'consumer']);
  finance = await t.issuer('FINANCE', [], ['publisher']);
});

afterAll(async () => {
  await t.close();
});

describe.skipIf(DCAT_AP_SKIP_REASON !== undefined)('DCAT-AP 3.0.1 conformance of the catalog export', () => {
  it('publishes varied entries and exports a catalog with no violation', async () => {
    const bus = await publishEntry(t, transport, {
      title: 'Bus stops',
      accessRights: 'public',
      license: 'CC0-1.0',
      themes: ['TRAN', 'road safety'],
      keywords: ['bus', 'stops'],
      updateFrequency: 'daily',
      languages: ['ENG', 'ZHO'],
      contactPoint: {
        name: 'Open data desk',
        email: 'data@transport.example',
        url: 'https://transport.example/contact',
      },
      spatial: {
        uri: 'https://sws.geonames.org/1808520/',
        label: 'Henan',
        bbox: [110.35, 31.38, 116.65, 36.37],
      },
      temporal: { start: '2020-01-01', end: '2025-12-31' },
      distributions: [
        {
          format: 'csv',
          mediaType: 'text/csv',
          title: 'Stops as CSV',
          description: 'One row per stop',
          accessUrl: 'https://transport.example/stops.csv',
        },
        { format: 'NDJSON', mediaType: 'application/x-ndjson' },
        { format: 'json-ld' },
        { format: 'FOO' },
      ],
    });
    const clinics = await publishEntry(t, health, {
      title: 'Clinic waiting times',
      accessRights: 'restricted',
      license: 'ODbL-1.0',
      themes: [
        'http://publications.europa.eu/resource/authority/data-theme/HEAL',
        'http://eurovoc.europa.eu/2448',
      ],
      updateFrequency: 'weekly',
      languages: ['FRA'],
      spatial: { bbox: [-10, 35, 30, 60] },
      temporal: { start: '2024-01-01' },
      distributions: [],
    });
    const budget = await publishEntry(t, finance, {
      title: 'Budget lines',
      accessRights: 'non-public',
      license: 'https://finance.example/licence',
      themes: ['econ'],
      keywords: [],
      updateFrequency: 'semiannual',
      spatial: { uri: 'http://publications.europa.eu/resource/authority/country/CHN' },
      distributions: [
        { format: 'XLSX', mediaType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
      ],
    });
    const staff = await publishEntry(t, finance, {
      title: 'Staff directory',
      license: 'Licence of the province, article 4',
      themes: [],
      updateFrequency: 'irregular',
      spatial: { label: 'Whole province' },
    });
    const oldStyle = await publishEntry(
      t,
      transport,
      entryFields({ title: 'Road works', updateFrequency: 'never' }),
    );
    entries.push(bus, clinics, budget, staff, oldStyle);

    const records = [
      { id: 1, name: 'Ada', age: 36 },
      { id: 2, name: 'Grace', age: 45 },
    ];
    expect((await upload(t, transport, bus, ndjson(records))).statusCode).toBe(201);
    expect((await upload(t, health, clinics, JSON.stringify(records), 'application/json')).statusCode).toBe(
      201,
    );
    const updated = await t.post(
      `/v1/directory/entries/${budget}/update`,
      t.sign(finance, 'UpdateCatalogEntry', {
        ...entryFields({
          title: 'Budget lines by programme',
          accessRights: 'non-public',
          license: 'CC-BY-SA-4.0',
        }),
        entryId: budget,
      } as never),
    );
    expect(updated.statusCode, updated.body).toBe(200);

    const report = await validateDcatAp(await exportAll(2));
    expectConformant(report);
    // Two uploads: two checksums (a catalog page and the entry's document name the same one).
    expect(report.knownShapeBug).toHaveLength(2);
  });

  it('states what harvesters look for on the catalog once the authority describes it', async () => {
    const described = await t.post(
      '/v1/directory/catalog',
      t.sign(t.authority, 'DescribeCatalog', {
        title: 'Province data directory',
        description: 'Datasets of the province departments.',
        languages: ['ENG', 'ZHO'],
        license: 'CC-BY-4.0',
        spatial: { uri: 'https://sws.geonames.org/1808520/', bbox: [110.35, 31.38, 116.65, 36.37] },
        themeTaxonomies: [{ uri: 'http://eurovoc.europa.eu/100141', title: 'EuroVoc' }],
        publisherType: 'RegionalAuthority',
      }),
    );
    expect(described.statusCode, described.body).toBe(200);
    const catalog = (await jsonld('/v1/catalog.jsonld')) as Record<string, unknown> & { '@id': string };
    expect(catalog).toMatchObject({
      'dct:title': 'Province data directory',
      'dct:language': [
        { '@id': 'http://publications.europa.eu/resource/authority/language/ENG' },
        { '@id': 'http://publications.europa.eu/resource/authority/language/ZHO' },
      ],
      'dct:license': { '@id': 'http://spdx.org/licenses/CC-BY-4.0' },
      'dct:publisher': { 'dct:type': { '@id': 'http://purl.org/adms/publishertype/RegionalAuthority' } },
      'dct:issued': { '@type': 'xsd:dateTime' },
      'dct:modified': { '@type': 'xsd:dateTime' },
    });
    const taxonomies = (catalog['dcat:themeTaxonomy'] as { '@id': string }[]).map((s) => s['@id']);
    expect(taxonomies).toEqual([
      'http://publications.europa.eu/resource/authority/data-theme',
      catalog['@id'].replace('/v1/catalog.jsonld', '/v1/directory/themes'),
      'http://eurovoc.europa.eu/100141',
    ]);
    const report = await validateDcatAp(await exportAll(100));
    expectConformant(report);
    // Nothing recommended is missing on the catalog any more.
    const missing = report.warnings.filter(
      (w) => w.focusNode === catalog['@id'] && w.component.endsWith('#MinCountConstraintComponent'),
    );
    expect(missing.map(describeResult)).toEqual([]);
  });

  it('finds the violations of the mapping it replaced, so a pass means something', async () => {
    const [entryId] = entries;
    const doc = (await jsonld(`/v1/directory/entries/${entryId}.jsonld`)) as Record<string, unknown>;
    const distributions = doc['dcat:distribution'] as Record<string, unknown>[];
    const version = distributions[distributions.length - 1]!;
    const broken = {
      ...doc,
      // The old export: a free-text theme as a blank concept, a plain-string checksum,
      // an access-right concept as dct:rights, and undeclared range classes.
      'dcat:theme': { '@type': 'skos:Concept', 'skos:prefLabel': 'road safety' },
      'dct:accessRights': { '@id': 'http://publications.europa.eu/resource/authority/access-right/PUBLIC' },
      'dcat:distribution': [
        {
          ...version,
          'spdx:checksum': {
            '@type': 'spdx:Checksum',
            'spdx:algorithm': { '@id': 'spdx:checksumAlgorithm_sha256' },
            'spdx:checksumValue': 'abc',
          },
          'dct:rights': { '@id': 'http://publications.europa.eu/resource/authority/access-right/PUBLIC' },
          'dct:format': { '@id': 'http://publications.europa.eu/resource/authority/file-type/JSON_LINES' },
        },
      ],
    };
    const report = await validateDcatAp([broken]);
    const found = new Set(report.violations.map((v) => `${v.path} ${v.component.split('#')[1]}`));
    expect([...found].sort()).toEqual(
      [
        'http://purl.org/dc/terms/accessRights ClassConstraintComponent',
        'http://purl.org/dc/terms/format ClassConstraintComponent',
        'http://purl.org/dc/terms/format NodeConstraintComponent',
        'http://purl.org/dc/terms/rights ClassConstraintComponent',
        'http://spdx.org/rdf/terms#checksumValue DatatypeConstraintComponent',
        'http://www.w3.org/ns/dcat#theme NodeKindConstraintComponent',
      ].sort(),
    );
  });

  it('refuses a document that would need the network: the context must be inline', async () => {
    const remote = { '@context': 'https://www.w3.org/ns/dcat.jsonld', '@id': 'urn:x', '@type': 'Dataset' };
    const error = (await validateDcatAp([remote]).catch((e: unknown) => e)) as {
      details?: { cause?: Error };
    };
    expect(error).toBeInstanceOf(Error);
    expect(error.details?.cause?.message).toBe(
      'the export must not need https://www.w3.org/ns/dcat.jsonld: its context is inline',
    );
  });
});
