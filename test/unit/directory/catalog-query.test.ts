import { describe, expect, it } from 'vitest';
import {
  CatalogQueryError,
  parseFilterQuery,
  parseQuery,
} from '../../../src/infrastructure/projections/catalog-query.js';

describe('CKAN-style q → FTS5', () => {
  it.each([
    ['', null],
    ['*:*', null],
    ['water', '"water"'],
    ['water quality', '"water" AND "quality"'],
    ['"water quality"', '"water quality"'],
    ['water OR river', '("water" OR "river")'],
    ['wat*', '"wat" *'],
    ['title:water', 'title : "water"'],
    ['tags:roads', 'keywords : "roads"'],
    ['water -draft', '("water") NOT ("draft")'],
    ['water NOT draft', '("water") NOT ("draft")'],
    ['say "hi', null],
  ])('%s', (q, expected) => {
    if (q === 'say "hi') {
      expect(() => parseQuery(q)).toThrow(CatalogQueryError);
      return;
    }
    expect(parseQuery(q).match).toBe(expected);
  });

  it('quotes every term, so FTS5 operators and columns in user text are just text', () => {
    expect(parseQuery('NEAR(a b) "x*" {title}').match).toBe('"NEAR" AND "a" AND "b" AND "x*" AND "{title}"');
  });

  it('turns facet-only fields into filters', () => {
    expect(parseQuery('roads license:CC-BY-4.0 format:csv')).toEqual({
      match: '"roads"',
      exclude: null,
      filters: [
        ['license', 'CC-BY-4.0'],
        ['format', 'CSV'],
      ],
    });
  });

  it('handles a query of exclusions only', () => {
    expect(parseQuery('-draft -old')).toEqual({ match: null, exclude: '"draft" OR "old"', filters: [] });
  });

  it.each(['OR water', 'water OR', 'unknown:x', 'water NOT'])('refuses %s', (q) => {
    expect(() => parseQuery(q)).toThrow(CatalogQueryError);
  });

  it('reads fq terms with CKAN field names', () => {
    expect(parseFilterQuery('organization:TRANSPORT groups:"Health data" res_format:csv tags:Roads')).toEqual(
      [
        ['publisher', 'TRANSPORT'],
        ['theme', 'Health data'],
        ['format', 'CSV'],
        ['keyword', 'roads'],
      ],
    );
    expect(() => parseFilterQuery('title:water')).toThrow(CatalogQueryError);
    expect(() => parseFilterQuery('just words')).toThrow(CatalogQueryError);
  });
});
