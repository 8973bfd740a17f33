/**
 * What the store keeps in memory between persisted versions: the changes
 * since a persisted version (the base), in log order, and for each version
 * whose root was asked for, a layer: its root and the tree nodes that differ
 * from the base, reached by links from the root. An update copies the path to
 * each change and links everything else to the layer below, so the layers
 * share their nodes and each one alone is its version's tree over the base.
 * Bounded by the store's cap on changes in memory; everything older is in
 * SQLite.
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
  /** The root node if it differs from the base's, linked to every node that does (MemNode.left/right). */
  readonly changedRoot: MemNode | undefined;
  /** The changes of versions (version of the layer below, version], in log order. */
  changes: Change[];
  /** The last of `changes` for each key. */
  latest: Map<string, Change>;
  /**
   * Keys of `changes` that the version below already held (so they have an
   * older value row), with the version of that row (undefined: a row in
   * state_values, from a file written before state_values_at).
   */
  readonly existed: Map<string, number | undefined>;
}

export function latestByKey(changes: readonly Change[]): Map<string, Change> {
  const latest = new Map<string, Change>();
  for (const change of changes) latest.set(change.key, change);
  return latest;
}

export interface HashedChanges {
  readonly root: Uint8Array;
  /** The new root node, linked to every node that differs from the view's base; undefined when none does. */
  readonly changedRoot: MemNode | undefined;
  /** The last change of each key. */
  readonly latest: Map<string, Change>;
  /** Keys of the changes that `view` already held, with the value version of the leaf each replaces. */
  readonly existed: Map<string, number | undefined>;
}

/** Hashes `changes` onto `view`. */
export function hashChanges(view: TreeView, changes: readonly Change[], hasher: StateHasher): HashedChanges {
  const existed = new Map<string, number | undefined>();
  const latest = latestByKey(changes);
  if (changes.length === 0) {
    return {
      root: view.node(view.changedRoot, view.root).hash,
      changedRoot: view.changedRoot,
      latest,
      existed,
    };
  }
  const leaves: LeafChange[] = [];
  for (const change of latest.values()) {
    leaves.push({
      keyHash: change.keyHash,
      valueHash: change.valueHash,
      leafHash: hasher.leafHash(change.keyHash, change.valueHash),
      valueVersion: change.version,
    });
  }
  leaves.sort((a, b) => compareKeyHashes(a.keyHash, b.keyHash));
  const existedHashes = new Map<Uint8Array, number | undefined>();
  const root = applyChanges(view, leaves, hasher, existedHashes);
  for (const change of latest.values()) {
    if (existedHashes.has(change.keyHash)) existed.set(change.key, existedHashes.get(change.keyHash));
  }
  return { root: root.hash, changedRoot: root, latest, existed };
}
