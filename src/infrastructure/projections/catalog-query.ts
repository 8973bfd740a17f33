import type { Facet } from './catalog-facets.js';

/**
 * The search language, modelled on what CKAN users type into `q` and `fq`
 * (Solr syntax), translated to an FTS5 MATCH expression that we build
 * ourselves: user text never reaches FTS5 unquoted, so no input can be an
 * FTS5 syntax error or reach a column we did not name.
 *
 *   water quality            both words (AND is the default, as in CKAN)
 *   "water quality"          the phrase
 *   water OR river           either word
 *   -draft, NOT draft        exclude
 *   wat*                     prefix
 *   title:water              a field: title, description, keywords (tags), themes (groups),
 *                            publisher (organization)
 *   license:CC-BY-4.0        a facet field in q or fq is a filter: accessRights, license
 *                            (license_id), format (res_format), and the fields above as facets
 */

export class CatalogQueryError extends Error {
  constructor(
    readonly code: 'QUERY_INVALID' | 'CURSOR_INVALID',
    message: string,
  ) {
    super(message);
    this.name = 'CatalogQueryError';
  }
}

export interface ParsedQuery {
  /** FTS5 expression the entries must match, or null. */
  readonly match: string | null;
  /** FTS5 expression the entries must not match (a query of exclusions only), or null. */
  readonly exclude: string | null;
  /** Facet filters found in q as field:value terms. */
  readonly filters: readonly (readonly [Facet, string])[];
}

const MAX_TERMS = 32;

/** FTS columns by the names CKAN users know them by. */
const TEXT_FIELDS: Record<string, string> = {
  title: 'title',
  description: 'description',
  notes: 'description',
  keywords: 'keywords',
  keyword: 'keywords',
  tags: 'keywords',
  themes: 'themes',
  theme: 'themes',
  groups: 'themes',
  publisher: 'publisher',
  organization: 'publisher',
};

/** Facet names (and CKAN's names for them) accepted as filters in q, fq and the query string. */
export const FACET_ALIASES: Record<string, Facet> = {
  publisher: 'publisher',
  organization: 'publisher',
  theme: 'theme',
  themes: 'theme',
  groups: 'theme',
  keyword: 'keyword',
  keywords: 'keyword',
  tags: 'keyword',
  accessRights: 'accessRights',
  access_rights: 'accessRights',
  license: 'license',
  license_id: 'license',
  format: 'format',
  res_format: 'format',
};

/** Filter values are compared as the read model stores them. */
export function normaliseFacetValue(facet: Facet, value: string): string {
  if (facet === 'keyword') return value.toLowerCase();
  if (facet === 'format') return value.toUpperCase();
  return value;
}

interface Token {
  readonly text: string;
  readonly quoted: boolean;
  readonly negated: boolean;
  readonly field: string | null;
  readonly prefix: boolean;
}

/** Splits q into terms, phrases and the OR/AND/NOT words; unbalanced quotes are refused. */
function tokenize(q: string): (Token | 'OR' | 'AND' | 'NOT')[] {
  const out: (Token | 'OR' | 'AND' | 'NOT')[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c) || c === '(' || c === ')') {
      i++;
      continue;
    }
    let negated = false;
    if ((c === '-' || c === '+') && i + 1 < q.length && !/\s/.test(q[i + 1]!)) {
      negated = c === '-';
      i++;
    }
    let field: string | null = null;
    const fieldMatch = /^([A-Za-z_]+):(?=\S)/.exec(q.slice(i));
    if (fieldMatch !== null) {
      field = fieldMatch[1]!;
      i += fieldMatch[0].length;
    }
    if (q[i] === '"') {
      const end = q.indexOf('"', i + 1);
      if (end < 0) throw new CatalogQueryError('QUERY_INVALID', 'q has an unclosed quote');
      const prefix = q[end + 1] === '*';
      out.push({ text: q.slice(i + 1, end), quoted: true, negated, field, prefix });
      i = end + (prefix ? 2 : 1);
      continue;
    }
    let end = i;
    while (end < q.length && !/\s/.test(q[end]!) && q[end] !== '(' && q[end] !== ')') end++;
    const word = q.slice(i, end);
    i = end;
    if (!negated && field === null && (word === 'OR' || word === 'AND' || word === 'NOT')) {
      out.push(word);
      continue;
    }
    const prefix = word.endsWith('*') && word.length > 1;
    out.push({ text: prefix ? word.slice(0, -1) : word, quoted: false, negated, field, prefix });
  }
  return out;
}

