/**
 * What the store keeps in memory between persisted versions: the changes
 * since the newest persisted version (the base), in log order, and for each
 * version whose root was asked for, a layer with the tree nodes that changed
 * since the version below it. Bounded by the store's cap on unpersisted
 * changes; everything older is in SQLite.
 */

import type { StateHasher } from '../../domain/state-map/index.js';
import { applyChanges, compareKeyHashes, type LeafChange } from './tree-update.js';
import type { MemNode, TreeView } from './tree-view.js';

/** One set(), as kept in memory and in state_changes. */
export interface Change {
  readonly version: number;
  readonly key: string;
  readonly keyHash: Uint8Array;
  readonly valueHash: Uint8Array;
  /** The value's RFC 8785 text. */
  readonly text: string;
}

export interface VersionLayer {
  readonly version: number;
  readonly root: Uint8Array;
  /** Nodes that differ from the layer below (or the base), by position. */
  readonly nodes: ReadonlyMap<string, MemNode>;
  /** The changes of versions (version of the layer below, version], in log order. */
  changes: Change[];
  /** The last of `changes` for each key. */
  latest: Map<string, Change>;
  /** Keys of `changes` that the version below already held (so they have older value rows). */
  readonly existed: ReadonlySet<string>;
}

export function latestByKey(changes: readonly Change[]): Map<string, Change> {
  const latest = new Map<string, Change>();
  for (const change of changes) latest.set(change.key, change);
  return latest;
}

/**
 * Hashes `changes` onto `view`: the new root, the nodes that changed, and
 * which changed keys `view` already held.
 */
export function hashChanges(
  view: TreeView,
  changes: readonly Change[],
  hasher: StateHasher,
): { root: Uint8Array; nodes: Map<string, MemNode>; existed: Set<string> } {
  const nodes = new Map<string, MemNode>();
  const existed = new Set<string>();
  if (changes.length === 0) return { root: view.node('', view.root).hash, nodes, existed };
  const latest = latestByKey(changes);
  const leaves: LeafChange[] = [];
  for (const change of latest.values()) {
    leaves.push({
      keyHash: change.keyHash,
      valueHash: change.valueHash,
      leafHash: hasher.leafHash(change.keyHash, change.valueHash),
    });
  }
  leaves.sort((a, b) => compareKeyHashes(a.keyHash, b.keyHash));
  const existedHashes = new Set<Uint8Array>();
  const root = applyChanges(view, leaves, hasher, nodes, existedHashes);
  for (const change of latest.values()) if (existedHashes.has(change.keyHash)) existed.add(change.key);
  return { root: root.hash, nodes, existed };
}
