/** GET /v1/directory/search: full-text search of the catalog with facets, in CKAN package_search terms. */
import type { FastifyRequest } from 'fastify';
import { ProblemError } from '../../application/problems/problem.js';
import {
  CatalogQueryError,
  FACET_ALIASES,
  normaliseFacetValue,
  parseFilterQuery,
  parseQuery,
} from '../../infrastructure/projections/catalog-query.js';
import { FACETS, type Facet } from '../../infrastructure/projections/catalog-read-model.js';
import {
  SORT_ALIASES,
  SORTS,
  type SortName,
  searchCatalog,
} from '../../infrastructure/projections/catalog-search.js';
import { entryView } from '../presenters/directory-views.js';
import { directorySchemas } from '../schemas/directory-schemas.js';
import { problemResponses } from '../schemas/route-schemas.js';
import type { DirectoryRouteDeps } from './directory-route-deps.js';

const stringOrList = {
  anyOf: [
    { type: 'string', maxLength: 300 },
    { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 300 } },
  ],
} as const;

const searchQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: {
      type: 'string',
      maxLength: 500,
      description: 'Free text, CKAN style: words, "phrases", OR, -exclude, prefix*, field:value',
    },
    fq: {
      type: 'string',
      maxLength: 1000,
      description: 'Filters, CKAN style: field:value or field:"a value", all required',
    },
    publisher: stringOrList,
    organization: stringOrList,
    theme: stringOrList,
    groups: stringOrList,
    keyword: stringOrList,
    tags: stringOrList,
    accessRights: stringOrList,
    license: stringOrList,
    license_id: stringOrList,
    format: stringOrList,
    res_format: stringOrList,
    sort: { type: 'string', enum: [...Object.keys(SORTS), ...Object.keys(SORT_ALIASES)] },
    rows: { type: 'integer', minimum: 0, maximum: 1000, default: 20 },
    start: { type: 'integer', minimum: 0, maximum: 100_000 },
    cursor: {
      type: 'string',
      maxLength: 512,
      description: 'nextCursor of the previous page (instead of start)',
    },
    'facet.field': {
      type: 'string',
      maxLength: 300,
      description: 'Facets to count: a JSON array or a comma list (default: all)',
    },
    'facet.limit': { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
    facet: { type: 'boolean', default: true, description: 'false: no facet counts' },
  },
} as const;

type SearchQuery = {
  q?: string;
  fq?: string;
  sort?: string;
  rows: number;
  start?: number;
  cursor?: string;
  'facet.field'?: string;
  'facet.limit': number;
  facet: boolean;
} & Record<string, string | string[] | number | boolean | undefined>;

export interface CatalogSearchRoute {
  Querystring: SearchQuery;
}

export const catalogSearchSchema = {
  tags: ['directory'],
  summary: 'Full-text search with facets (CKAN package_search semantics)',
  querystring: searchQuery,
  response: { 200: directorySchemas.search, ...problemResponses },
};

function facetList(raw: string | undefined): Facet[] {
  if (raw === undefined) return [...FACETS];
  let names: unknown;
  try {
    names = raw.trim().startsWith('[') ? JSON.parse(raw) : raw.split(',').map((s) => s.trim());
  } catch {
    throw new ProblemError('QUERY_INVALID', 'facet.field must be a JSON array or a comma-separated list');
  }
  if (!Array.isArray(names)) throw new ProblemError('QUERY_INVALID', 'facet.field must list facet names');
  return names.map((n) => {
    const facet = typeof n === 'string' ? FACET_ALIASES[n] : undefined;
    if (facet === undefined)
      throw new ProblemError('QUERY_INVALID', `facet.field names an unknown facet ${String(n)}`);
    return facet;
  });
}

function asProblem(error: unknown): unknown {
  return error instanceof CatalogQueryError ? new ProblemError(error.code, error.message) : error;
}

export function catalogSearch(deps: DirectoryRouteDeps) {
  return async (request: FastifyRequest<CatalogSearchRoute>) => {
    const query = request.query;
    if (query.cursor !== undefined && query.start !== undefined)
      throw new ProblemError('QUERY_INVALID', 'page with start or with cursor, not both');
    try {
      const parsed = parseQuery(query.q);
      const filters: (readonly [Facet, string])[] = [...parsed.filters, ...parseFilterQuery(query.fq)];
      for (const [name, facet] of Object.entries(FACET_ALIASES)) {
        const raw = query[name];
        const values = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : [];
        for (const v of values) filters.push([facet, normaliseFacetValue(facet, v)]);
      }
      const sortName: SortName =
        query.sort === undefined
          ? parsed.match === null
            ? 'metadata_modified desc'
            : 'score desc'
          : (SORT_ALIASES[query.sort] ?? (query.sort as SortName));
      const result = searchCatalog(deps.db, deps.catalog, {
        query: parsed,
        filters,
        sort: sortName,
        rows: query.rows,
        start: query.start ?? 0,
        cursor: query.cursor ?? null,
        facets: query.facet ? facetList(query['facet.field']) : [],
        facetLimit: query['facet.limit'],
      });
      return {
        count: result.count,
        sort: sortName,
        rows: query.rows,
        start: query.cursor === undefined ? (query.start ?? 0) : 0,
        results: result.results.map(({ entry, score }) => ({
          ...entryView(entry, { withSchema: false }),
          score,
        })),
        facets: result.facets,
        nextCursor: result.nextCursor,
      };
    } catch (error) {
      throw asProblem(error);
    }
  };
}
