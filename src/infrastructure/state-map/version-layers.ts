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
}

export function latestByKey(changes: readonly Change[]): Map<string, Change> {
  const latest = new Map<string, Change>();
  for (const change of changes) latest.set(change.key, change);
  return latest;
}

/** Hashes `changes` onto `view`: the new root and the nodes that changed. */
export function hashChanges(
  view: TreeView,
  changes: readonly Change[],
  hasher: StateHasher,
): { root: Uint8Array; nodes: Map<string, MemNode> } {
  const nodes = new Map<string, MemNode>();
  if (changes.length === 0) return { root: view.node('', view.root).hash, nodes };
  const leaves: LeafChange[] = [];
  for (const change of latestByKey(changes).values()) {
    leaves.push({
      keyHash: change.keyHash,
      valueHash: change.valueHash,
      leafHash: hasher.leafHash(change.keyHash, change.valueHash),
    });
  }
  leaves.sort((a, b) => compareKeyHashes(a.keyHash, b.keyHash));
  const root = applyChanges(view, leaves, hasher, nodes);
  return { root: root.hash, nodes };
}
