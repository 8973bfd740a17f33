import { describe, expect, it } from 'vitest';
import {
  formatCheckpoint,
  LogProofError,
  parseCheckpoint,
  parseNote,
} from '../../../src/domain/log/index.js';
import { fromB64, vectors } from './tlog-vectors.js';

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LogProofError);
    expect((error as LogProofError).code).toBe(code);
    return;
  }
  expect.fail(`expected LogProofError ${code}`);
}

const ROOT = 'UKvK8Sai4WKd30qm3U7wXJMCzREUTdKcYUn8jtkHVl0=';
const body = (size: string, root = ROOT, origin = 'example.com/log') => `${origin}\n${size}\n${root}\n`;

describe('tlog-checkpoint body', () => {
  it('parses the Go vector checkpoint and formats it back byte for byte', () => {
    const { text } = parseNote(vectors.signed_note.note);
    const checkpoint = parseCheckpoint(text);
    expect(checkpoint.origin).toBe('vectors.example/log');
    expect(checkpoint.treeSize).toBe(70);
    expect(checkpoint.rootHash).toEqual(fromB64(vectors.roots_b64[69]!));
    expect(checkpoint.extensions).toEqual([]);
    expect(formatCheckpoint(checkpoint)).toBe(text);
  });

  it('parses the spec example with its large size', () => {
    const text = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
    expect(parseCheckpoint(text).treeSize).toBe(20852163);
  });

  it('keeps extension lines, opaque and in order', () => {
    const text = `${body('5')}ext one\nsecond: extension\n`;
    const checkpoint = parseCheckpoint(text);
    expect(checkpoint.extensions).toEqual(['ext one', 'second: extension']);
    expect(formatCheckpoint(checkpoint)).toBe(text);
  });

  it('accepts size 0 and the largest safe size', () => {
    expect(parseCheckpoint(body('0')).treeSize).toBe(0);
    expect(parseCheckpoint(body('9007199254740991')).treeSize).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('does not require the origin to be a key name (the spec only recommends it)', () => {
    expect(parseCheckpoint(body('1', ROOT, 'odd origin+with plus')).origin).toBe('odd origin+with plus');
  });

  it.each([
    ['leading zero', '070'],
    ['zero with a leading zero', '00'],
    ['negative', '-1'],
    ['explicit plus sign', '+1'],
    ['exponent', '1e3'],
    ['hex', '0x10'],
    ['leading space', ' 70'],
    ['trailing space', '70 '],
    ['empty', ''],
    ['2^53, not exactly representable', '9007199254740992'],
    ['huge (20 digits)', '99999999999999999999'],
    ['non-ASCII digits', '\u0667\u0660'],
  ])('rejects a tree size with %s', (_why, size) => {
    expectCode(() => parseCheckpoint(body(size)), 'CHECKPOINT_MALFORMED');
  });

  it.each([
    ['31 bytes', 'UKvK8Sai4WKd30qm3U7wXJMCzREUTdKcYUn8jtkHVg=='],
    ['33 bytes', 'UKvK8Sai4WKd30qm3U7wXJMCzREUTdKcYUn8jtkHVl0A'],
    ['non-canonical trailing bits', 'UKvK8Sai4WKd30qm3U7wXJMCzREUTdKcYUn8jtkHVl1='],
    ['missing padding', 'UKvK8Sai4WKd30qm3U7wXJMCzREUTdKcYUn8jtkHVl0'],
    ['URL-safe characters', 'UKvK8Sai4WKd30qm3U7wXJMCzREUTdKcYUn8jtk-Vl0='],
    ['hex instead of base64', '50abca'],
  ])('rejects a root hash of %s', (_why, root) => {
    expectCode(() => parseCheckpoint(body('7', root)), 'CHECKPOINT_MALFORMED');
  });

  it('rejects a body without its final newline', () => {
    expectCode(() => parseCheckpoint(body('7').slice(0, -1)), 'CHECKPOINT_MALFORMED');
  });

  it('rejects a body with fewer than three lines', () => {
    expectCode(() => parseCheckpoint('example.com/log\n7\n'), 'CHECKPOINT_MALFORMED');
  });

  it('rejects an empty origin', () => {
    expectCode(() => parseCheckpoint(body('7', ROOT, '')), 'CHECKPOINT_MALFORMED');
  });

  it('rejects an empty extension line (a blank line inside the body)', () => {
    expectCode(() => parseCheckpoint(`${body('7')}\n`), 'CHECKPOINT_MALFORMED');
  });

  it('rejects control characters such as CR in any line', () => {
    expectCode(() => parseCheckpoint(body('7', ROOT, 'example.com/log\r')), 'CHECKPOINT_MALFORMED');
    expectCode(() => parseCheckpoint(`${body('7')}ext\u0000\n`), 'CHECKPOINT_MALFORMED');
  });

  it('formatCheckpoint refuses values parse would reject', () => {
    const good = parseCheckpoint(body('7'));
    expectCode(() => formatCheckpoint({ ...good, treeSize: -1 }), 'CHECKPOINT_MALFORMED');
    expectCode(() => formatCheckpoint({ ...good, treeSize: 2 ** 53 }), 'CHECKPOINT_MALFORMED');
    expectCode(() => formatCheckpoint({ ...good, rootHash: new Uint8Array(31) }), 'CHECKPOINT_MALFORMED');
    expectCode(() => formatCheckpoint({ ...good, origin: 'a\nb' }), 'CHECKPOINT_MALFORMED');
    expectCode(() => formatCheckpoint({ ...good, extensions: [''] }), 'CHECKPOINT_MALFORMED');
  });
});
