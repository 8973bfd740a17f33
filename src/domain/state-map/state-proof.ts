/**
 * State-map proofs (docs/state-map.md §3–4): what a verifier needs to check,
 * against a signed map root, that a key holds a value, or holds none.
 *
 * A proof is the terminal where the key's path ends, plus the sibling hashes
 * from that terminal up to the root (nearest the terminal first, like an
 * RFC 6962 audit path). The terminal is the key's own leaf (membership; the
 * verifier brings the value), another key's leaf whose key hash shares the
 * path so far (absence), or an empty subtree (absence).
 *
 * Why a shortcut leaf cannot be forged: walking the real tree from the root
 * along the proof, every recomputed hash must equal the real node at that
 * position (collision resistance). The proof's terminal therefore sits exactly
 * where the real path ends, unless a leaf hash (0x00 ‖ …) equals an internal
 * node hash (0x01 ‖ …), a SHA-256 collision between differently prefixed
 * inputs, or an internal or leaf hash equals the 32 zero bytes of an empty
 * subtree, a SHA-256 preimage of zero. Neither is feasible.
 *
 * Everything here treats its input as hostile: the wire form is parsed
 * strictly (unknown fields, non-canonical base64 and an all-zero hash written
 * out are refused, so one proof has one JSON form), sizes are bounded before
 * anything is decoded or hashed, and `verifyStateProof` returns false rather
 * than throwing on a bad proof.
 */

import { decodeBase64, encodeBase64 } from '../crypto/base64.js';
import { hashesEqual } from '../log/rfc6962.js';
import type { JsonObject } from '../shared/json.js';
import {
  commonPrefixBits,
  EMPTY_STATE_ROOT,
  isEmptyStateHash,
  NOBLE_STATE_HASHER,
  STATE_HASH_SIZE,
  STATE_KEY_BITS,
  type StateHasher,
  stateBit,
  stateKeyHash,
  stateValueHash,
} from './state-hash.js';
import { StateProofError } from './state-proof-error.js';

export type StateProofTerminal =
  /** The key's own leaf; its hash is computed from the key and the value the verifier brings. */
  | { readonly kind: 'value' }
  /** Another key's leaf, alone in the subtree the key's path leads to: the key is absent. */
  | { readonly kind: 'leaf'; readonly keyHash: Uint8Array; readonly valueHash: Uint8Array }
  /** An empty subtree on the key's path: the key is absent. */
  | { readonly kind: 'empty' };

export interface StateProof {
  /** Sibling hashes from the terminal up to the root; 32 zero bytes for an empty sibling. depth = length. */
  readonly siblings: readonly Uint8Array[];
  readonly terminal: StateProofTerminal;
}

/** The JSON wire form: hashes in standard padded base64, the empty hash as "". */
export interface StateProofJson {
  siblings: string[];
  terminal: { kind: 'value' } | { kind: 'leaf'; keyHash: string; valueHash: string } | { kind: 'empty' };
}

/** A proof together with what it proves, as the store hands it out. */
export interface ProvenState {
  /** The key's value at that version, or null when the key is absent. */
  readonly value: JsonObject | null;
  readonly proof: StateProof;
}

/** Characters of a 32-byte hash in padded base64. */
const HASH_BASE64_LENGTH = 44;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function checkFields(value: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const name of Object.keys(value)) {
    // Unknown fields are refused so that a proof has exactly one JSON form (nothing rides along unhashed).
    if (!allowed.includes(name))
      throw new StateProofError('PROOF_MALFORMED', `${what} has an unknown field "${name}"`);
  }
  for (const name of allowed) {
    if (!Object.hasOwn(value, name)) throw new StateProofError('PROOF_MALFORMED', `${what} lacks "${name}"`);
  }
}

function decodeHash(text: unknown, what: string): Uint8Array {
  // Length first: a megabyte of "base64" is refused without being decoded.
  if (typeof text !== 'string' || text.length !== HASH_BASE64_LENGTH) {
    throw new StateProofError('HASH_MALFORMED', `${what} must be 32 bytes in padded base64`);
  }
  const bytes = decodeBase64(text);
  if (bytes === null || bytes.length !== STATE_HASH_SIZE) {
    throw new StateProofError('HASH_MALFORMED', `${what} is not canonical base64 of 32 bytes`);
  }
  return bytes;
}

