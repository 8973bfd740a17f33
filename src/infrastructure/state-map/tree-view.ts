/**
 * One version of the state map's tree, as the store reads it: the pages of a
 * persisted version (the base) with in-memory layers of nodes that changed
 * since, newest first. A node is addressed by its position, the string of
 * path bits from the root ('' is the root, '01' its left child's right
 * child). A layer holds every node that differs from the layer below; a
 * position in no layer is as the base has it.
 *
 * Keys are never removed, so a position only ever goes empty → leaf →
 * internal. Below a position that is a leaf or empty in a layer, the base is
 * a leaf or empty too, which is why a missing base reference means empty.
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

export type Layer = ReadonlyMap<string, MemNode>;

export class TreeView {
  constructor(
    /** The base version's root entry (index 0 of its root page), null for the empty map. */
    readonly root: BaseRef,
    /** Layers above the base, newest first. */
    readonly layers: readonly Layer[],
    private readonly pages: PageSource,
  ) {}

  node(position: string, ref: BaseRef): MemNode {
    for (const layer of this.layers) {
      const node = layer.get(position);
      if (node !== undefined) return node;
    }
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
