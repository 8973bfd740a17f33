import { describe, expect, it } from 'vitest';
import { SignedPayloadTexts } from '../../../src/domain/canonical/signed-payload-texts.js';

describe('SignedPayloadTexts', () => {
  it('gives the text once, for a payload canonically equal to the one remembered, in any member order', () => {
    const texts = new SignedPayloadTexts();
    texts.remember(
      'sig-1',
      { b: [1, { d: null, c: 'x' }], a: true },
      '{"a":true,"b":[1,{"c":"x","d":null}]}',
    );
    expect(texts.take('sig-1', { a: true, b: [1, { c: 'x', d: null }] })).toBe(
      '{"a":true,"b":[1,{"c":"x","d":null}]}',
    );
    expect(texts.size).toBe(0);
    expect(texts.take('sig-1', { a: true, b: [1, { c: 'x', d: null }] })).toBeUndefined();
  });

  it('gives nothing for another payload under the same signature value (a replayed signature), and keeps the text', () => {
    const texts = new SignedPayloadTexts();
    texts.remember('sig-1', { a: 1 }, '{"a":1}');
    expect(texts.take('sig-1', { a: 2 })).toBeUndefined();
    expect(texts.take('sig-1', { a: 1, b: 2 })).toBeUndefined();
    expect(texts.take('sig-1', { a: '1' })).toBeUndefined();
    expect(texts.take('sig-2', { a: 1 })).toBeUndefined();
    expect(texts.take('sig-1', { a: 1 })).toBe('{"a":1}');
  });

  it('keeps at most its capacity, the oldest going first', () => {
    const texts = new SignedPayloadTexts(2);
    texts.remember('s1', { n: 1 }, '{"n":1}');
    texts.remember('s2', { n: 2 }, '{"n":2}');
    texts.remember('s3', { n: 3 }, '{"n":3}');
    expect(texts.size).toBe(2);
    expect(texts.take('s1', { n: 1 })).toBeUndefined();
    // Remembering a value again replaces it and evicts nothing.
    texts.remember('s3', { n: 4 }, '{"n":4}');
    expect(texts.size).toBe(2);
    expect(texts.take('s2', { n: 2 })).toBe('{"n":2}');
    expect(texts.take('s3', { n: 4 })).toBe('{"n":4}');
  });

  it('does not keep a text longer than its limit (a bulk slice)', () => {
    const texts = new SignedPayloadTexts(16, 10);
    texts.remember('long', { a: '0123456789' }, '{"a":"0123456789"}');
    expect(texts.size).toBe(0);
    expect(texts.take('long', { a: '0123456789' })).toBeUndefined();
  });

  it('freezes a remembered payload, so that no later change can make its leaf disagree with its event', () => {
    const texts = new SignedPayloadTexts();
    const payload = { a: 1, nested: { list: [1, { b: 2 }] } };
    texts.remember('sig-1', payload, '{"a":1,"nested":{"list":[1,{"b":2}]}}');
    expect(() => {
      (payload as { a: number }).a = 2;
    }).toThrow(TypeError);
    expect(() => {
      (payload.nested.list[1] as { b: number }).b = 3;
    }).toThrow(TypeError);
    expect(() => {
      (payload.nested.list as unknown[]).push(4);
    }).toThrow(TypeError);
    expect(texts.take('sig-1', { a: 1, nested: { list: [1, { b: 2 }] } })).toBe(
      '{"a":1,"nested":{"list":[1,{"b":2}]}}',
    );
  });
});
