/** A node of the state map's tree as the store handles it, in memory or decoded from a page. */

export const NODE_EMPTY = 0;
export const NODE_LEAF = 1;
export const NODE_INTERNAL = 2;

export interface MemNode {
  readonly type: typeof NODE_EMPTY | typeof NODE_LEAF | typeof NODE_INTERNAL;
  readonly hash: Uint8Array;
  /** Leaves only. */
  readonly keyHash?: Uint8Array;
  readonly valueHash?: Uint8Array;
  /**
   * Leaves only: the version the value was set at (its row in
   * state_values_at); undefined for a leaf read from a LEAF entry, whose
   * value row is in state_values.
   */
  readonly valueVersion?: number;
  /**
   * Internal nodes an update made: its children that differ from the base,
   * the persisted version the update was hashed on (absent: the child is as
   * the base has it). An update copies the path to each change and links the
   * sides it did not touch to the version below's changed children, so the
   * root of any version above the base reaches every node changed since the
   * base, however many versions were hashed in between: a reader or the page
   * writer follows these links and the base's pages, and looks nothing up.
   */
  readonly left?: MemNode;
  readonly right?: MemNode;
}

export const EMPTY_NODE: MemNode = { type: NODE_EMPTY, hash: new Uint8Array(32) };
