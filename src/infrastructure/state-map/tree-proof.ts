import { stateBit } from '../../domain/state-map/index.js';
import { changedChild, type MemNode, NODE_INTERNAL, type TreeView } from './tree-view.js';

export interface ProofWalk {
  /** Sibling hashes, nearest the terminal first. */
  readonly siblings: Uint8Array[];
  /** Where the key's path ends: an empty subtree or a leaf (the key's own or another's). */
  readonly terminal: MemNode;
}

/** Follows a key hash's bits from the root of `view` to the first leaf or empty subtree. */
export function walkProof(view: TreeView, keyHash: Uint8Array): ProofWalk {
  const siblings: Uint8Array[] = [];
  const terminal = walkToTerminal(view, keyHash, (hash) => siblings.push(hash));
  siblings.reverse();
  return { siblings, terminal };
}

/**
 * The leaf or empty subtree where a key hash's path ends in `view`; `onSibling`, when given, is told the
 * hash of each sibling on the way down, nearest the root first.
 */
export function walkToTerminal(
  view: TreeView,
  keyHash: Uint8Array,
  onSibling?: (hash: Uint8Array) => void,
): MemNode {
  let depth = 0;
  let ref = view.root;
  let changed = view.changedRoot;
  let node = view.node(changed, ref);
  while (node.type === NODE_INTERNAL) {
    const bit = stateBit(keyHash, depth);
    if (onSibling !== undefined) {
      const other = bit === 0 ? 1 : 0;
      // Only the sibling's hash is needed: a changed node or a pointer entry already carries it, no page load.
      const sibling = changedChild(changed, other);
      onSibling((sibling ?? view.node(undefined, view.child(ref, other))).hash);
    }
    changed = changedChild(changed, bit);
    ref = view.child(ref, bit);
    depth++;
    node = view.node(changed, ref);
  }
  return node;
}
