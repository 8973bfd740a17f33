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
  /** The root node if it changed, linked to every changed node below it (MemNode.left/right). */
  readonly changedRoot: MemNode | undefined;
  /**
   * Nodes that differ from the layer below (or the base), by position: built
   * from the links when first asked for. The node's usual path (root, then
   * retain of the same version) never asks, and skips a map of every changed node.
   */
  readonly nodes: ReadonlyMap<string, MemNode>;
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

export function versionLayer(fields: Omit<VersionLayer, 'nodes'>): VersionLayer {
  let nodes: Map<string, MemNode> | undefined;
  return {
    ...fields,
    get nodes() {
      nodes ??= nodesByPosition(fields.changedRoot);
      return nodes;
    },
  };
}

/** The changed nodes by position, from a changed root's links (which reach every one of them). */
export function nodesByPosition(root: MemNode | undefined): Map<string, MemNode> {
  const out = new Map<string, MemNode>();
  const visit = (node: MemNode, position: string): void => {
    out.set(position, node);
    if (node.left !== undefined) visit(node.left, `${position}0`);
    if (node.right !== undefined) visit(node.right, `${position}1`);
  };
  if (root !== undefined) visit(root, '');
  return out;
}

export function latestByKey(changes: readonly Change[]): Map<string, Change> {
  const latest = new Map<string, Change>();
  for (const change of changes) latest.set(change.key, change);
  return latest;
}

export interface HashedChanges {
  readonly root: Uint8Array;
  /** The new root node, linked to every node that changed; undefined when nothing did. */
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
    return { root: view.node('', view.root).hash, changedRoot: undefined, latest, existed };
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
