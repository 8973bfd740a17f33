import { describe, expect, it } from 'vitest';
import { canonicalBytes, canonicalJson } from '../../../src/domain/canonical/canonical-json.js';

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
