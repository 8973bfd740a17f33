/**
 * Applies a batch of changed leaves to a tree view and returns the nodes
 * that change, linked from the new root: the internal nodes on the changed
 * paths (one SHA-256 each, shared paths hashed once) and the new or moved leaves. This
 * is docs/state-map.md §2's shape rule applied incrementally: a subtree with
 * one key is that key's leaf, so a new key arriving next to a leaf pushes
 * both down to where their key hashes part.
 */

import { STATE_KEY_BITS, type StateHasher, stateBit } from '../../domain/state-map/index.js';
import {
  type BaseRef,
  EMPTY_NODE,
  type MemNode,
  NODE_INTERNAL,
  NODE_LEAF,
  type TreeView,
} from './tree-view.js';

/** A leaf to place: a changed key, or an existing leaf pushed down. */
export interface LeafChange {
  readonly keyHash: Uint8Array;
  readonly valueHash: Uint8Array;
  readonly leafHash: Uint8Array;
  /** The version the value was set at; undefined for a leaf of a file written before it was recorded. */
  readonly valueVersion: number | undefined;
}

export function compareKeyHashes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

interface Context {
  readonly view: TreeView;
  readonly hasher: StateHasher;
  /** Key hashes (the changes' own arrays) of changed keys the view already held → that leaf's value version. */
  readonly existed: Map<Uint8Array, number | undefined>;
}

/** First index in [lo, hi) whose key hash has bit `depth` set; the range is sorted and shares bits < depth. */
function splitIndex(leaves: readonly LeafChange[], lo: number, hi: number, depth: number): number {
  let a = lo;
  let b = hi;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (stateBit(leaves[m]!.keyHash, depth) === 0) a = m + 1;
    else b = m;
  }
  return a;
}

function leafNode(leaf: LeafChange): MemNode {
  return {
    type: NODE_LEAF,
    hash: leaf.leafHash,
    keyHash: leaf.keyHash,
    valueHash: leaf.valueHash,
    valueVersion: leaf.valueVersion,
  };
}

/** The subtree at `position` holding exactly `leaves` (sorted, distinct, sharing the position's bits). */
function build(ctx: Context, position: string, depth: number, leaves: readonly LeafChange[]): MemNode {
  if (leaves.length === 0) return EMPTY_NODE;
  if (leaves.length === 1) {
    return leafNode(leaves[0]!);
  }
  // Two distinct 256-bit key hashes part at the latest at bit 255.
  if (depth >= STATE_KEY_BITS) throw new Error('two leaves share a key hash');
  const mid = splitIndex(leaves, 0, leaves.length, depth);
  const left = build(ctx, `${position}0`, depth + 1, leaves.slice(0, mid));
  const right = build(ctx, `${position}1`, depth + 1, leaves.slice(mid));
  // An empty side is as it was (below a leaf or an empty subtree, everything is empty).
  const node: MemNode = {
    type: NODE_INTERNAL,
    hash: ctx.hasher.nodeHash(left.hash, right.hash),
    left: mid > 0 ? left : undefined,
    right: mid < leaves.length ? right : undefined,
  };
  return node;
}

/** The changes of a range, plus the leaf already at the position unless one of them replaces it. */
function withExisting(
  ctx: Context,
  changes: readonly LeafChange[],
  lo: number,
  hi: number,
  current: MemNode,
): LeafChange[] {
  const range = changes.slice(lo, hi);
  if (current.type !== NODE_LEAF) return range;
  const existing: LeafChange = {
    // Copied: the base page's buffer should not be kept alive by the layer.
    keyHash: current.keyHash!.slice(),
    valueHash: current.valueHash!.slice(),
    leafHash: current.hash.slice(),
    valueVersion: current.valueVersion,
  };
  let at = 0;
  while (at < range.length && compareKeyHashes(range[at]!.keyHash, existing.keyHash) < 0) at++;
  if (at < range.length && compareKeyHashes(range[at]!.keyHash, existing.keyHash) === 0) {
    // A key's leaf lies on its path, where the walk stops: meeting it here is the only way the view holds it.
    ctx.existed.set(range[at]!.keyHash, current.valueVersion);
    return range;
  }
  range.splice(at, 0, existing);
  return range;
}

function update(
  ctx: Context,
  changes: readonly LeafChange[],
  position: string,
  ref: BaseRef,
  lo: number,
  hi: number,
): MemNode {
  const current = ctx.view.node(position, ref);
  if (lo === hi) return current;
  const depth = position.length;
  if (current.type !== NODE_INTERNAL)
    return build(ctx, position, depth, withExisting(ctx, changes, lo, hi, current));
  const mid = splitIndex(changes, lo, hi, depth);
  const left = update(ctx, changes, `${position}0`, ctx.view.child(ref, 0), lo, mid);
  const right = update(ctx, changes, `${position}1`, ctx.view.child(ref, 1), mid, hi);
  // A side without changes is returned as the view has it, unchanged.
  const node: MemNode = {
    type: NODE_INTERNAL,
    hash: ctx.hasher.nodeHash(left.hash, right.hash),
    left: lo < mid ? left : undefined,
    right: mid < hi ? right : undefined,
  };
  return node;
}

/**
 * Applies `changes` (sorted by key hash, one per key) to `view`; the key hash
 * of every change whose key the view already held goes into `existed`, with
 * the value version of the leaf it replaces.
 * Returns the new root node: every node that changed is reachable from it
 * through the links of changed internal nodes (MemNode.left/right).
 */
export function applyChanges(
  view: TreeView,
  changes: readonly LeafChange[],
  hasher: StateHasher,
  existed: Map<Uint8Array, number | undefined> = new Map(),
): MemNode {
  return update({ view, hasher, existed }, changes, '', view.root, 0, changes.length);
}
