/**
 * One version of the state map's tree, as the store reads it: the pages of a
 * persisted version (the base) with the in-memory nodes that changed since,
 * linked from the version's changed root (MemNode.left/right). A position is
 * read as a pair: the changed node there, if any, and the base's entry there.
 * A position no changed node links to is as the base has it.
 *
 * Keys are never removed, so a position only ever goes empty → leaf →
 * internal. Below a position that is a leaf or empty in the version, the base
 * is a leaf or empty too, which is why a missing base reference means empty.
 */

import { type DecodedPage, ENTRY_CHILD, ENTRY_INTERNAL, PAGE_LEVELS } from './state-page.js';
import { EMPTY_NODE, type MemNode } from './tree-node.js';

export { EMPTY_NODE, type MemNode, NODE_EMPTY, NODE_INTERNAL, NODE_LEAF } from './tree-node.js';

/** An entry of a base page, or null for a position under a base leaf or empty subtree (empty). */
export type BaseRef = { readonly page: DecodedPage; readonly index: number } | null;

export interface PageSource {
  /** The page with row id `id`, whose root node sits at `depth`. */
  page(id: number, depth: number): DecodedPage;
}

/** The changed child on side `bit` of a changed node, undefined when that child is as the base has it. */
export function changedChild(changed: MemNode | undefined, bit: 0 | 1): MemNode | undefined {
  if (changed === undefined) return undefined;
  return bit === 0 ? changed.left : changed.right;
}

export class TreeView {
  constructor(
    /** The base version's root entry (index 0 of its root page), null for the empty map. */
    readonly root: BaseRef,
    /** The version's root node if it differs from the base's, linked to every node that does. */
    readonly changedRoot: MemNode | undefined,
    private readonly pages: PageSource,
  ) {}

  /** The node at a position: the changed one if there is one, else the base's. */
  node(changed: MemNode | undefined, ref: BaseRef): MemNode {
    if (changed !== undefined) return changed;
    return ref === null ? EMPTY_NODE : ref.page.node(ref.index);
  }

  /** The base entry under `ref` on side `bit`, following a pointer into the page below when needed. */
  child(ref: BaseRef, bit: 0 | 1): BaseRef {
    if (ref === null) return null;
    const { page, index } = ref;
    const type = page.types[index];
    if (type === ENTRY_INTERNAL) return page.ref(index, bit);
    if (type !== ENTRY_CHILD) return null;
    return this.pages.page(page.childId(index), page.depth + PAGE_LEVELS).ref(0, bit);
  }

  /** A CHILD entry is the same tree node as the root of the page it points to. */
  resolve(ref: BaseRef): BaseRef {
    if (ref === null || ref.page.types[ref.index] !== ENTRY_CHILD) return ref;
    return { page: this.pages.page(ref.page.childId(ref.index), ref.page.depth + PAGE_LEVELS), index: 0 };
  }
}
