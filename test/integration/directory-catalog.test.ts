import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Department, entryFields, PERSON_SCHEMA, publishEntry } from '../support/directory-fixtures.js';
import { startTestNode, type TestNode } from '../support/test-node.js';

/**
 * The catalog: publish, update (a new metadata version), withdraw, history,
 * full-text search with facet counts checked against a seeded catalog whose
 * counts are known, paging by rows/start and by cursor, and the DCAT-AP export.
 */

let t: TestNode;
let transport: Department;
let health: Department;
let finance: Department;

/** 24 entries: 3 publishers × 8, themes alternate, every third is public, formats CSV/JSON. */
const SEED = Array.from({ length: 24 }, (_, i) => ({
  publisher: i % 3,
  title: `${['Bridge', 'Clinic', 'Budget'][i % 3]} dataset ${i}${i % 4 === 0 ? ' water quality' : ''}`,
  themes: i % 2 === 0 ? ['TRAN'] : ['HEAL', 'ENVI'],
  accessRights: i % 3 === 0 ? 'public' : 'restricted',
  format: i % 4 === 0 ? 'csv' : 'JSON',
}));
const ids: string[] = [];

beforeAll(async () => {
  t = await startTestNode();
  transport = await t.issuer('TRANSPORT', [], ['publisher']);
  health = await t.issuer('HEALTH', [], ['publisher', 'consumer']);
  finance = await t.issuer('FINANCE', [], ['publisher']);
  const publishers = [transport, health, finance];
  for (const s of SEED) {
    ids.push(
      await publishEntry(t, publishers[s.publisher]!, {
        title: s.title,
        themes: s.themes,
        accessRights: s.accessRights,
        distributions: [{ format: s.format }],
        keywords: [],
      }),
    );
  }
});

afterAll(async () => {
  await t.close();
});