/** An FTS5 string literal: the text in double quotes, inner quotes doubled. */
function phrase(text: string, prefix: boolean): string {
  return `"${text.replaceAll('"', '""')}"${prefix ? ' *' : ''}`;
}

/** Parses CKAN-style q; `*:*` and blank mean everything. */
export function parseQuery(q: string | undefined): ParsedQuery {
  const text = (q ?? '').trim();
  if (text === '' || text === '*:*' || text === '*') return { match: null, exclude: null, filters: [] };
  const tokens = tokenize(text);
  const groups: string[][] = [];
  const excluded: string[] = [];
  const filters: [Facet, string][] = [];
  let pendingOr = false;
  let pendingNot = false;
  let terms = 0;
  for (const token of tokens) {
    if (token === 'OR') {
      if (groups.length === 0 || pendingNot)
        throw new CatalogQueryError('QUERY_INVALID', 'q has OR without a term before it');
      pendingOr = true;
      continue;
    }
    if (token === 'AND') continue;
    if (token === 'NOT') {
      pendingNot = true;
      continue;
    }
    if (++terms > MAX_TERMS)
      throw new CatalogQueryError('QUERY_INVALID', `q has more than ${MAX_TERMS} terms`);
    const negated = token.negated || pendingNot;
    pendingNot = false;
    let expression: string;
    if (token.field !== null) {
      const column = TEXT_FIELDS[token.field];
      const facet = FACET_ALIASES[token.field];
      if (column === undefined) {
        if (facet === undefined)
          throw new CatalogQueryError('QUERY_INVALID', `q names an unknown field ${token.field}`);
        // A facet-only field (accessRights, license, format) filters instead of matching text.
        if (negated || pendingOr || token.prefix)
          throw new CatalogQueryError('QUERY_INVALID', `${token.field}: can only be a plain filter in q`);
        filters.push([facet, normaliseFacetValue(facet, token.text)]);
        continue;
      }
      if (!/[\p{L}\p{N}]/u.test(token.text)) continue;
      expression = `${column} : ${phrase(token.text, token.prefix)}`;
    } else {
      // Punctuation alone tokenises to nothing, and an empty FTS5 phrase is an error.
      if (!/[\p{L}\p{N}]/u.test(token.text)) continue;
      expression = phrase(token.text, token.prefix);
    }
    if (negated) {
      if (pendingOr) throw new CatalogQueryError('QUERY_INVALID', 'q has OR before an excluded term');
      excluded.push(expression);
      continue;
    }
    if (pendingOr) groups[groups.length - 1]!.push(expression);
    else groups.push([expression]);
    pendingOr = false;
  }
  if (pendingOr || pendingNot) throw new CatalogQueryError('QUERY_INVALID', 'q ends with an operator');
  const positive = groups.map((g) => (g.length === 1 ? g[0]! : `(${g.join(' OR ')})`)).join(' AND ');
  const negative = excluded.length === 0 ? null : excluded.join(' OR ');
  if (positive === '') return { match: null, exclude: negative, filters };
  return { match: negative === null ? positive : `(${positive}) NOT (${negative})`, exclude: null, filters };
}

/**
 * CKAN's fq: `field:value` or `field:"a value"` terms, all required. Only
 * facet fields are accepted: fq filters, it does not search text.
 */
export function parseFilterQuery(fq: string | undefined): [Facet, string][] {
  const out: [Facet, string][] = [];
  const text = (fq ?? '').trim();
  const term = /\s*(?:AND\s+)?\+?([A-Za-z_]+):(?:"([^"]*)"|(\S+))/y;
  let at = 0;
  while (at < text.length) {
    term.lastIndex = at;
    const m = term.exec(text);
    if (m === null)
      throw new CatalogQueryError(
        'QUERY_INVALID',
        `fq must be field:value terms; cannot read "${text.slice(at)}"`,
      );
    const facet = FACET_ALIASES[m[1]!];
    if (facet === undefined)
      throw new CatalogQueryError('QUERY_INVALID', `fq names an unknown facet ${m[1]}`);
    out.push([facet, normaliseFacetValue(facet, m[2] ?? m[3]!)]);
    at = term.lastIndex;
    while (at < text.length && /\s/.test(text[at]!)) at++;
  }
  return out;
}
