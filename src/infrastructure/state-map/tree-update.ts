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
  changedChild,
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

/** The subtree at `depth` holding exactly `leaves` (sorted, distinct, sharing the position's bits). */
function build(ctx: Context, depth: number, leaves: readonly LeafChange[]): MemNode {
  if (leaves.length === 0) return EMPTY_NODE;
  if (leaves.length === 1) {
    return leafNode(leaves[0]!);
  }
  // Two distinct 256-bit key hashes part at the latest at bit 255.
  if (depth >= STATE_KEY_BITS) throw new Error('two leaves share a key hash');
  const mid = splitIndex(leaves, 0, leaves.length, depth);
  const left = build(ctx, depth + 1, leaves.slice(0, mid));
  const right = build(ctx, depth + 1, leaves.slice(mid));
  // An empty side is as the base has it (below a leaf or an empty subtree, everything is empty).
  return {
    type: NODE_INTERNAL,
    hash: ctx.hasher.nodeHash(left.hash, right.hash),
    left: mid > 0 ? left : undefined,
    right: mid < leaves.length ? right : undefined,
  };
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

/**
 * The changed node at a position where changes [lo, hi) land (lo < hi):
 * `changed` is the node there in the view if it differs from the base, `ref`
 * the base's entry there.
 */
function update(
  ctx: Context,
  changes: readonly LeafChange[],
  depth: number,
  ref: BaseRef,
  changed: MemNode | undefined,
  lo: number,
  hi: number,
): MemNode {
  const current = ctx.view.node(changed, ref);
  if (current.type !== NODE_INTERNAL) return build(ctx, depth, withExisting(ctx, changes, lo, hi, current));
  const mid = splitIndex(changes, lo, hi, depth);
  // A side without changes keeps the view's link: the view's changed child, or none (as the base has it).
  let left = changedChild(changed, 0);
  let right = changedChild(changed, 1);
  let leftHash: Uint8Array;
  let rightHash: Uint8Array;
  if (lo < mid) {
    left = update(ctx, changes, depth + 1, ctx.view.child(ref, 0), left, lo, mid);
    leftHash = left.hash;
  } else leftHash = (left ?? ctx.view.node(undefined, ctx.view.child(ref, 0))).hash;
  if (mid < hi) {
    right = update(ctx, changes, depth + 1, ctx.view.child(ref, 1), right, mid, hi);
    rightHash = right.hash;
  } else rightHash = (right ?? ctx.view.node(undefined, ctx.view.child(ref, 1))).hash;
  return { type: NODE_INTERNAL, hash: ctx.hasher.nodeHash(leftHash, rightHash), left, right };
}

/**
 * Applies `changes` (sorted by key hash, one per key, at least one) to
 * `view`; the key hash of every change whose key the view already held goes
 * into `existed`, with the value version of the leaf it replaces.
 * Returns the new root node: every node that differs from the view's base is
 * reachable from it through the links of changed internal nodes
 * (MemNode.left/right), those this update made and those of the view.
 */
export function applyChanges(
  view: TreeView,
  changes: readonly LeafChange[],
  hasher: StateHasher,
  existed: Map<Uint8Array, number | undefined> = new Map(),
): MemNode {
  return update({ view, hasher, existed }, changes, 0, view.root, view.changedRoot, 0, changes.length);
}
