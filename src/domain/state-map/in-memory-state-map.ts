/**
 * The reference state map: every (key, value) pair in memory, the tree
 * computed from the sorted key hashes on demand. It is the executable form
 * of docs/state-map.md §2 for tests, known-answer vectors and property tests;
 * the node uses the SQLite store (src/infrastructure/state-map), which must
 * agree with it on every root and proof.
 */

import { hashesEqual } from '../log/rfc6962.js';
import type { JsonObject } from '../shared/json.js';
import {
  EMPTY_STATE_ROOT,
  NOBLE_STATE_HASHER,
  type StateHasher,
  stateBit,
  stateKeyHash,
  stateValueText,
} from './state-hash.js';
import type { ProvenState, StateProof, StateProofTerminal } from './state-proof.js';

interface Entry {
  readonly key: string;
  readonly keyHash: Uint8Array;
  readonly valueHash: Uint8Array;
  /** RFC 8785 text: the value is kept as its canonical bytes, so a caller cannot mutate it afterwards. */
  readonly text: string;
}

function compareHashes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

const encoder = new TextEncoder();

export class InMemoryStateMap {
  private readonly entries = new Map<string, Entry>();
  /** Entries sorted by key hash, and each subtree's hash by `depth:firstIndex`; rebuilt after a set. */
  private sorted: Entry[] | null = null;
  private readonly hashes = new Map<string, Uint8Array>();

  constructor(private readonly hasher: StateHasher = NOBLE_STATE_HASHER) {}

  get size(): number {
    return this.entries.size;
  }

  /** Sets (or replaces) a key's value. Keys are never removed: a map of facts only grows. */
  set(key: string, value: JsonObject): void {
    const keyHash = stateKeyHash(key, this.hasher);
    const text = stateValueText(value);
    const valueHash = this.hasher.digest(encoder.encode(text));
    this.entries.set(key, { key, keyHash, valueHash, text });
    this.sorted = null;
    this.hashes.clear();
  }

  get(key: string): JsonObject | null {
    const entry = this.entries.get(key);
    return entry === undefined ? null : (JSON.parse(entry.text) as JsonObject);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** An independent copy, e.g. to keep a version while the original moves on. */
  clone(): InMemoryStateMap {
    const copy = new InMemoryStateMap(this.hasher);
    for (const [key, entry] of this.entries) copy.entries.set(key, entry);
    return copy;
  }

  root(): Uint8Array {
    return this.subtree(this.leaves(), 0, this.leaves().length, 0);
  }

  /** The key's value (null when absent) and the proof of it against root(). */
  prove(key: string): ProvenState {
    const keyHash = stateKeyHash(key, this.hasher);
    const leaves = this.leaves();
    const siblings: Uint8Array[] = [];
    let lo = 0;
    let hi = leaves.length;
    let depth = 0;
    // Walk down while the key's side still holds two or more keys: those subtrees are internal nodes.
    while (hi - lo >= 2) {
      const mid = this.split(leaves, lo, hi, depth);
      if (stateBit(keyHash, depth) === 0) {
        siblings.push(this.subtree(leaves, mid, hi, depth + 1));
        hi = mid;
      } else {
        siblings.push(this.subtree(leaves, lo, mid, depth + 1));
        lo = mid;
      }
      depth++;
    }
    siblings.reverse();
    const terminal = this.terminal(keyHash, hi - lo === 1 ? leaves[lo]! : null);
    const value = terminal.kind === 'value' ? this.get(key) : null;
    return { value, proof: { siblings, terminal } satisfies StateProof };
  }

  private terminal(keyHash: Uint8Array, leaf: Entry | null): StateProofTerminal {
    if (leaf === null) return { kind: 'empty' };
    if (hashesEqual(leaf.keyHash, keyHash)) return { kind: 'value' };
    return { kind: 'leaf', keyHash: leaf.keyHash, valueHash: leaf.valueHash };
  }

  private leaves(): Entry[] {
    this.sorted ??= [...this.entries.values()].sort((a, b) => compareHashes(a.keyHash, b.keyHash));
    return this.sorted;
  }

  /** First index in [lo, hi) whose key hash has bit `depth` set (the range shares bits 0..depth−1). */
  private split(leaves: readonly Entry[], lo: number, hi: number, depth: number): number {
    let mid = lo;
    while (mid < hi && stateBit(leaves[mid]!.keyHash, depth) === 0) mid++;
    return mid;
  }

  /** Hash of the subtree at `depth` holding leaves [lo, hi): empty, the one leaf, or an internal node. */
  private subtree(leaves: readonly Entry[], lo: number, hi: number, depth: number): Uint8Array {
    if (hi === lo) return EMPTY_STATE_ROOT.slice();
    if (hi - lo === 1) return this.hasher.leafHash(leaves[lo]!.keyHash, leaves[lo]!.valueHash);
    const id = `${depth}:${lo}`;
    const known = this.hashes.get(id);
    if (known !== undefined) return known;
    const mid = this.split(leaves, lo, hi, depth);
    const hash = this.hasher.nodeHash(
      this.subtree(leaves, lo, mid, depth + 1),
      this.subtree(leaves, mid, hi, depth + 1),
    );
    this.hashes.set(id, hash);
    return hash;
  }
}
