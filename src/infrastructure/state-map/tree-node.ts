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
   * Internal nodes an update made: its children that changed with it (absent:
   * the child is as the version below has it). Lets the page writer follow a
   * version's changed nodes without looking each position up.
   */
  readonly left?: MemNode;
  readonly right?: MemNode;
}

export const EMPTY_NODE: MemNode = { type: NODE_EMPTY, hash: new Uint8Array(32) };
