import { hash } from 'node:crypto';
import type { TreeHasher } from '../../domain/log/rfc6962.js';

/**
 * SHA-256 through node:crypto (OpenSSL), for the node's hot paths: the same
 * bytes as @noble/hashes, which the pure domain uses by default so that it
 * also runs in the browser, at a fifth to a seventh of the cost on command
 * payloads and log leaves (a few hundred bytes to a few kB).
 */

/** Lowercase hex SHA-256. */
export function sha256Hex(data: Uint8Array): string {
  return hash('sha256', data, 'hex');
}

/** SHA-256 through node:crypto, as a Buffer (a Uint8Array): for the domain's injectable digest ports. */
export function sha256Bytes(data: Uint8Array): Uint8Array {
  return hash('sha256', data, 'buffer');
}

const LEAF_PREFIX = Buffer.of(0x00);
const NODE_PREFIX = Buffer.of(0x01);
// Reused inputs for the fixed-size cases (a digest leaf, two 32-byte children): a bulk batch hashes two
// million of them, and a Buffer.concat each was a third of that time in allocation and GC (issue 14).
// Safe to share: hash() is synchronous and copies nothing out of them.
const LEAF_INPUT = Buffer.alloc(33, 0x00);
const NODE_INPUT = Buffer.alloc(65, 0x01);

/** RFC 6962 leaf and node hashes (SHA-256 of 0x00 ‖ leaf, of 0x01 ‖ left ‖ right) through node:crypto. */
export const NODE_TREE_HASHER: TreeHasher = {
  leafHash: (leaf) => {
    if (leaf.length !== 32) return hash('sha256', Buffer.concat([LEAF_PREFIX, leaf]), 'buffer');
    LEAF_INPUT.set(leaf, 1);
    return hash('sha256', LEAF_INPUT, 'buffer');
  },
  nodeHash: (left, right) => {
    if (left.length !== 32 || right.length !== 32)
      return hash('sha256', Buffer.concat([NODE_PREFIX, left, right]), 'buffer');
    NODE_INPUT.set(left, 1);
    NODE_INPUT.set(right, 33);
    return hash('sha256', NODE_INPUT, 'buffer');
  },
};
