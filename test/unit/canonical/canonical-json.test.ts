import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalBytes, canonicalJson } from '../../../src/domain/canonical/canonical-json.js';

/** What canonicalize makes of a value: its text, or the message of what it throws. */
function reference(value: unknown): { text?: string; error?: string } {
  try {
    const text = canonicalize(value);
    return text === undefined ? { error: 'value has no canonical JSON form' } : { text };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function ours(value: unknown): { text?: string; error?: string } {
  try {
    return { text: canonicalJson(value) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Strings with every kind of UTF-16 trouble: escapes, astral characters, paired and lone surrogates. */
const nastyString = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.constantFrom('\ud83d', '\ude00', '\u0000', '"', '\\', '\u2028', 'a', '\u20ac') }),
);

const nastyNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, 1e21, 1e-7, 1 / 3, 5e-324, Number.MAX_VALUE, 2 ** 53 + 1),
);

/** JSON-shaped values with the troublesome leaves above, and keys that JS orders differently (integer-like). */
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    nastyNumber,
    nastyString,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(nastyString, fc.constantFrom('1', '10', '9', '__proto__', '')), tie('value'), {
      maxKeys: 6,
    }),
  ),
})).value;

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

  it('gives exactly what canonicalize gives, text or error, for JSON-shaped values', () => {
    fc.assert(
      fc.property(jsonish, (value) => {
        expect(ours(value)).toEqual(reference(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives exactly what canonicalize gives for anything else too', () => {
    fc.assert(
      fc.property(
        fc.anything({ withBigInt: true, withDate: true, withMap: true, withSparseArray: true }),
        (value) => {
          expect(ours(value)).toEqual(reference(value));
        },
      ),
      { numRuns: 2000 },
    );
    const sparse = [1, 2, 3];
    delete sparse[1];
    const withFunction = { a: 1, f: () => 1 };
    const withSymbol = { a: [Symbol('s')], b: Symbol('t') };
    const withToJson = { when: new Date(0), nested: { toJSON: () => ({ z: 1, a: 2 }) } };
    for (const value of [sparse, withFunction, withSymbol, withToJson, undefined, () => 1, 1n, [undefined]]) {
      expect(ours(value)).toEqual(reference(value));
    }
  });

  it('refuses what RFC 8785 cannot write, as canonicalize does', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    for (const value of [
      { n: Number.NaN },
      [Number.POSITIVE_INFINITY],
      { s: 'x\ud800' },
      { '\udc00': 1 },
      cyclic,
    ]) {
      expect(ours(value).error).toBeDefined();
      expect(ours(value)).toEqual(reference(value));
    }
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
  });

  it('encodes the canonical text as UTF-8', () => {
    expect(new TextDecoder().decode(canonicalBytes({ b: '\u20ac', a: [1, 'x'] }))).toBe(
      '{"a":[1,"x"],"b":"\u20ac"}',
    );
  });
});
