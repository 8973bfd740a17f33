import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalBytes,
  canonicalJson,
  canonicallyEqual,
} from '../../../src/domain/canonical/canonical-json.js';

describe('canonicalJson (RFC 8785)', () => {
  it('writes RFC 8785 §3.2.2 example: numbers, escapes, literals', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],' +
        '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts keys by UTF-16 code units (RFC 8785 §3.2.3 example)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('refuses what RFC 8785 cannot write: NaN, infinities, lone surrogates, cycles', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    for (const value of [
      { n: Number.NaN },
      [Number.POSITIVE_INFINITY],
      { s: 'x\ud800' },
      { '\udc00': 1 },
      cyclic,
    ]) {
      expect(() => canonicalJson(value)).toThrow();
    }
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });

  it('encodes the canonical text as UTF-8', () => {
    expect(new TextDecoder().decode(canonicalBytes({ b: '\u20ac', a: [1, 'x'] }))).toBe(
      '{"a":[1,"x"],"b":"\u20ac"}',
    );
  });
});

/** The same value with every object's members in reverse order. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reordered(v)]),
  );
}

describe('canonicallyEqual', () => {
  it('agrees with comparing canonicalJson texts, for any two JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(canonicallyEqual(a, b)).toBe(canonicalJson(a) === canonicalJson(b));
      }),
      { numRuns: 500 },
    );
  });

  it('finds a value equal to itself with its members in another order, and unequal once one scalar changes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (a) => {
        expect(canonicallyEqual(a, reordered(a))).toBe(true);
        expect(canonicallyEqual({ v: a, n: 1 }, reordered({ v: a, n: 2 }))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['a member whose value is undefined, and its absence', { x: 1, y: undefined }, { x: 1 }, true],
    ['an undefined element, and null', [undefined, 1], [null, 1], true],
    ['elements in another order', { a: [1, 2] }, { a: [2, 1] }, false],
    ['a string and a number', { a: '1' }, { a: 1 }, false],
    ['an object and an array', {}, [], false],
    ['null and an object', null, {}, false],
    ['a missing member', { a: 1, b: 2 }, { a: 1, c: 2 }, false],
    ['one more member', { a: 1 }, { a: 1, b: null }, false],
    ['-0 and 0, which RFC 8785 writes alike', { n: -0 }, { n: 0 }, true],
    ['a value with toJSON, and what it writes', { d: new Date(0) }, { d: '1970-01-01T00:00:00.000Z' }, true],
  ])('%s', (_, a, b, equal) => {
    expect(canonicallyEqual(a, b)).toBe(equal);
    expect(canonicallyEqual(b, a)).toBe(equal);
    expect(canonicalJson(a) === canonicalJson(b)).toBe(equal);
  });
});
