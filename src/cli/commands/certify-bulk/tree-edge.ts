/**
 * RFC 6962 hashing for certify-bulk's batch root, with hashes held as 32-character latin1 strings
 * (one character per byte): node:crypto's hash() answers such a string 1.5 to 2 times as fast as a
 * Buffer, and a million-record batch takes two million hashes (issue 14).
 *
 * TreeEdge is RootAccumulator's algorithm (src/domain/log/batch-tree.ts) over subtrees of any
 * power-of-two size: it keeps the roots of the complete subtrees on the tree's right edge, merges two
 * of equal size, and folds them right to left at the end, which is RFC 6962's split at the largest
 * power of two. Adding block roots of 2^p leaves each, then fewer than 2^p single leaves, gives the
 * same root as adding every leaf: every block starts at a multiple of 2^p, so each is a subtree of
 * the whole tree, and the leaves after them never complete a subtree as large as a block.
 */

import { hash } from 'node:crypto';

export const DIGEST_SIZE = 32;

// Reused inputs of the two fixed-size hashes: SHA-256(0x00 ‖ digest) and SHA-256(0x01 ‖ left ‖ right).
const LEAF_INPUT = Buffer.alloc(1 + DIGEST_SIZE, 0x00);
const NODE_INPUT = Buffer.alloc(1 + 2 * DIGEST_SIZE, 0x01);

/** SHA-256(0x00 ‖ digest i of `digests`), latin1. */
function leafHash(digests: Buffer, i: number): string {
  digests.copy(LEAF_INPUT, 1, i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE);
  return hash('sha256', LEAF_INPUT, 'binary');
}

/** SHA-256(0x01 ‖ left ‖ right), each latin1. */
function nodeHash(left: string, right: string): string {
  NODE_INPUT.write(left, 1, 'latin1');
  NODE_INPUT.write(right, 1 + DIGEST_SIZE, 'latin1');
  return hash('sha256', NODE_INPUT, 'binary');
}

export class TreeEdge {
  /** Roots of the complete subtrees so far, largest (leftmost) first, and their sizes in leaves. */
  private readonly roots: string[] = [];
  private readonly sizes: number[] = [];

  /** Adds the root of the next complete subtree of `size` leaves (a power of two, at most the last one's). */
  addSubtree(root: string, size: number): void {
    let node = root;
    let leaves = size;
    while (this.sizes.length > 0 && this.sizes[this.sizes.length - 1] === leaves) {
      node = nodeHash(this.roots.pop()!, node);
      this.sizes.pop();
      leaves *= 2;
    }
    this.roots.push(node);
    this.sizes.push(leaves);
  }

  /** Adds digests [from, to) of `digests` (count × 32 bytes) as leaves. */
  addLeaves(digests: Buffer, from: number, to: number): void {
    for (let i = from; i < to; i++) this.addSubtree(leafHash(digests, i), 1);
  }

  /** The root of everything added, latin1; at least one leaf must have been. */
  root(): string {
    let root = this.roots[this.roots.length - 1]!;
    for (let i = this.roots.length - 2; i >= 0; i--) root = nodeHash(this.roots[i]!, root);
    return root;
  }
}

/** The root of the complete subtree over digests [from, from + leaves), latin1; `leaves` is a power of two. */
export function subtreeRoot(digests: Buffer, from: number, leaves: number): string {
  const edge = new TreeEdge();
  edge.addLeaves(digests, from, from + leaves);
  return edge.root();
}
