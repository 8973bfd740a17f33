/**
 * The on-disk page of the state map's tree (docs/state-map.md §6): the
 * binary subtree under one node at a depth that is a multiple of
 * PAGE_LEVELS, down to PAGE_LEVELS levels below it, in preorder. A node at
 * the page's bottom level that is internal is a pointer to the page below
 * (its hash and that page's row id); leaves carry their key hash, value hash
 * and leaf hash, so that neither proofs nor updates rehash them.
 *
 *   EMPTY     0x00
 *   LEAF      0x01 ‖ keyHash ‖ valueHash ‖ leafHash          (value row in state_values: written before LEAF_AT)
 *   INTERNAL  0x02 ‖ hash ‖ left subtree ‖ right subtree     (above the bottom level)
 *   CHILD     0x03 ‖ hash ‖ page id (uint48, big-endian)     (at the bottom level)
 *   LEAF_AT   0x04 ‖ keyHash ‖ valueHash ‖ leafHash ‖ value version (uint48, big-endian)
 *
 * A LEAF_AT names the version its value was set at, the key of its row in
 * state_values_at (version, key hash): value rows are then appended in
 * version order instead of inserted at a random key hash. LEAF entries of
 * files written before stay valid; their rows stay in state_values.
 *
 * Preorder makes every subtree a contiguous byte range, so an unchanged
 * subtree is copied into the next version of its page without being decoded.
 * Pages are immutable: a change writes new pages (new ids) up to the root.
 */

import { EMPTY_NODE, type MemNode, NODE_INTERNAL, NODE_LEAF } from './tree-node.js';

export const PAGE_LEVELS = 4;
export const ENTRY_EMPTY = 0;
export const ENTRY_LEAF = 1;
export const ENTRY_INTERNAL = 2;
export const ENTRY_CHILD = 3;
export const ENTRY_LEAF_AT = 4;

const HASH = 32;
const ID_BYTES = 6;
const SIZE: Readonly<Record<number, number>> = {
  [ENTRY_EMPTY]: 1,
  [ENTRY_LEAF]: 1 + 3 * HASH,
  [ENTRY_INTERNAL]: 1 + HASH,
  [ENTRY_CHILD]: 1 + HASH + ID_BYTES,
  [ENTRY_LEAF_AT]: 1 + 3 * HASH + ID_BYTES,
};
/** 2^(levels+1) − 1 entries at most in one page. */
const MAX_ENTRIES = 2 ** (PAGE_LEVELS + 1) - 1;

/** The largest page: every entry of a full page a leaf with its value's version. */
export const MAX_PAGE_BYTES = MAX_ENTRIES * (1 + 3 * HASH + ID_BYTES);

/**
 * Encodes pages one after another into one buffer of the largest page's
 * size: finish() copies the page out and starts the next. A buffer per page,
 * grown as it filled, was three allocations per page where one is needed.
 */
export class PageEncoder {
  private buffer = Buffer.allocUnsafe(MAX_PAGE_BYTES);
  private length = 0;

  private reserve(bytes: number): number {
    if (this.length + bytes > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    const at = this.length;
    this.length += bytes;
    return at;
  }

  empty(): void {
    // Not `this.buffer[this.reserve(1)] = …`: the left side is read before reserve() may replace the buffer.
    const at = this.reserve(1);
    this.buffer[at] = ENTRY_EMPTY;
  }

  /** A LEAF_AT when the value's version is known, else (a leaf of a file written before) a LEAF. */
  leaf(keyHash: Uint8Array, valueHash: Uint8Array, leafHash: Uint8Array, valueVersion?: number): void {
    const type = valueVersion === undefined ? ENTRY_LEAF : ENTRY_LEAF_AT;
    const at = this.reserve(SIZE[type]!);
    this.buffer[at] = type;
    this.buffer.set(keyHash, at + 1);
    this.buffer.set(valueHash, at + 1 + HASH);
    this.buffer.set(leafHash, at + 1 + 2 * HASH);
    if (valueVersion !== undefined) this.buffer.writeUIntBE(valueVersion, at + 1 + 3 * HASH, ID_BYTES);
  }

  internal(hash: Uint8Array): void {
    const at = this.reserve(SIZE[ENTRY_INTERNAL]!);
    this.buffer[at] = ENTRY_INTERNAL;
    this.buffer.set(hash, at + 1);
  }

  child(hash: Uint8Array, pageId: number): void {
    const at = this.reserve(SIZE[ENTRY_CHILD]!);
    this.buffer[at] = ENTRY_CHILD;
    this.buffer.set(hash, at + 1);
    this.buffer.writeUIntBE(pageId, at + 1 + HASH, ID_BYTES);
  }

  /** Copies an encoded subtree (a byte range of another page) unchanged. */
  copy(bytes: Uint8Array, start: number, end: number): void {
    const at = this.reserve(end - start);
    this.buffer.set(bytes.subarray(start, end), at);
  }

  /** The page encoded since the last finish(), as a buffer of its own. */
  finish(): Buffer {
    const body = Buffer.from(this.buffer.subarray(0, this.length));
    this.length = 0;
    return body;
  }
}

/** A page read back: each entry's type, byte range (its whole subtree) and children, by preorder index. */
export class DecodedPage {
  readonly types = new Uint8Array(MAX_ENTRIES);
  /** Per entry: start, end (exclusive, of its whole subtree), left child, right child (−1: none). */
  private readonly layout = new Int16Array(4 * MAX_ENTRIES).fill(-1);
  /** Decoded nodes and base references, made once per entry on first use. */
  private readonly nodes: (MemNode | undefined)[] = [];
  private readonly refs: ({ readonly page: DecodedPage; readonly index: number } | undefined)[] = [];
  private count = 0;