const search = async (query: string) => {
  const res = await t.get(`/v1/directory/search${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return JSON.parse(res.body);
};

describe('directory catalog', () => {
  it('publishes an entry readable with every DCAT-AP field and its schema', async () => {
    const entryId = await publishEntry(t, transport, {
      title: 'Bus stops',
      contactPoint: { name: 'Open data desk', email: 'data@transport.example' },
      spatial: { label: 'Province', bbox: [110, 34, 114, 40] },
      temporal: { start: '2020-01-01' },
    });
    const entry = JSON.parse((await t.get(`/v1/directory/entries/${entryId}`)).body);
    expect(entry).toMatchObject({
      entryId,
      publisherId: 'TRANSPORT',
      status: 'published',
      metadataVersion: 1,
      title: 'Bus stops',
      contactPoint: { name: 'Open data desk', email: 'data@transport.example' },
      spatial: { label: 'Province', bbox: [110, 34, 114, 40] },
      temporal: { start: '2020-01-01' },
      conformsTo: PERSON_SCHEMA,
      latestVersion: null,
    });
    expect(entry.schemaDigest).toMatch(/^[0-9a-f]{64}$/);
    const schema = await t.get(`/v1/directory/entries/${entryId}/schema`);
    expect(schema.headers['content-type']).toMatch(/^application\/schema\+json/);
    expect(JSON.parse(schema.body)).toEqual(PERSON_SCHEMA);
    // Withdraw it again so the seeded facet counts below stay exact.
    const withdrawn = await t.post(
      `/v1/directory/entries/${entryId}/withdraw`,
      t.sign(transport, 'WithdrawCatalogEntry', { entryId, reason: 'test entry' }),
    );
    expect(withdrawn.statusCode).toBe(200);
  });

  it('keeps every metadata version in the history, and a retried publish is a replay', async () => {
    const envelope = t.sign(
      health,
      'PublishCatalogEntry',
      entryFields({ title: 'Vaccination rates' }) as never,
    );
    const first = JSON.parse((await t.post('/v1/directory/entries', envelope)).body);
    const again = JSON.parse((await t.post('/v1/directory/entries', envelope)).body);
    expect(again).toMatchObject({ entryId: first.entryId, replayed: true });
    const { entryId } = first;
    const updated = await t.post(
      `/v1/directory/entries/${entryId}/update`,
      t.sign(
        health,
        'UpdateCatalogEntry',
        entryFields({ entryId, title: 'Vaccination rates by district' }) as never,
      ),
    );
    expect(JSON.parse(updated.body)).toMatchObject({ entryId, events: ['CatalogEntryUpdated'] });
    const history = JSON.parse((await t.get(`/v1/directory/entries/${entryId}/history`)).body);
    expect(
      history.items.map((h: { metadataVersion: number; title: string; event: string }) => [
        h.metadataVersion,
        h.event,
        h.title,
      ]),
    ).toEqual([
      [1, 'CatalogEntryPublished', 'Vaccination rates'],
      [2, 'CatalogEntryUpdated', 'Vaccination rates by district'],
    ]);
    expect(JSON.parse((await t.get(`/v1/directory/entries/${entryId}`)).body).metadataVersion).toBe(2);
    const withdrawn = await t.post(
      `/v1/directory/entries/${entryId}/withdraw`,
      t.sign(health, 'WithdrawCatalogEntry', { entryId, reason: 'test entry' }),
    );
    expect(withdrawn.statusCode).toBe(200);
    const entry = JSON.parse((await t.get(`/v1/directory/entries/${entryId}`)).body);
    expect(entry).toMatchObject({ status: 'withdrawn', withdrawalReason: 'test entry' });
    expect((await search('?q=Vaccination')).count).toBe(0);
  });

  it('counts facets over the seeded catalog exactly', async () => {
    const all = await search('?rows=0');
    expect(all.count).toBe(24);
    expect(all.results).toEqual([]);
    expect(all.facets.publisher).toEqual([
      { name: 'FINANCE', count: 8 },
      { name: 'HEALTH', count: 8 },
      { name: 'TRANSPORT', count: 8 },
    ]);
    expect(all.facets.theme).toEqual([
      { name: 'ENVI', count: 12 },
      { name: 'HEAL', count: 12 },
      { name: 'TRAN', count: 12 },
    ]);
    expect(all.facets.accessRights).toEqual([
      { name: 'restricted', count: 16 },
      { name: 'public', count: 8 },
    ]);
    expect(all.facets.format).toEqual([
      { name: 'JSON', count: 18 },
      { name: 'CSV', count: 6 },
    ]);
    expect(all.facets.license).toEqual([{ name: 'CC-BY-4.0', count: 24 }]);
  });

  it('counts facets over what a query and filters matched, not the whole catalog', async () => {
    // TRAN entries are the even ones; publisher 0 (TRANSPORT) are i % 3 = 0: i in {0, 6, 12, 18}.
    const filtered = await search('?theme=TRAN&publisher=TRANSPORT');
    expect(filtered.count).toBe(4);
    expect(filtered.facets.accessRights).toEqual([{ name: 'public', count: 4 }]);
    expect(filtered.facets.format).toEqual([
      { name: 'CSV', count: 2 },
      { name: 'JSON', count: 2 },
    ]);
    const text = await search('?q=%22water%20quality%22&facet.field=%5B%22publisher%22%5D');
    // i % 4 = 0: 0, 4, 8, 12, 16, 20 → publishers 0,1,2,0,1,2.
    expect(text.count).toBe(6);
    expect(Object.keys(text.facets)).toEqual(['publisher']);
    expect(text.facets.publisher.map((f: { count: number }) => f.count)).toEqual([2, 2, 2]);
    const ckan = await search('?fq=organization:HEALTH%20res_format:CSV');
    expect(ckan.count).toBe(2);
  });

  it('ranks title matches by bm25 and supports OR, exclusion and prefix', async () => {
    expect((await search('?q=Bridge%20OR%20Clinic')).count).toBe(16);
    expect((await search('?q=Bridge%20-water')).count).toBe(6);
    expect((await search('?q=Bud*')).count).toBe(8);
    const ranked = await search('?q=Clinic');
    expect(ranked.sort).toBe('score desc');
    expect(ranked.results[0].score).toBeGreaterThan(0);
  });

  it('pages with rows/start and with a cursor, and both walk the same order', async () => {
    const byStart: string[] = [];
    for (let start = 0; start < 24; start += 5) {
      const page = await search(`?sort=title_string%20asc&rows=5&start=${start}`);
      byStart.push(...page.results.map((r: { entryId: string }) => r.entryId));
    }
    const byCursor: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await search(`?sort=title%20asc&rows=7${cursor === null ? '' : `&cursor=${cursor}`}`);
      byCursor.push(...page.results.map((r: { entryId: string }) => r.entryId));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(byStart).toHaveLength(24);
    expect(byCursor).toEqual(byStart);
    expect(new Set(byStart)).toEqual(new Set(ids));
  });

  it('exports the catalog as paged DCAT-AP JSON-LD, and each dataset on its own', async () => {
    const page = await t.get('/v1/catalog.jsonld?pageSize=10&page=2');
    expect(page.headers['content-type']).toMatch(/^application\/ld\+json/);
    const doc = JSON.parse(page.body);
    expect(doc['@type']).toBe('dcat:Catalog');
    expect(doc['@context'].dcat).toBe('http://www.w3.org/ns/dcat#');
    expect(doc['dcat:dataset']).toHaveLength(10);
    expect(doc['hydra:view']).toMatchObject({
      'hydra:totalItems': 24,
      '@type': 'hydra:PartialCollectionView',
    });
    // Paging links are links (IRIs), not text.
    expect(doc['hydra:view']['hydra:next']['@id']).toMatch(/page=3&pageSize=10$/);
    const one = JSON.parse((await t.get(`/v1/directory/entries/${ids[0]}.jsonld`)).body);
    expect(one).toMatchObject({
      '@type': 'dcat:Dataset',
      'dct:identifier': ids[0],
      'dct:accessRights': { '@id': 'http://publications.europa.eu/resource/authority/access-right/PUBLIC' },
      'dcat:theme': [
        {
          '@id': 'http://publications.europa.eu/resource/authority/data-theme/TRAN',
          '@type': 'skos:Concept',
          'skos:prefLabel': { '@value': 'Transport', '@language': 'en' },
        },
      ],
      'dct:publisher': { 'foaf:name': 'TRANSPORT department' },
    });
    expect(one['dcat:distribution'][0]['dct:license']['@id']).toBe('http://spdx.org/licenses/CC-BY-4.0');
  });
});
