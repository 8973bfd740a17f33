/**
 * An in-memory HashReader for tests: appends leaves through storedHashes, as
 * the sequencer does with SQLite, and counts reads so tests can assert that
 * every root and proof costs one O(log n) batch.
 */

import { type HashReader, leafHash, storedHashes } from '../../../src/domain/log/index.js';

export class MemoryHashStore implements HashReader {
  private readonly hashes: Uint8Array[] = [];
  private leafCount = 0;
  /** Number of readHashes calls and total indexes requested since the last resetCounters(). */
  calls = 0;
  indexesRead = 0;

  get size(): number {
    return this.leafCount;
  }

  get storedCount(): number {
    return this.hashes.length;
  }

  readHashes(indexes: readonly number[]): Uint8Array[] {
    this.calls++;
    this.indexesRead += indexes.length;
    return indexes.map((index) => {
      const hash = this.hashes[index];
      if (hash === undefined) throw new Error(`no stored hash at index ${index}`);
      return hash;
    });
  }

  appendLeaf(leaf: Uint8Array): void {
    this.appendLeafHash(leafHash(leaf));
  }

  appendLeafHash(hash: Uint8Array): void {
    const fresh = storedHashes(this.leafCount, hash, this);
    this.hashes.push(...fresh);
    this.leafCount++;
  }

  resetCounters(): void {
    this.calls = 0;
    this.indexesRead = 0;
  }

  static withLeaves(leaves: readonly Uint8Array[]): MemoryHashStore {
    const store = new MemoryHashStore();
    for (const leaf of leaves) store.appendLeaf(leaf);
    store.resetCounters();
    return store;
  }
}