  constructor(
    readonly id: number,
    readonly bytes: Uint8Array,
    /** Depth of the page's root node in the tree (a multiple of PAGE_LEVELS). */
    readonly depth: number,
  ) {
    const end = this.parse(0, 0);
    // The page is our own derived data; a mismatch means the file was damaged or edited.
    if (end !== bytes.length) throw new Error(`state page ${id} has ${bytes.length - end} trailing bytes`);
  }

  private parse(offset: number, level: number): number {
    const type = this.bytes[offset];
    const size = type === undefined ? undefined : SIZE[type];
    const index = this.count++;
    if (size === undefined || offset + size > this.bytes.length || index >= MAX_ENTRIES) {
      throw new Error(`state page ${this.id} is corrupt at byte ${offset}`);
    }
    // Internal entries live above the bottom level, pointers to the page below only on it.
    if (
      (type === ENTRY_INTERNAL && level >= PAGE_LEVELS) ||
      (type === ENTRY_CHILD && level !== PAGE_LEVELS)
    ) {
      throw new Error(`state page ${this.id} has a misplaced entry at level ${level}`);
    }
    this.types[index] = type!;
    this.layout[4 * index] = offset;
    let end = offset + size;
    if (type === ENTRY_INTERNAL) {
      this.layout[4 * index + 2] = this.count;
      end = this.parse(end, level + 1);
      this.layout[4 * index + 3] = this.count;
      end = this.parse(end, level + 1);
    }
    this.layout[4 * index + 1] = end;
    return end;
  }

  start(i: number): number {
    return this.layout[4 * i]!;
  }

  end(i: number): number {
    return this.layout[4 * i + 1]!;
  }

  /** The entry under internal entry i on side `bit`. */
  ref(i: number, bit: 0 | 1): { readonly page: DecodedPage; readonly index: number } {
    const child = this.layout[4 * i + 2 + bit]!;
    let ref = this.refs[child];
    if (ref === undefined) {
      ref = { page: this, index: child };
      this.refs[child] = ref;
    }
    return ref;
  }

  /** Entry i as a node: EMPTY, a LEAF with its hashes, or an internal node (INTERNAL or CHILD) with its hash. */
  node(i: number): MemNode {
    let node = this.nodes[i];
    if (node === undefined) {
      node = this.decodeNode(i);
      this.nodes[i] = node;
    }
    return node;
  }

  private decodeNode(i: number): MemNode {
    const at = this.start(i) + 1;
    switch (this.types[i]) {
      case ENTRY_EMPTY:
        return EMPTY_NODE;
      case ENTRY_LEAF:
      case ENTRY_LEAF_AT:
        return {
          type: NODE_LEAF,
          keyHash: this.bytes.subarray(at, at + HASH),
          valueHash: this.bytes.subarray(at + HASH, at + 2 * HASH),
          hash: this.bytes.subarray(at + 2 * HASH, at + 3 * HASH),
          // A LEAF (written before LEAF_AT) names no version: its value row is in state_values.
          valueVersion: this.types[i] === ENTRY_LEAF_AT ? this.uint48(at + 3 * HASH) : undefined,
        };
      default:
        return { type: NODE_INTERNAL, hash: this.bytes.subarray(at, at + HASH) };
    }
  }

  childId(i: number): number {
    return this.uint48(this.start(i) + 1 + HASH);
  }

  /** A 6-byte big-endian integer, read without a Buffer view per call (one per pointer crossed otherwise). */
  private uint48(at: number): number {
    const b = this.bytes;
    return (
      (b[at]! * 0x100 + b[at + 1]!) * 0x1_0000_0000 +
      ((b[at + 2]! << 24) >>> 0) +
      (b[at + 3]! << 16) +
      (b[at + 4]! << 8) +
      b[at + 5]!
    );
  }
}
