/**
 * A deliberately separate transcription of docs/state-map.md §2, for cross-
 * checking InMemoryStateMap and the known-answer vectors: node:crypto instead
 * of @noble/hashes, bits read through BigInt, subtrees found by filtering the
 * whole key set at every depth, its own RFC 8785 serialisation (enough for the
 * values the tests use: objects, arrays, strings, safe integers, booleans, null).
 * Quadratic and proud of it: nothing here is shared with src/.
 */

import { createHash } from 'node:crypto';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function sha256(...parts: Uint8Array[]): Buffer {
  const h = createHash('sha256');
  for (const part of parts) h.update(part);
  return h.digest();
}

/** RFC 8785 for the value shapes the tests use (integers only; keys sorted by UTF-16 code units). */
export function naiveCanonical(value: Json): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error('naiveCanonical handles safe integers only');
    return String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(naiveCanonical).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${naiveCanonical(value[k]!)}`).join(',')}}`;
}

interface NaiveLeaf {
  readonly kh: bigint;
  readonly khBytes: Buffer;
  readonly vh: Buffer;
}

function leafOf(key: string, value: Json): NaiveLeaf {
  const khBytes = sha256(Buffer.from(key, 'utf8'));
  return {
    kh: BigInt(`0x${khBytes.toString('hex')}`),
    khBytes,
    vh: sha256(Buffer.from(naiveCanonical(value), 'utf8')),
  };
}

function bitOf(kh: bigint, depth: number): number {
  return Number((kh >> BigInt(255 - depth)) & 1n);
}

function subtreeHash(leaves: readonly NaiveLeaf[], depth: number): Buffer {
  if (leaves.length === 0) return Buffer.alloc(32);
  if (leaves.length === 1) return sha256(Buffer.of(0), leaves[0]!.khBytes, leaves[0]!.vh);
  const left = leaves.filter((l) => bitOf(l.kh, depth) === 0);
  const right = leaves.filter((l) => bitOf(l.kh, depth) === 1);
  return sha256(Buffer.of(1), subtreeHash(left, depth + 1), subtreeHash(right, depth + 1));
}

/** The root (hex) of the map holding exactly these (key, value) pairs. */
export function naiveRoot(entries: readonly { key: string; value: Json }[]): string {
  return subtreeHash(
    entries.map((e) => leafOf(e.key, e.value)),
    0,
  ).toString('hex');
}

/**
 * The root (hex) a wire-form proof leads to for `key` holding `value`
 * (null: absence), or null when the proof does not fit the claim. The same
 * checks as the spec, written out once more from the page.
 */
export function naiveRootFromProof(
  key: string,
  value: Json | null,
  proof: { siblings: string[]; terminal: { kind: string; keyHash?: string; valueHash?: string } },
): string | null {
  const me = leafOf(key, value ?? {});
  const depth = proof.siblings.length;
  if (depth > 256) return null;
  let hash: Buffer;
  if (proof.terminal.kind === 'value') {
    if (value === null) return null;
    hash = sha256(Buffer.of(0), me.khBytes, me.vh);
  } else if (proof.terminal.kind === 'empty') {
    if (value !== null) return null;
    hash = Buffer.alloc(32);
  } else {
    if (value !== null) return null;
    const other = Buffer.from(proof.terminal.keyHash!, 'base64');
    const otherBits = BigInt(`0x${other.toString('hex')}`);
    if (otherBits === me.kh) return null;
    for (let i = 0; i < depth; i++) if (bitOf(otherBits, i) !== bitOf(me.kh, i)) return null;
    hash = sha256(Buffer.of(0), other, Buffer.from(proof.terminal.valueHash!, 'base64'));
  }
  for (let i = depth - 1; i >= 0; i--) {
    const text = proof.siblings[depth - 1 - i]!;
    const sibling = text === '' ? Buffer.alloc(32) : Buffer.from(text, 'base64');
    hash = bitOf(me.kh, i) === 0 ? sha256(Buffer.of(1), hash, sibling) : sha256(Buffer.of(1), sibling, hash);
  }
  return hash.toString('hex');
}
