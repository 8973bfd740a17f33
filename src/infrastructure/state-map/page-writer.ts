/**
 * Writes one version of the tree as pages: every page that holds a changed
 * node is rewritten (a new row, copied from the base page where nothing
 * changed), every other page is shared with the base by its id. This is the
 * copy-on-write scheme of Diem/Aptos's Jellyfish Merkle tree, with pages of
 * PAGE_LEVELS binary levels in place of its 16-ary nodes.
 */

import { ENTRY_CHILD, PAGE_LEVELS, PageEncoder } from './state-page.js';
import { type BaseRef, type MemNode, NODE_LEAF, type TreeView } from './tree-view.js';

export interface WrittenPages {
  /** The new version's root page, or null for the empty map. */
  readonly rootPage: number | null;
  /** New rows, children before parents, with the depth of each page's root. */
  readonly pages: { readonly id: number; readonly body: Buffer; readonly depth: number }[];
  /** Ids of base pages the new version no longer uses. */
  readonly replaced: number[];
}

interface Writer {
  readonly base: TreeView;
  /** A new page id for a page whose root is at `depth`. */
  readonly allocate: (depth: number) => number;
  readonly pages: { id: number; body: Buffer; depth: number }[];
  readonly replaced: number[];
  /**
   * An encoder per page level (depth / PAGE_LEVELS): a page's child pages are
   * written while it is half encoded, each finished before the next one at
   * its level starts.
   */
  readonly encoders: PageEncoder[];
}

function childPageId(ref: BaseRef): number | null {
  return ref !== null && ref.page.types[ref.index] === ENTRY_CHILD ? ref.page.childId(ref.index) : null;
}

function copyBase(ref: BaseRef, out: PageEncoder): void {
  if (ref === null) out.empty();
  else out.copy(ref.page.bytes, ref.page.start(ref.index), ref.page.end(ref.index));
}

function encodeNode(
  w: Writer,
  node: MemNode | undefined,
  depth: number,
  level: number,
  ref: BaseRef,
  out: PageEncoder,
): void {
  if (node === undefined) {
    copyBase(ref, out);
    return;
  }
  if (node.type === NODE_LEAF) {
    out.leaf(node.keyHash!, node.valueHash!, node.hash, node.valueVersion);
    return;
  }
  // A changed node is never empty (keys are never removed): it is internal from here on.
  if (level === PAGE_LEVELS) {
    out.child(node.hash, writePage(w, node, depth, ref, childPageId(ref)));
    return;
  }
  out.internal(node.hash);
  encodeNode(w, node.left, depth + 1, level + 1, w.base.child(ref, 0), out);
  encodeNode(w, node.right, depth + 1, level + 1, w.base.child(ref, 1), out);
}

function writePage(w: Writer, node: MemNode, depth: number, ref: BaseRef, replacedId: number | null): number {
  const level = depth / PAGE_LEVELS;
  let out = w.encoders[level];
  if (out === undefined) {
    out = new PageEncoder();
    w.encoders[level] = out;
  }
  encodeNode(w, node, depth, 0, w.base.resolve(ref), out);
  const id = w.allocate(depth);
  w.pages.push({ id, body: out.finish(), depth });
  if (replacedId !== null) w.replaced.push(replacedId);
  return id;
}

/**
 * The pages of a new version: `base` is the view of the persisted version it
 * derives from (its changed root unused), `root` the new root if it differs
 * from the base's, linked to every node that does (MemNode.left/right),
 * `basePage` the base's root page id.
 */
export function writePages(
  base: TreeView,
  basePage: number | null,
  root: MemNode | undefined,
  allocate: (depth: number) => number,
): WrittenPages {
  if (root === undefined) return { rootPage: basePage, pages: [], replaced: [] };
  const w: Writer = { base, allocate, pages: [], replaced: [], encoders: [] };
  const rootPage = writePage(w, root, 0, base.root, basePage);
  return { rootPage, pages: w.pages, replaced: w.replaced };
}
