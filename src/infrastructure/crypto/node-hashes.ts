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

const LEAF_PREFIX = Buffer.of(0x00);
const NODE_PREFIX = Buffer.of(0x01);

/** RFC 6962 leaf and node hashes (SHA-256 of 0x00 ‖ leaf, of 0x01 ‖ left ‖ right) through node:crypto. */
export const NODE_TREE_HASHER: TreeHasher = {
  leafHash: (leaf) => hash('sha256', Buffer.concat([LEAF_PREFIX, leaf]), 'buffer'),
  nodeHash: (left, right) => hash('sha256', Buffer.concat([NODE_PREFIX, left, right]), 'buffer'),
};
