/**
 * A minimal state-map verifier written from docs/state-map.md §2–4 alone, to
 * show that the page is enough: node:crypto for SHA-256, Buffer for base64, its
 * own RFC 8785 (naive-state-map.ts, integers only, as §2.3 allows for the
 * node's values), and nothing from src/. It answers "OK" or the error code the
 * page assigns, so vectors.test.ts can hold it to every valid and invalid vector.
 */

import { createHash } from 'node:crypto';
import { naiveCanonical } from './naive-state-map.js';

type Json = Parameters<typeof naiveCanonical>[0];
export type DocVerdict =
  | 'OK'
  | 'PROOF_MALFORMED'
  | 'PROOF_TOO_DEEP'
  | 'HASH_MALFORMED'
  | 'KEY_INVALID'
  | 'VALUE_INVALID'
  | 'TERMINAL_MISMATCH'
  | 'ROOT_MISMATCH';

class Refused extends Error {
  constructor(readonly code: DocVerdict) {
    super(code);
  }
}

const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const EMPTY = Buffer.alloc(32);
const leaf = (kh: Buffer, vh: Buffer) => sha256(Buffer.of(0x00), kh, vh);
const interior = (l: Buffer, r: Buffer) => sha256(Buffer.of(0x01), l, r);
/** §3.1: bit d, most significant bit of byte 0 first. */
const bit = (h: Buffer, d: number) => (h[d >> 3]! >> (7 - (d % 8))) & 1;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** §4.2: exactly these fields. */
function fields(v: Record<string, unknown>, names: string[]): void {
  const own = Object.keys(v).sort();
  if (own.join() !== [...names].sort().join()) throw new Refused('PROOF_MALFORMED');
}

/** §4.2: 44 characters of canonical padded base64 of 32 bytes (re-encoding must give the same text). */
function hash32(text: unknown): Buffer {
  if (typeof text !== 'string' || text.length !== 44 || !/^[A-Za-z0-9+/]{43}=$/.test(text))
    throw new Refused('HASH_MALFORMED');
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== 32 || bytes.toString('base64') !== text) throw new Refused('HASH_MALFORMED');
  return bytes;
}

function sibling(text: unknown): Buffer {
  if (text === '') return EMPTY;
  const bytes = hash32(text);
  if (bytes.equals(EMPTY)) throw new Refused('HASH_MALFORMED'); // the empty hash is written ""
  return bytes;
}

interface Parsed {
  siblings: Buffer[];
  terminal: { kind: 'value' } | { kind: 'empty' } | { kind: 'leaf'; keyHash: Buffer; valueHash: Buffer };
}

/** §4.2, in the order the table gives: shape, depth (before decoding), hashes. */
function parse(json: unknown): Parsed {
  if (!isObject(json)) throw new Refused('PROOF_MALFORMED');
  fields(json, ['siblings', 'terminal']);
  const { siblings, terminal } = json;
  if (!Array.isArray(siblings)) throw new Refused('PROOF_MALFORMED');
  if (siblings.length > 256) throw new Refused('PROOF_TOO_DEEP');
  if (!isObject(terminal)) throw new Refused('PROOF_MALFORMED');
  let parsedTerminal: Parsed['terminal'];
  if (terminal['kind'] === 'value' || terminal['kind'] === 'empty') {
    fields(terminal, ['kind']);
    parsedTerminal = terminal['kind'] === 'value' ? { kind: 'value' } : { kind: 'empty' };
  } else if (terminal['kind'] === 'leaf') {
    fields(terminal, ['kind', 'keyHash', 'valueHash']);
    parsedTerminal = {
      kind: 'leaf',
      keyHash: hash32(terminal['keyHash']),
      valueHash: hash32(terminal['valueHash']),
    };
  } else throw new Refused('PROOF_MALFORMED');
  return { siblings: siblings.map(sibling), terminal: parsedTerminal };
}

/** §2.1–2.2. */
function keyHash(key: string): Buffer {
  // A lone surrogate has no UTF-8 form (§2.1).
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(key))
    throw new Refused('KEY_INVALID');
  const bytes = Buffer.from(key, 'utf8');
  if (bytes.length < 1 || bytes.length > 1024) throw new Refused('KEY_INVALID');
  return sha256(bytes);
}

/** §4.3 step 1: the hash the walk starts from. */
function start(kh: Buffer, value: Json | null, proof: Parsed): Buffer {
  const { terminal } = proof;
  if (value !== null) {
    if (!isObject(value)) throw new Refused('VALUE_INVALID');
    if (terminal.kind !== 'value') throw new Refused('TERMINAL_MISMATCH');
    return leaf(kh, sha256(Buffer.from(naiveCanonical(value), 'utf8')));
  }
  if (terminal.kind === 'value') throw new Refused('TERMINAL_MISMATCH');
  if (terminal.kind === 'empty') return EMPTY;
  if (terminal.keyHash.equals(kh)) throw new Refused('TERMINAL_MISMATCH');
  for (let d = 0; d < proof.siblings.length; d++)
    if (bit(terminal.keyHash, d) !== bit(kh, d)) throw new Refused('TERMINAL_MISMATCH');
  return leaf(terminal.keyHash, terminal.valueHash);
}

/** §4.3: "OK" when `key` holds `value` (null: nothing) under `rootHex`, otherwise the code. */
export function docVerify(rootHex: string, key: string, value: Json | null, proofJson: unknown): DocVerdict {
  try {
    const proof = parse(proofJson);
    const kh = keyHash(key);
    let h = start(kh, value, proof);
    const depth = proof.siblings.length;
    proof.siblings.forEach((s, j) => {
      h = bit(kh, depth - 1 - j) === 0 ? interior(h, s) : interior(s, h);
    });
    return h.toString('hex') === rootHex ? 'OK' : 'ROOT_MISMATCH';
  } catch (error) {
    if (error instanceof Refused) return error.code;
    throw error;
  }
}
