/**
 * The byte path of an NDJSON digest manifest (digest-manifest.ts): finds the digest and the id of a
 * line that is a flat JSON object of plain values, e.g. {"id":"D-2026-0001","digest":"9f86…"}, as
 * export tools write them, without JSON.parse and its million objects (issue 14: NDJSON read three
 * times slower than CSV). Only what is certain to mean the same to JSON.parse is taken: printable
 * ASCII, keys and string values without a backslash, values that are strings, true, false or null,
 * no key twice (JSON.parse keeps the last). Anything else answers null and goes to JSON.parse.
 */

const SPACE = 0x20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;

const TRUE = Buffer.from('true', 'latin1');
const FALSE = Buffer.from('false', 'latin1');
const NULL = Buffer.from('null', 'latin1');
const ID = Buffer.from('id', 'latin1');
const DIGEST = Buffer.from('digest', 'latin1');
const SHA256 = Buffer.from('sha256', 'latin1');

export interface NdjsonRecordBytes {
  /** The digest's string value, bytes [digestFrom, digestTo): "digest", else "sha256". */
  readonly digestFrom: number;
  readonly digestTo: number;
  /** The "id" string, or null when there is none or it is null. */
  readonly id: string | null;
}

/** The end of the plain string whose opening quote is at `at`, or -1 (an escape, a control or non-ASCII byte). */
function stringEnd(bytes: Buffer, at: number, to: number): number {
  for (let i = at + 1; i < to; i++) {
    const c = bytes[i]!;
    if (c === QUOTE) return i;
    if (c < SPACE || c > 0x7e || c === BACKSLASH) return -1;
  }
  return -1;
}

function skipSpaces(bytes: Buffer, at: number, to: number): number {
  while (at < to && bytes[at] === SPACE) at++;
  return at;
}

/** Whether bytes [from, to) are `word`. */
function is(bytes: Buffer, from: number, to: number, word: Buffer): boolean {
  if (to - from !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (bytes[from + i] !== word[i]) return false;
  return true;
}

/** The digest and id of bytes [from, to) (a line, trimmed), or null when it needs JSON.parse. */
export function ndjsonRecordBytes(bytes: Buffer, from: number, to: number): NdjsonRecordBytes | null {
  if (bytes[from] !== OPEN) return null;
  let at = from + 1;
  let digestFrom = -1;
  let digestTo = -1;
  let shaFrom = -1;
  let shaTo = -1;
  let idFrom = -1;
  let idTo = -1;
  // A key of ours seen twice: JSON.parse keeps the last, which is left to it.
  let seenId = false;
  for (;;) {
    at = skipSpaces(bytes, at, to);
    if (bytes[at] !== QUOTE) return null;
    const keyEnd = stringEnd(bytes, at, to);
    if (keyEnd < 0) return null;
    const key = is(bytes, at + 1, keyEnd, DIGEST)
      ? DIGEST
      : is(bytes, at + 1, keyEnd, SHA256)
        ? SHA256
        : is(bytes, at + 1, keyEnd, ID)
          ? ID
          : null;
    if ((key === DIGEST && digestFrom >= 0) || (key === SHA256 && shaFrom >= 0) || (key === ID && seenId))
      return null;
    at = skipSpaces(bytes, keyEnd + 1, to);
    if (bytes[at] !== COLON) return null;
    at = skipSpaces(bytes, at + 1, to);
    if (bytes[at] === QUOTE) {
      const valueEnd = stringEnd(bytes, at, to);
      if (valueEnd < 0) return null;
      if (key === DIGEST) {
        digestFrom = at + 1;
        digestTo = valueEnd;
      } else if (key === SHA256) {
        shaFrom = at + 1;
        shaTo = valueEnd;
      } else if (key === ID) {
        idFrom = at + 1;
        idTo = valueEnd;
      }
      at = valueEnd + 1;
    } else {
      const literal = is(bytes, at, at + 4, TRUE)
        ? TRUE
        : is(bytes, at, at + 5, FALSE)
          ? FALSE
          : is(bytes, at, at + 4, NULL)
            ? NULL
            : null;
      // Only a null id is taken as a literal: the rest of a literal's meanings stay with JSON.parse.
      if (literal === null || key === DIGEST || key === SHA256 || (key === ID && literal !== NULL))
        return null;
      at += literal.length;
    }
    if (key === ID) seenId = true;
    at = skipSpaces(bytes, at, to);
    if (bytes[at] === COMMA) {
      at++;
      continue;
    }
    if (bytes[at] !== CLOSE) return null;
    break;
  }
  if (skipSpaces(bytes, at + 1, to) !== to) return null;
  const id = idFrom < 0 ? null : bytes.toString('latin1', idFrom, idTo);
  if (digestFrom >= 0) return { digestFrom, digestTo, id };
  if (shaFrom >= 0) return { digestFrom: shaFrom, digestTo: shaTo, id };
  return null;
}
