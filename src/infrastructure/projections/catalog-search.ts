import { decodeBase64Url, encodeBase64Url } from '../../domain/crypto/base64.js';
import type { FacetCount } from './catalog-facet-index.js';
import { FACETS, type Facet } from './catalog-facets.js';
import { CatalogQueryError, type ParsedQuery } from './catalog-query.js';
import type { CatalogEntryView, CatalogReadModel } from './catalog-read-model.js';
import type { NodeDatabase } from './node-database.js';

/** CKAN's sort names; `title` and `modified` are accepted as short forms. */
export const SORTS = {
  'score desc': { column: 'f.score', descending: false },
  'metadata_modified desc': { column: 'e.modified_ms', descending: true },
  'metadata_modified asc': { column: 'e.modified_ms', descending: false },
  'metadata_created desc': { column: 'e.published_ms', descending: true },
  'metadata_created asc': { column: 'e.published_ms', descending: false },
  'title_string asc': { column: 'e.title_sort', descending: false },
  'title_string desc': { column: 'e.title_sort', descending: true },
} as const;
export type SortName = keyof typeof SORTS;

export const SORT_ALIASES: Record<string, SortName> = {
  'title asc': 'title_string asc',
  'title desc': 'title_string desc',
  'modified desc': 'metadata_modified desc',
  'modified asc': 'metadata_modified asc',
  'created desc': 'metadata_created desc',
  'created asc': 'metadata_created asc',
};

export interface CatalogSearch {
  readonly query: ParsedQuery;
  /** All must hold (CKAN ANDs fq terms); values already normalised. */
  readonly filters: readonly (readonly [Facet, string])[];
  readonly sort: SortName;
  readonly rows: number;
  readonly start: number;
  readonly cursor: string | null;
  /** Which facets to count, and how many values of each to return. */
  readonly facets: readonly Facet[];
  readonly facetLimit: number;
}

export type { FacetCount } from './catalog-facet-index.js';

export interface CatalogSearchResult {
  readonly count: number;
  readonly results: { entry: CatalogEntryView; score: number | null }[];
  readonly facets: Partial<Record<Facet, FacetCount[]>>;
  readonly nextCursor: string | null;
}

interface CursorState {
  readonly s: SortName;
  readonly k: number | string;
  readonly q: number;
}

function encodeCursor(state: CursorState): string {
  return encodeBase64Url(new TextEncoder().encode(JSON.stringify(state)));
}

/** A cursor is opaque to clients but hostile input to us: every field is checked before use. */
function decodeCursor(text: string, sort: SortName): CursorState {
  const bytes = text.length > 512 ? null : decodeBase64Url(text);
  let parsed: unknown = null;
  try {
    parsed = bytes === null ? null : JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    parsed = null;
  }
  const c = parsed as Partial<CursorState> | null;
  if (
    c === null ||
    typeof c !== 'object' ||
    c.s !== sort ||
    !Number.isSafeInteger(c.q) ||
    !(typeof c.k === 'string' || (typeof c.k === 'number' && Number.isFinite(c.k)))
  ) {
    throw new CatalogQueryError(
      'CURSOR_INVALID',
      'cursor is not a nextCursor of this search (with this sort)',
    );
  }
  return c as CursorState;
}

/** Column weights: title 10, description 1, keywords 5, themes 3, publisher 2. */
const BM25 = 'bm25(directory_fts, 10.0, 1.0, 5.0, 3.0, 2.0)';
const FTS_ROWIDS = 'SELECT rowid FROM directory_fts WHERE directory_fts MATCH @match';

interface PageRow {
  seq: number;
  k: number | string;
  score: number | null;
}

/**
 * Runs a catalog search: FTS5 match (bm25, title weighted highest), facet
 * filters, keyset or offset paging, and facet counts over everything that
 * matched (not only the page), as CKAN reports them.
 *
 * What matched is computed once, in memory: the FTS5 rowids (ascending),
 * then exclusions and filters on the facet index (catalog-facet-index.ts),
 * which also counts the facets and gives `count`. The page then walks an
 * order and keeps what matched: bm25 order from FTS5 for `score desc`; for
 * the other sorts the entries' sort index, or, when few entries matched, just
 * those entries sorted. Without q or filters the whole catalog is the answer:
 * count and facet counts come from what the projection keeps.
 */