function decodeSibling(text: unknown, index: number): Uint8Array {
  if (text === '') return new Uint8Array(STATE_HASH_SIZE);
  const bytes = decodeHash(text, `sibling ${index}`);
  // One form per proof: the empty hash is always "", never its base64.
  if (isEmptyStateHash(bytes)) {
    throw new StateProofError(
      'HASH_MALFORMED',
      `sibling ${index} writes the empty hash as base64; it must be ""`,
    );
  }
  return bytes;
}

function parseTerminal(json: unknown): StateProofTerminal {
  if (!isPlainObject(json)) throw new StateProofError('PROOF_MALFORMED', 'terminal must be a JSON object');
  switch (json['kind']) {
    case 'value':
    case 'empty':
      checkFields(json, ['kind'], `a "${json['kind']}" terminal`);
      return { kind: json['kind'] };
    case 'leaf':
      checkFields(json, ['kind', 'keyHash', 'valueHash'], 'a "leaf" terminal');
      return {
        kind: 'leaf',
        keyHash: decodeHash(json['keyHash'], 'terminal keyHash'),
        valueHash: decodeHash(json['valueHash'], 'terminal valueHash'),
      };
    default:
      throw new StateProofError('PROOF_MALFORMED', 'terminal kind must be "value", "leaf" or "empty"');
  }
}

/**
 * Parses the JSON wire form (already JSON.parse'd) of a proof. Throws
 * StateProofError: PROOF_MALFORMED for the wrong shape, PROOF_TOO_DEEP for
 * more than 256 siblings (checked before any is decoded), HASH_MALFORMED for
 * a hash that is not canonical base64 of 32 bytes or an empty hash written out.
 */
export function parseStateProof(json: unknown): StateProof {
  if (!isPlainObject(json))
    throw new StateProofError('PROOF_MALFORMED', 'a state proof must be a JSON object');
  checkFields(json, ['siblings', 'terminal'], 'a state proof');
  const siblings = json['siblings'];
  if (!Array.isArray(siblings)) throw new StateProofError('PROOF_MALFORMED', 'siblings must be an array');
  if (siblings.length > STATE_KEY_BITS) {
    throw new StateProofError(
      'PROOF_TOO_DEEP',
      `${siblings.length} siblings; a 256-bit key path has at most 256`,
    );
  }
  const terminal = parseTerminal(json['terminal']);
  return { siblings: siblings.map((s, i) => decodeSibling(s, i)), terminal };
}

/** The JSON wire form of a proof (the inverse of parseStateProof). */
export function stateProofToJson(proof: StateProof): StateProofJson {
  const siblings = proof.siblings.map((s) => (isEmptyStateHash(s) ? '' : encodeBase64(s)));
  const { terminal } = proof;
  if (terminal.kind === 'leaf') {
    return {
      siblings,
      terminal: {
        kind: 'leaf',
        keyHash: encodeBase64(terminal.keyHash),
        valueHash: encodeBase64(terminal.valueHash),
      },
    };
  }
  return { siblings, terminal: { kind: terminal.kind } };
}

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === STATE_HASH_SIZE;
}

/** The in-memory proof may come from anywhere (plain JS, a decoded bundle): check it like wire input. */
function checkProofShape(proof: unknown): asserts proof is StateProof {
  if (!isPlainObject(proof)) throw new StateProofError('PROOF_MALFORMED', 'a state proof must be an object');
  const { siblings, terminal } = proof as { siblings?: unknown; terminal?: unknown };
  if (!Array.isArray(siblings)) throw new StateProofError('PROOF_MALFORMED', 'siblings must be an array');
  if (siblings.length > STATE_KEY_BITS) {
    throw new StateProofError(
      'PROOF_TOO_DEEP',
      `${siblings.length} siblings; a 256-bit key path has at most 256`,
    );
  }
  siblings.forEach((s, i) => {
    if (!isHash(s)) throw new StateProofError('HASH_MALFORMED', `sibling ${i} must be a 32-byte Uint8Array`);
  });
  if (!isPlainObject(terminal)) throw new StateProofError('PROOF_MALFORMED', 'terminal must be an object');
  const kind = (terminal as { kind?: unknown }).kind;
  if (kind === 'leaf') {
    const { keyHash, valueHash } = terminal as { keyHash?: unknown; valueHash?: unknown };
    if (!isHash(keyHash) || !isHash(valueHash)) {
      throw new StateProofError('HASH_MALFORMED', 'a leaf terminal needs a 32-byte keyHash and valueHash');
    }
  } else if (kind !== 'value' && kind !== 'empty') {
    throw new StateProofError('PROOF_MALFORMED', 'terminal kind must be "value", "leaf" or "empty"');
  }
}

