import { decodeBase64Url, encodeBase64Url } from '../../domain/crypto/base64.js';
import { CatalogQueryError, type ParsedQuery } from './catalog-query.js';
import { type CatalogEntryView, type CatalogReadModel, FACETS, type Facet } from './catalog-read-model.js';
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

export interface FacetCount {
  readonly name: string;
  readonly count: number;
}

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

/**
 * Runs a catalog search: FTS5 match (bm25, title weighted highest), facet
 * filters, keyset or offset paging, and facet counts over everything that
 * matched (not only the page), as CKAN reports them.
 */
export function searchCatalog(
  db: NodeDatabase,
  catalog: CatalogReadModel,
  search: CatalogSearch,
): CatalogSearchResult {
  const params: Record<string, string | number> = {};
  const where: string[] = ["e.status = 'published'"];
  const { match, exclude } = search.query;
  let from = 'directory_entries e';
  if (match !== null) {
    params['match'] = match;
    // Column weights: title 10, description 1, keywords 5, themes 3, publisher 2.
    from = `(SELECT rowid AS seq, bm25(directory_fts, 10.0, 1.0, 5.0, 3.0, 2.0) AS score FROM directory_fts
      WHERE directory_fts MATCH @match) f JOIN directory_entries e ON e.seq = f.seq`;
  } else if (search.sort === 'score desc') {
    throw new CatalogQueryError('QUERY_INVALID', 'sort score desc needs a text query q');
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

  const sort = SORTS[search.sort];
  const direction = sort.descending ? 'DESC' : 'ASC';
  const pageWhere: string[] = [];
  if (search.cursor !== null) {
    const c = decodeCursor(search.cursor, search.sort);
    params['ck'] = c.k;
    params['cq'] = c.q;
    const cmp = sort.descending ? '<' : '>';
    pageWhere.push(`(${sort.column} ${cmp} @ck OR (${sort.column} = @ck AND e.seq ${cmp} @cq))`);
  }
  params['limit'] = search.rows + 1;
  params['offset'] = search.cursor === null ? search.start : 0;
  const pageSql = `SELECT e.seq AS seq, ${sort.column} AS k, ${match === null ? 'NULL' : 'f.score'} AS score ${matched}
    ${pageWhere.length === 0 ? '' : `AND ${pageWhere.join(' AND ')}`}
    ORDER BY ${sort.column} ${direction}, e.seq ${direction} LIMIT @limit OFFSET @offset`;

  let page: { seq: number; k: number | string; score: number | null }[];
  let count: number;
  try {
    page = db.prepare(pageSql).all(params) as typeof page;
    const countParams = Object.fromEntries(
      Object.entries(params).filter(([k]) => !['limit', 'offset', 'ck', 'cq'].includes(k)),
    );
    const unfiltered = match === null && exclude === null && search.filters.length === 0;
    count = unfiltered
      ? catalog.count()
      : (db.prepare(`SELECT count(*) AS n ${matched}`).get(countParams) as { n: number }).n;
    const facets =
      search.facets.length === 0 ? {} : facetCounts(db, search, unfiltered ? null : matched, countParams);
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
      nextCursor:
        more && last !== undefined ? encodeCursor({ s: search.sort, k: last.k, q: last.seq }) : null,
    };
  } catch (error) {
    // We build every MATCH expression from quoted phrases, so this is a bug or an exotic input we did not foresee.
    if (error instanceof Error && /fts5/i.test(error.message)) {
      throw new CatalogQueryError('QUERY_INVALID', `q cannot be searched: ${error.message}`);
    }
    throw error;
  }
}

function facetCounts(
  db: NodeDatabase,
  search: CatalogSearch,
  matched: string | null,
  params: Record<string, string | number>,
): Partial<Record<Facet, FacetCount[]>> {
  const wanted = search.facets.filter((f) => (FACETS as readonly string[]).includes(f));
  const placeholders = wanted.map((_, i) => `@fc${i}`).join(', ');
  const facetParams = Object.fromEntries(wanted.map((f, i) => [`fc${i}`, f]));
  // Without a query or filter, the counts the projection keeps are exact and cost nothing.
  const rows = (
    matched === null
      ? db
          .prepare(
            `SELECT facet, value, n FROM directory_facet_counts WHERE facet IN (${placeholders}) AND n > 0`,
          )
          .all(facetParams)
      : db
          .prepare(
            `SELECT facet, value, count(*) AS n FROM directory_facets
             WHERE facet IN (${placeholders}) AND seq IN (SELECT e.seq ${matched}) GROUP BY facet, value`,
          )
          .all({ ...params, ...facetParams })
  ) as { facet: Facet; value: string; n: number }[];
  const out: Partial<Record<Facet, FacetCount[]>> = {};
  for (const facet of wanted) out[facet] = [];
  for (const row of rows) out[row.facet]!.push({ name: row.value, count: row.n });
  for (const facet of wanted) {
    out[facet] = out[facet]!.sort(
      (a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    ).slice(0, search.facetLimit);
  }
  return out;
}