export function searchCatalog(
  db: NodeDatabase,
  catalog: CatalogReadModel,
  search: CatalogSearch,
): CatalogSearchResult {
  const { match, exclude } = search.query;
  if (match === null && search.sort === 'score desc') {
    throw new CatalogQueryError('QUERY_INVALID', 'sort score desc needs a text query q');
  }
  const cursor = search.cursor === null ? null : decodeCursor(search.cursor, search.sort);
  const wanted = search.facets.filter((f) => (FACETS as readonly string[]).includes(f));
  const take = search.rows + 1;
  const skip = cursor === null ? search.start : 0;

  let page: PageRow[];
  let count: number;
  let facets: Partial<Record<Facet, FacetCount[]>>;
  try {
    if (match === null && exclude === null && search.filters.length === 0) {
      // Everything published: the counts the projection keeps are exact and cost nothing.
      page = walkEntries(db, search, cursor, null, take, skip);
      count = catalog.count();
      facets = wanted.length === 0 ? {} : catalogFacetCounts(db, wanted, search.facetLimit);
    } else {
      const index = catalog.facetIndex();
      const rowids = (expression: string) =>
        ascending(db.prepare(FTS_ROWIDS).pluck().all({ match: expression }) as number[]);
      const candidates = match === null ? index.all() : rowids(match);
      const matched = index.select(
        candidates,
        search.filters,
        exclude === null ? undefined : rowids(exclude),
      );
      count = matched.length;
      facets = wanted.length === 0 ? {} : Object.fromEntries(index.count(matched, wanted, search.facetLimit));
      if (search.sort === 'score desc')
        page = walkScores(db, match!, cursor, matched, candidates.length, take, skip);
      else {
        // Walking the sort index visits about (skip + take) × catalog / matched entries; sorting
        // the matched entries themselves costs about their number. Take the cheaper.
        const walk = ((skip + take) * index.size) / Math.max(1, matched.length);
        page =
          walk < 4 * matched.length
            ? walkEntries(db, search, cursor, matched, take, skip)
            : sortMatched(db, search, cursor, matched, take, skip);
        if (match !== null) withScores(db, match, page);
      }
    }
  } catch (error) {
    // We build every MATCH expression from quoted phrases, so this is a bug or an exotic input we did not foresee.
    if (error instanceof Error && /fts5/i.test(error.message)) {
      throw new CatalogQueryError('QUERY_INVALID', `q cannot be searched: ${error.message}`);
    }
    throw error;
  }
  const more = page.length > search.rows;
  const shown = page.slice(0, search.rows);
  const last = shown[shown.length - 1];
  const views = catalog.bySeq(shown.map((r) => r.seq));
  return {
    count,
    results: views.map((entry, i) => ({
      entry,
      score: shown[i]!.score === null ? null : -shown[i]!.score!,
    })),
    facets,
    nextCursor: more && last !== undefined ? encodeCursor({ s: search.sort, k: last.k, q: last.seq }) : null,
  };
}

/** `(key, seq)` after the cursor's, in the sort's direction. */
function afterCursor(column: string, seq: string, descending: boolean): string {
  const cmp = descending ? '<' : '>';
  return `(${column} ${cmp} @ck OR (${column} = @ck AND ${seq} ${cmp} @cq))`;
}

function membership(matched: Int32Array): Uint8Array {
  const member = new Uint8Array((matched[matched.length - 1] ?? 0) + 1);
  for (let i = 0; i < matched.length; i++) member[matched[i]!] = 1;
  return member;
}

/**
 * The page from an ordered walk: rows not in `matched` (when given) are
 * passed over, `skip` matched rows are skipped, and the walk stops once the
 * page is full, so only the top of the order is read.
 */
function collect(rows: Iterable<PageRow>, matched: Int32Array | null, take: number, skip: number): PageRow[] {
  const member = matched === null ? null : membership(matched);
  const out: PageRow[] = [];
  let skipped = 0;
  for (const row of rows) {
    if (member !== null && member[row.seq] !== 1) continue;
    if (skipped < skip) {
      skipped++;
      continue;
    }
    out.push(row);
    if (out.length >= take) break;
  }
  return out;
}

/**
 * bm25 order from FTS5. It scores every match whatever we do; a LIMIT lets
 * SQLite's sorter keep only the best rows. The limit expects matched entries
 * to be spread evenly among FTS5's matches (filters and exclusions drop the
 * others) with room to spare, and is raised when that was not enough.
 */
function walkScores(
  db: NodeDatabase,
  match: string,
  cursor: CursorState | null,
  matched: Int32Array,
  ftsMatches: number,
  take: number,
  skip: number,
): PageRow[] {
  const statement = db.prepare(`SELECT seq, score AS k, score FROM
    (SELECT rowid AS seq, ${BM25} AS score FROM directory_fts WHERE directory_fts MATCH @match)
    ${cursor === null ? '' : `WHERE ${afterCursor('score', 'seq', false)}`} ORDER BY score, seq LIMIT @limit`);
  const params: Record<string, string | number> =
    cursor === null ? { match } : { match, ck: cursor.k, cq: cursor.q };
  let limit = Math.ceil(((skip + take) * 2 * ftsMatches) / Math.max(1, matched.length)) + 64;
  for (;;) {
    const rows = statement.all({ ...params, limit }) as PageRow[];
    const page = collect(rows, matched, take, skip);
    if (page.length >= take || rows.length < limit) return page;
    limit *= 4;
  }
}