/** The hash the walk up starts from, after checking that the terminal fits the claim. */
function terminalHash(
  keyHash: Uint8Array,
  value: JsonObject | null,
  proof: StateProof,
  hasher: StateHasher,
): Uint8Array {
  const { terminal } = proof;
  if (value !== null) {
    if (terminal.kind !== 'value') {
      throw new StateProofError(
        'TERMINAL_MISMATCH',
        `a membership claim needs a "value" terminal, not "${terminal.kind}"`,
      );
    }
    return hasher.leafHash(keyHash, stateValueHash(value, hasher));
  }
  if (terminal.kind === 'value') {
    throw new StateProofError(
      'TERMINAL_MISMATCH',
      'an absence claim cannot end in the key\'s own "value" terminal',
    );
  }
  if (terminal.kind === 'empty') return EMPTY_STATE_ROOT as Uint8Array;
  // The key's own leaf proves membership, never absence.
  if (hashesEqual(terminal.keyHash, keyHash)) {
    throw new StateProofError(
      'TERMINAL_MISMATCH',
      "the terminal leaf is the key's own: that proves membership",
    );
  }
  // The other leaf must sit on the key's path: alone in the subtree the key would fall into.
  if (commonPrefixBits(terminal.keyHash, keyHash) < proof.siblings.length) {
    throw new StateProofError(
      'TERMINAL_MISMATCH',
      `the terminal leaf does not share the key's first ${proof.siblings.length} bits`,
    );
  }
  return hasher.leafHash(terminal.keyHash, terminal.valueHash);
}

/**
 * The root a proof leads to for `key` holding `value` (null: holding
 * nothing). Throws StateProofError for a malformed proof, an invalid key or
 * value, or a terminal that contradicts the claim; the caller compares the
 * returned root.
 */
export function rootFromStateProof(
  key: string,
  value: JsonObject | null,
  proof: StateProof,
  hasher: StateHasher = NOBLE_STATE_HASHER,
): Uint8Array {
  checkProofShape(proof);
  if (value === undefined)
    throw new StateProofError('VALUE_INVALID', 'the claimed value must be an object or null');
  const keyHash = stateKeyHash(key, hasher);
  let hash = terminalHash(keyHash, value, proof, hasher);
  const depth = proof.siblings.length;
  // siblings[j] is the sibling at depth depth − j; the parent sits at depth i = depth − 1 − j and branches on bit i.
  for (let j = 0; j < depth; j++) {
    const sibling = proof.siblings[j]!;
    hash =
      stateBit(keyHash, depth - 1 - j) === 0
        ? hasher.nodeHash(hash, sibling)
        : hasher.nodeHash(sibling, hash);
  }
  return hash;
}

/**
 * Checks that `key` holds `value` (or, for null, holds nothing) in the map
 * whose root is `root`. Returns nothing on success; throws StateProofError
 * with a code otherwise (ROOT_MISMATCH when a well-formed proof leads elsewhere).
 */
export function checkStateProof(
  root: Uint8Array,
  key: string,
  value: JsonObject | null,
  proof: StateProof,
  hasher: StateHasher = NOBLE_STATE_HASHER,
): void {
  if (!isHash(root)) throw new StateProofError('HASH_MALFORMED', 'the map root must be a 32-byte Uint8Array');
  const computed = rootFromStateProof(key, value, proof, hasher);
  if (!hashesEqual(computed, root)) {
    throw new StateProofError('ROOT_MISMATCH', `the proof for "${key}" does not lead to the map root`);
  }
}

/** checkStateProof as a boolean: false for any bad proof, claim, key or value; never throws for those. */
export function verifyStateProof(
  root: Uint8Array,
  key: string,
  value: JsonObject | null,
  proof: StateProof,
  hasher: StateHasher = NOBLE_STATE_HASHER,
): boolean {
  try {
    checkStateProof(root, key, value, proof, hasher);
    return true;
  } catch (error) {
    if (error instanceof StateProofError) return false;
    throw error;
  }
}
