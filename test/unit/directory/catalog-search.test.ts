import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { CatalogMetadata } from '../../../src/domain/directory/catalog-metadata.js';
import type { RecordedEvent } from '../../../src/infrastructure/eventstore/port.js';
import { FacetIndex } from '../../../src/infrastructure/projections/catalog-facet-index.js';
import { parseQuery } from '../../../src/infrastructure/projections/catalog-query.js';
import {
  CatalogReadModel,
  FACETS,
  type Facet,
} from '../../../src/infrastructure/projections/catalog-read-model.js';
import {
  type CatalogSearch,
  type CatalogSearchResult,
  SORTS,
  type SortName,
  searchCatalog,
} from '../../../src/infrastructure/projections/catalog-search.js';
import {
  type NodeDatabase,
  openNodeDatabase,
} from '../../../src/infrastructure/projections/node-database.js';
import { metadata } from './directory-fixtures.js';

/**
 * Search computes what matched in memory (FTS5 rowids, then the facet index)
 * and walks an order for the page. Checked here against the plain SQL it
 * replaced — count and facet counts by GROUP BY over directory_facets, the
 * page by ORDER BY over the join — on catalogs built by random publishes,
 * updates and withdrawals, with the facet index loaded before, between and
 * after them.
 */

const WORDS = ['traffic', 'water', 'school', 'budget', 'river', 'tax'];
const PUBLISHERS = ['TRANSPORT', 'HEALTH', 'FINANCE'];
const THEMES = ['TRAN', 'HEAL', 'ECON', 'ENVI'];
const KEYWORDS = ['roads', 'Roads', 'bus', 'air', 'tax'];
const FORMATS = ['csv', 'CSV', 'JSON', 'xlsx'];

const dbs: NodeDatabase[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

function fresh(): { db: NodeDatabase; catalog: CatalogReadModel } {
  const db = openNodeDatabase(':memory:');
  dbs.push(db);
  const catalog = new CatalogReadModel(db);
  catalog.migrate(db);
  return { db, catalog };
}

const meta = fc.record({
  title: fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 3 }).map((w) => w.join(' ')),
  keywords: fc.uniqueArray(fc.constantFrom(...KEYWORDS), { maxLength: 3 }),
  themes: fc.uniqueArray(fc.constantFrom(...THEMES), { minLength: 1, maxLength: 2 }),
  license: fc.constantFrom('CC-BY-4.0', 'CC0-1.0'),
  accessRights: fc.constantFrom('public', 'restricted', 'non-public' as const),
  formats: fc.uniqueArray(fc.constantFrom(...FORMATS), { maxLength: 2 }),
});
type Meta = typeof meta extends fc.Arbitrary<infer T> ? T : never;

const op = fc.oneof(
  fc.record({ kind: fc.constant('publish' as const), publisher: fc.nat(2), meta }),
  fc.record({ kind: fc.constant('update' as const), entry: fc.nat(40), meta }),
  fc.record({ kind: fc.constant('withdraw' as const), entry: fc.nat(40) }),
  fc.record({ kind: fc.constant('load' as const) }),
);

function toMetadata(m: Meta): CatalogMetadata {
  return metadata({
    title: m.title,
    description: `about ${m.title}`,
    keywords: m.keywords,
    themes: m.themes,
    license: m.license,
    accessRights: m.accessRights,
    distributions: m.formats.map((format) => ({ format })),
  });
}

function play(catalog: CatalogReadModel, ops: (typeof op extends fc.Arbitrary<infer T> ? T : never)[]): void {
  const entries: { id: string; publisher: string; version: number }[] = [];
  let position = 0n;
  const at = () => new Date(Date.UTC(2026, 0, 1) + Number(position) * 60_000).toISOString();
  const apply = (type: string, data: object) =>
    catalog.apply({
      stream: 's',
      revision: 0n,
      position: ++position,
      type,
      recordedAt: at(),
      metadata: null,
      data,
    } as RecordedEvent);
  for (const o of ops) {
    if (o.kind === 'load') catalog.facetIndex();
    else if (o.kind === 'publish') {
      const entry = { id: `ent_${entries.length}`, publisher: PUBLISHERS[o.publisher]!, version: 1 };
      entries.push(entry);
      apply('CatalogEntryPublished', {
        entryId: entry.id,
        publisherId: entry.publisher,
        metadataVersion: 1,
        metadata: toMetadata(o.meta),
        schemaDigest: 'c'.repeat(64),
        publishedAt: at(),
      });
    } else {
      const entry = entries[o.entry % Math.max(1, entries.length)];
      if (entry === undefined) continue;
      if (o.kind === 'update')
        apply('CatalogEntryUpdated', {
          entryId: entry.id,
          metadataVersion: ++entry.version,
          metadata: toMetadata(o.meta),
          schemaDigest: 'c'.repeat(64),
          updatedAt: at(),
          updatedBy: entry.publisher,
        });
      else
        apply('CatalogEntryWithdrawn', {
          entryId: entry.id,
          reason: 'gone',
          withdrawnAt: at(),
          withdrawnBy: 'X',
        });
    }
  }
}