/** The sort's index over published entries (covering: status, key, seq). */
function walkEntries(
  db: NodeDatabase,
  search: CatalogSearch,
  cursor: CursorState | null,
  matched: Int32Array | null,
  take: number,
  skip: number,
): PageRow[] {
  const sort = SORTS[search.sort];
  const direction = sort.descending ? 'DESC' : 'ASC';
  const sql = `SELECT e.seq AS seq, ${sort.column} AS k, NULL AS score FROM directory_entries e
    WHERE e.status = 'published' ${cursor === null ? '' : `AND ${afterCursor(sort.column, 'e.seq', sort.descending)}`}
    ORDER BY ${sort.column} ${direction}, e.seq ${direction}
    ${matched === null ? 'LIMIT @limit OFFSET @offset' : ''}`;
  const params: Record<string, string | number> = cursor === null ? {} : { ck: cursor.k, cq: cursor.q };
  if (matched === null) return db.prepare(sql).all({ ...params, limit: take, offset: skip }) as PageRow[];
  return collect(db.prepare(sql).iterate(params) as Iterable<PageRow>, matched, take, skip);
}

/** Few matches: sort just those entries. */
function sortMatched(
  db: NodeDatabase,
  search: CatalogSearch,
  cursor: CursorState | null,
  matched: Int32Array,
  take: number,
  skip: number,
): PageRow[] {
  const sort = SORTS[search.sort];
  const direction = sort.descending ? 'DESC' : 'ASC';
  const sql = `SELECT e.seq AS seq, ${sort.column} AS k, NULL AS score FROM directory_entries e
    WHERE e.seq IN (SELECT value FROM json_each(@seqs))
    ${cursor === null ? '' : `AND ${afterCursor(sort.column, 'e.seq', sort.descending)}`}
    ORDER BY ${sort.column} ${direction}, e.seq ${direction} LIMIT @limit OFFSET @offset`;
  const params: Record<string, string | number> = {
    seqs: `[${matched.join(',')}]`,
    limit: take,
    offset: skip,
  };
  if (cursor !== null) Object.assign(params, { ck: cursor.k, cq: cursor.q });
  return db.prepare(sql).all(params) as PageRow[];
}

/** With q and another sort, results still carry their bm25 score: scored for the page's rows only. */
function withScores(db: NodeDatabase, match: string, page: PageRow[]): void {
  if (page.length === 0) return;
  const rows = db
    .prepare(
      `SELECT rowid AS seq, ${BM25} AS score FROM directory_fts
       WHERE directory_fts MATCH @match AND rowid IN (SELECT value FROM json_each(@seqs))`,
    )
    .all({ match, seqs: `[${page.map((r) => r.seq).join(',')}]` }) as { seq: number; score: number }[];
  const scores = new Map(rows.map((r) => [r.seq, r.score]));
  for (const row of page) row.score = scores.get(row.seq) ?? null;
}

/** FTS5 returns rowids in ascending order; sorted here should that ever not hold. */
function ascending(seqs: number[]): number[] {
  for (let i = 1; i < seqs.length; i++) if (seqs[i - 1]! > seqs[i]!) return seqs.sort((a, b) => a - b);
  return seqs;
}

/** Facet counts of the whole published catalog, from the counts the projection keeps. */
function catalogFacetCounts(
  db: NodeDatabase,
  wanted: readonly Facet[],
  limit: number,
): Partial<Record<Facet, FacetCount[]>> {
  const placeholders = wanted.map((_, i) => `@fc${i}`).join(', ');
  const rows = db
    .prepare(`SELECT facet, value, n FROM directory_facet_counts WHERE facet IN (${placeholders}) AND n > 0`)
    .all(Object.fromEntries(wanted.map((f, i) => [`fc${i}`, f]))) as {
    facet: Facet;
    value: string;
    n: number;
  }[];
  const out: Partial<Record<Facet, FacetCount[]>> = {};
  for (const facet of wanted) out[facet] = [];
  for (const row of rows) out[row.facet]!.push({ name: row.value, count: row.n });
  for (const facet of wanted) {
    out[facet] = out[facet]!.sort(
      (a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    ).slice(0, limit);
  }
  return out;
}
