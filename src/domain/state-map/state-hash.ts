/**
 * The hashing of the state map (docs/state-map.md §2): a sparse Merkle tree
 * over SHA-256 with shortcut leaves.
 *
 *   key hash   kh = SHA-256(UTF-8(key))
 *   value hash vh = SHA-256(RFC 8785 bytes of the value, a JSON object)
 *   leaf       SHA-256(0x00 ‖ kh ‖ vh)
 *   node       SHA-256(0x01 ‖ left ‖ right)
 *   empty      32 zero bytes, at every depth (the root of the empty map too)
 *
 * The 0x00 / 0x01 prefixes are RFC 6962's: a leaf hash can never equal a node
 * hash, which is what keeps shortcut leaves sound (see state-proof.ts).
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { canonicalJson } from '../canonical/canonical-json.js';
import type { JsonObject } from '../shared/json.js';
import { StateProofError } from './state-proof-error.js';

/** Every hash in the map is a SHA-256 digest. */
export const STATE_HASH_SIZE = 32;
/** A key hash has 256 bits, so no path (and no proof) is longer. */
export const STATE_KEY_BITS = 256;
/** Keys are short names (certification/crt_…, key/ed25519:…); anything longer is a caller's mistake. */
export const MAX_STATE_KEY_BYTES = 1024;

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/**
 * The root of the empty map and the hash of every empty subtree: 32 zero
 * bytes. Shared, so never write into it; compare with isEmptyStateHash.
 */
export const EMPTY_STATE_ROOT: Readonly<Uint8Array> = new Uint8Array(STATE_HASH_SIZE);

/**
 * The map's three SHA-256 uses, as a port. The default runs on @noble/hashes
 * anywhere, the citizen's browser included; a node passes node:crypto's
 * (src/infrastructure/state-map/node-state-hasher.ts): the same bytes, cheaper.
 */
export interface StateHasher {
  /** SHA-256 of arbitrary bytes: key and value hashes. */
  digest(data: Uint8Array): Uint8Array;
  /** SHA-256(0x00 ‖ keyHash ‖ valueHash). */
  leafHash(keyHash: Uint8Array, valueHash: Uint8Array): Uint8Array;
  /** SHA-256(0x01 ‖ left ‖ right). */
  nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array;
}

function prefixed(prefix: number, a: Uint8Array, b: Uint8Array): Uint8Array {
  const input = new Uint8Array(1 + a.length + b.length);
  input[0] = prefix;
  input.set(a, 1);
  input.set(b, 1 + a.length);
  return input;
}

/** The pure default StateHasher (@noble/hashes). */
export const NOBLE_STATE_HASHER: StateHasher = {
  digest: (data) => sha256(data),
  leafHash: (keyHash, valueHash) => sha256(prefixed(LEAF_PREFIX, keyHash, valueHash)),
  nodeHash: (left, right) => sha256(prefixed(NODE_PREFIX, left, right)),
};

const encoder = new TextEncoder();
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * UTF-8 bytes of a key. Lone surrogates are refused: TextEncoder would turn
 * them into U+FFFD, so two different strings would share one key hash.
 */
export function stateKeyBytes(key: string): Uint8Array {
  if (typeof key !== 'string' || LONE_SURROGATE.test(key)) {
    throw new StateProofError('KEY_INVALID', 'a state key must be a well-formed Unicode string');
  }
  const bytes = encoder.encode(key);
  // Bounded before hashing: a key is a short name, never a payload.
  if (bytes.length === 0 || bytes.length > MAX_STATE_KEY_BYTES) {
    throw new StateProofError(
      'KEY_INVALID',
      `a state key must have 1 to ${MAX_STATE_KEY_BYTES} UTF-8 bytes, not ${bytes.length}`,
    );
  }
  return bytes;
}

/** kh = SHA-256(UTF-8(key)); bit i of kh (most significant first) picks the child at depth i. */
export function stateKeyHash(key: string, hasher: StateHasher = NOBLE_STATE_HASHER): Uint8Array {
  return hasher.digest(stateKeyBytes(key));
}

function isPlainObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The RFC 8785 text of a value, which must be a JSON object. */
export function stateValueText(value: JsonObject): string {
  if (!isPlainObject(value))
    throw new StateProofError('VALUE_INVALID', 'a state value must be a JSON object');
  try {
    return canonicalJson(value);
  } catch (error) {
    // Non-finite numbers, cycles, BigInt: no RFC 8785 form, so no hash either.
    throw new StateProofError('VALUE_INVALID', `a state value has no RFC 8785 form: ${String(error)}`);
  }
}

/** vh = SHA-256(RFC 8785 bytes of the value). */
export function stateValueHash(value: JsonObject, hasher: StateHasher = NOBLE_STATE_HASHER): Uint8Array {
  return hasher.digest(encoder.encode(stateValueText(value)));
}

/** SHA-256(0x00 ‖ kh ‖ vh): the hash of a key's leaf. */
export function stateLeafHash(
  keyHash: Uint8Array,
  valueHash: Uint8Array,
  hasher: StateHasher = NOBLE_STATE_HASHER,
): Uint8Array {
  return hasher.leafHash(keyHash, valueHash);
}

/** SHA-256(0x01 ‖ left ‖ right): the hash of an internal node. */
export function stateNodeHash(
  left: Uint8Array,
  right: Uint8Array,
  hasher: StateHasher = NOBLE_STATE_HASHER,
): Uint8Array {
  return hasher.nodeHash(left, right);
}

/** True for the 32 zero bytes of an empty subtree. */
export function isEmptyStateHash(hash: Uint8Array): boolean {
  if (hash.length !== STATE_HASH_SIZE) return false;
  for (let i = 0; i < STATE_HASH_SIZE; i++) if (hash[i] !== 0) return false;
  return true;
}

/** Bit `index` of a 256-bit hash, most significant bit of byte 0 first. */
export function stateBit(hash: Uint8Array, index: number): 0 | 1 {
  return ((hash[index >> 3]! >> (7 - (index & 7))) & 1) as 0 | 1;
}

/** Number of leading bits two hashes share (256 when equal). */
export function commonPrefixBits(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < STATE_HASH_SIZE; i++) {
    const x = a[i]! ^ b[i]!;
    if (x !== 0) return i * 8 + Math.clz32(x) - 24;
  }
  return STATE_KEY_BITS;
}
