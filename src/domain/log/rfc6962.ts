/**
 * RFC 6962 / RFC 9162 §2.1.1 Merkle tree hashing. The 0x00 / 0x01 prefixes
 * separate leaves from interior nodes so that no interior node can be passed
 * off as a leaf (second-preimage resistance of the tree).
 */

import { sha256 } from '@noble/hashes/sha2.js';

/** Every hash in the tree is a SHA-256 digest. */
export const HASH_SIZE = 32;

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/** SHA-256(0x00 ‖ leaf): the hash of one log entry. */
export function leafHash(leaf: Uint8Array): Uint8Array {
  const input = new Uint8Array(1 + leaf.length);
  input[0] = LEAF_PREFIX;
  input.set(leaf, 1);
  return sha256(input);
}

/** SHA-256(0x01 ‖ left ‖ right): the hash of an interior node. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const input = new Uint8Array(1 + left.length + right.length);
  input[0] = NODE_PREFIX;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return sha256(input);
}

/**
 * The tree's two hash functions, as a port. The functions above use
 * @noble/hashes and run anywhere, the citizen's browser included; a node
 * passes node:crypto's (src/infrastructure/crypto/node-hashes.ts), which give
 * the same bytes several times faster.
 */
export interface TreeHasher {
  leafHash(leaf: Uint8Array): Uint8Array;
  nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array;
}

/** The pure default TreeHasher: leafHash and nodeHash above. */
export const RFC6962_HASHER: TreeHasher = { leafHash, nodeHash };

const EMPTY_ROOT = sha256(new Uint8Array(0));

/**
 * The root of the empty tree, SHA-256 of the empty string (RFC 6962 §2.1).
 * golang.org/x/mod/sumdb/tlog uses an all-zero hash instead; the checkpoint
 * spec asks for the RFC 6962 root, so this module follows the RFC. A fresh copy
 * each call, because a shared Uint8Array could be mutated by any caller.
 */
export function emptyRoot(): Uint8Array {
  return EMPTY_ROOT.slice();
}

/** Byte equality. Not constant-time: every input here (hashes, roots) is public. */
export function hashesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return false;
  }
  return true;
}
