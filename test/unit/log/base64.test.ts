import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from '../../../src/domain/log/index.js';

describe('strict base64', () => {
  it('encodes like Buffer and decodes its own output back (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const text = encodeBase64(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        expect(decodeBase64(text)).toEqual(bytes);
      }),
    );
  });

  it('accepts the empty string as zero bytes', () => {
    expect(decodeBase64('')).toEqual(new Uint8Array(0));
  });

  it.each([
    ['missing padding', 'AA'],
    ['missing one padding character', 'AAA'],
    ['non-zero trailing bits with two pads (AB== is not canonical for 0x00)', 'AB=='],
    ['non-zero trailing bits with one pad', 'AAB='],
    ['padding in the middle', 'AA==AAAA'],
    ['three padding characters', 'A==='],
    ['only padding', '===='],
    ['URL-safe alphabet', 'ab-_'],
    ['embedded newline', 'AAAA\nAAAA'],
    ['embedded space', 'AAAA AAA'],
    ['trailing whitespace', 'AAAA '],
    ['non-ASCII lookalike', 'AAA\u0410'],
  ])('rejects %s', (_why, text) => {
    expect(decodeBase64(text)).toBeUndefined();
  });
});