/** The SQL search computed count, facets and page before the facet index: the reference. */
function reference(db: NodeDatabase, search: CatalogSearch) {
  const params: Record<string, string | number> = {};
  const where = ["e.status = 'published'"];
  let from = 'directory_entries e';
  const { match, exclude } = search.query;
  if (match !== null) {
    params['match'] = match;
    from = `(SELECT rowid AS seq, bm25(directory_fts, 10.0, 1.0, 5.0, 3.0, 2.0) AS score FROM directory_fts
      WHERE directory_fts MATCH @match) f JOIN directory_entries e ON e.seq = f.seq`;
  }
  if (exclude !== null) {
    params['exclude'] = exclude;
    where.push('e.seq NOT IN (SELECT rowid FROM directory_fts WHERE directory_fts MATCH @exclude)');
  }
  search.filters.forEach(([facet, value], i) => {
    params[`ff${i}`] = facet;
    params[`fv${i}`] = value;
    where.push(`e.seq IN (SELECT seq FROM directory_facets WHERE facet = @ff${i} AND value = @fv${i})`);
  });
  const matched = `FROM ${from} WHERE ${where.join(' AND ')}`;
  const count = (db.prepare(`SELECT count(*) AS n ${matched}`).get(params) as { n: number }).n;
  const rows = db
    .prepare(
      `SELECT facet, value, count(*) AS n FROM directory_facets WHERE seq IN (SELECT e.seq ${matched}) GROUP BY facet, value`,
    )
    .all(params) as { facet: Facet; value: string; n: number }[];
  const facets: Record<string, { name: string; count: number }[]> = {};
  for (const f of search.facets) facets[f] = [];
  for (const r of rows) facets[r.facet]?.push({ name: r.value, count: r.n });
  for (const f of search.facets)
    facets[f] = facets[f]!.sort(
      (a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    ).slice(0, search.facetLimit);
  const sort = SORTS[search.sort];
  const dir = sort.descending ? 'DESC' : 'ASC';
  const page = db
    .prepare(
      `SELECT e.entry_id AS id ${matched} ORDER BY ${sort.column} ${dir}, e.seq ${dir} LIMIT ${search.rows} OFFSET ${search.start}`,
    )
    .pluck()
    .all(params) as string[];
  return { count, facets, page };
}

function shape(result: CatalogSearchResult) {
  return { count: result.count, facets: result.facets, page: result.results.map((r) => r.entry.entryId) };
}

const query = fc.record({
  q: fc.oneof(
    fc.constant(''),
    fc.constantFrom(...WORDS),
    fc.constantFrom('traffic OR river', 'water -tax', '-school', 'bud*', 'title:river', 'keywords:roads'),
  ),
  filters: fc.uniqueArray(
    fc.oneof(
      fc.constantFrom(...PUBLISHERS).map((v) => ['publisher', v] as const),
      fc.constantFrom(...THEMES).map((v) => ['theme', v] as const),
      fc.constantFrom('roads', 'bus', 'tax').map((v) => ['keyword', v] as const),
      fc.constantFrom('CSV', 'XLSX', 'JSON').map((v) => ['format', v] as const),
      fc.constantFrom('public', 'restricted').map((v) => ['accessRights', v] as const),
    ),
    { maxLength: 2, selector: ([f]) => f },
  ),
  sort: fc.constantFrom(...(Object.keys(SORTS) as SortName[])),
  rows: fc.integer({ min: 1, max: 8 }),
  start: fc.nat(10),
});

describe('catalog search over the facet index', () => {
  it('matches the SQL it replaced: count, facet counts and page (property)', () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 60 }),
        fc.array(query, { minLength: 1, maxLength: 6 }),
        (ops, qs) => {
          const { db, catalog } = fresh();
          play(catalog, ops);
          // Another read model on the same tables loads its index from them: the same answers.
          const loaded = new CatalogReadModel(db);
          loaded.migrate(db);
          for (const q of qs) {
            const parsed = parseQuery(q.q);
            const sort: SortName =
              parsed.match === null && q.sort === 'score desc' ? 'title_string asc' : q.sort;
            const search: CatalogSearch = {
              query: parsed,
              filters: q.filters,
              sort,
              rows: q.rows,
              start: q.start,
              cursor: null,
              facets: [...FACETS],
              facetLimit: 10,
            };
            const expected = reference(db, search);
            expect(shape(searchCatalog(db, catalog, search))).toEqual(expected);
            expect(shape(searchCatalog(db, loaded, search))).toEqual(expected);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps counts exact while entries are set, replaced and deleted past its initial sizes (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.nat(5000),
            fc.option(fc.uniqueArray(fc.constantFrom(...THEMES, ...KEYWORDS), { maxLength: 8 }), { freq: 4 }),
          ),
          { minLength: 500, maxLength: 3000 },
        ),
        (ops) => {
          const index = new FacetIndex();
          const model = new Map<number, string[]>();
          for (const [seq, values] of ops) {
            if (values === null) {
              index.delete(seq);
              model.delete(seq);
            } else {
              index.set(
                seq,
                values.map((v) => ['theme', v] as const),
              );
              model.set(seq, values);
            }
          }
          const seqs = [...model.keys()].sort((a, b) => a - b);
          expect(Array.from(index.all())).toEqual(seqs);
          expect(index.size).toBe(model.size);
          const expected = new Map<string, number>();
          for (const values of model.values())
            for (const v of values) expected.set(v, (expected.get(v) ?? 0) + 1);
          const counted = index.count(Int32Array.from(seqs), ['theme'], 100).get('theme')!;
          expect(new Map(counted.map((c) => [c.name, c.count]))).toEqual(expected);
          const withRoads = seqs.filter((s) => model.get(s)!.includes('roads'));
          expect(Array.from(index.select(seqs, [['theme', 'roads']]))).toEqual(withRoads);
          expect(Array.from(index.select(seqs, [], withRoads))).toEqual(
            seqs.filter((s) => !withRoads.includes(s)),
          );
        },
      ),
      { numRuns: 30 },
    );
  });

  it('walks every page with a cursor in the order of the SQL sort, for each sort and match size', () => {
    const { db, catalog } = fresh();
    const ops = Array.from({ length: 300 }, (_, i) => ({
      kind: 'publish' as const,
      publisher: i % 3,
      meta: {
        title: `${WORDS[i % 6]} ${WORDS[(i * 7) % 6]} ${i % 5 === 0 ? 'river' : ''}`.trim(),
        keywords: i % 2 === 0 ? ['roads'] : ['bus'],
        themes: [THEMES[i % 4]!],
        license: 'CC-BY-4.0' as const,
        accessRights: (['public', 'restricted', 'non-public'] as const)[i % 3]!,
        formats: ['CSV'],
      },
    }));
    play(catalog, ops);
    for (const [q, filters] of [
      ['', [['theme', 'TRAN']]],
      ['water', []],
      ['river', [['publisher', 'HEALTH']]],
      ['', [['keyword', 'bus']]],
    ] as const) {
      for (const sort of Object.keys(SORTS) as SortName[]) {
        const parsed = parseQuery(q);
        if (parsed.match === null && sort === 'score desc') continue;
        const base = {
          query: parsed,
          filters,
          sort,
          facets: [] as Facet[],
          facetLimit: 10,
        };
        const all = reference(db, { ...base, rows: 1000, start: 0, cursor: null }).page;
        const walked: string[] = [];
        let cursor: string | null = null;
        do {
          const page = searchCatalog(db, catalog, { ...base, rows: 7, start: 0, cursor });
          walked.push(...page.results.map((r) => r.entry.entryId));
          cursor = page.nextCursor;
        } while (cursor !== null);
        expect(walked, `${q} ${JSON.stringify(filters)} ${sort}`).toEqual(all);
      }
    }
  });
});
