/**
 * The mirror's tree as it would be with leaves it has pulled but not applied:
 * the stored hashes of its own log underneath, and the hashes of the pending
 * leaves in memory on top, in the same stored-hash layout. Roots computed
 * here are exactly what the sequencer will compute once the leaves are
 * applied, so a page of entries can be checked against the log's signed root
 * before anything is written.
 */

import {
  type HashReader,
  storedHashCount,
  storedHashes,
  storedHashIndex,
  treeHash,
} from '../../domain/log/index.js';

export class TreeOverlay implements HashReader {
  private readonly extra = new Map<number, Uint8Array>();
  private readonly baseSlots: number;
  private leaves: number;

  constructor(
    private readonly base: HashReader,
    baseSize: number,
  ) {
    this.leaves = baseSize;
    this.baseSlots = storedHashCount(baseSize);
  }

  get size(): number {
    return this.leaves;
  }

  readHashes(indexes: readonly number[]): Uint8Array[] {
    const fromBase = indexes.filter((i) => i < this.baseSlots);
    const read = fromBase.length === 0 ? [] : this.base.readHashes(fromBase);
    let next = 0;
    return indexes.map((i) => {
      if (i < this.baseSlots) return read[next++]!;
      const hash = this.extra.get(i);
      if (hash === undefined) throw new Error(`tree overlay has no hash in slot ${i}`);
      return hash;
    });
  }

  /** Adds one leaf hash after the last leaf. */
  append(leafHash: Uint8Array): void {
    const hashes = storedHashes(this.leaves, leafHash, this);
    const first = storedHashIndex(0, this.leaves);
    hashes.forEach((hash, i) => {
      this.extra.set(first + i, hash);
    });
    this.leaves++;
  }

  /** The RFC 6962 root of the first `treeSize` leaves (≤ size). */
  root(treeSize: number): Uint8Array {
    return treeHash(treeSize, this);
  }
}
