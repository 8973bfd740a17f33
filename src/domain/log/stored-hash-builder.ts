/**
 * The stored hashes of a tree whose size is known in advance, in the tlog
 * stored-hash layout (stored-hashes.ts), built as its leaves arrive, with the
 * root at the end: one pass, every hash computed once. A node streaming a
 * batch's digests in computes these to check the signed root; its batch read
 * model stores the very same slots, so it can take them instead of hashing
 * the batch a second time.
 */

import { LogProofError } from './log-proof-error.js';
import { emptyRoot, HASH_SIZE, RFC6962_HASHER, type TreeHasher } from './rfc6962.js';
import { storedHashCount } from './stored-hashes.js';

export class StoredHashBuilder {
  /** storedHashCount(size) slots of 32 bytes, filled up to the leaves added so far. */
  readonly hashes: Uint8Array;
  /** frontier[l]: the complete subtree of 2^l leaves ending at the last leaf, when bit l of the count is set. */
  private readonly frontier: (Uint8Array | undefined)[] = [];
  private count = 0;
  private at = 0;

  constructor(
    readonly size: number,
    private readonly hasher: TreeHasher = RFC6962_HASHER,
  ) {
    this.hashes = new Uint8Array(storedHashCount(size) * HASH_SIZE);
  }

  /** Leaves added so far. */
  get leaves(): number {
    return this.count;
  }

  /** Adds the next leaf hash and stores it and every subtree hash it completes. */
  add(leafHash: Uint8Array): void {
    if (this.count === this.size) {
      throw new LogProofError('SIZE_OUT_OF_RANGE', `the tree holds ${this.size} leaves, no more`);
    }
    if (leafHash.length !== HASH_SIZE) {
      throw new LogProofError('HASH_SIZE', `a leaf hash must be ${HASH_SIZE} bytes`);
    }
    let hash = leafHash;
    this.store(hash);
    let level = 0;
    for (let n = this.count; n % 2 === 1; n = (n - 1) / 2) {
      hash = this.hasher.nodeHash(this.frontier[level]!, hash);
      this.store(hash);
      this.frontier[level] = undefined;
      level++;
    }
    this.frontier[level] = hash;
    this.count++;
  }

  /** The RFC 6962 root of the whole tree, once every leaf was added; SHA-256("") for none (RFC 6962 §2.1). */
  root(): Uint8Array {
    if (this.count !== this.size) {
      throw new LogProofError('SIZE_OUT_OF_RANGE', `${this.count} of ${this.size} leaves were added`);
    }
    let root: Uint8Array | undefined;
    for (const hash of this.frontier) {
      if (hash === undefined) continue;
      root = root === undefined ? hash : this.hasher.nodeHash(hash, root);
    }
    return root ?? emptyRoot();
  }

  private store(hash: Uint8Array): void {
    this.hashes.set(hash, this.at);
    this.at += HASH_SIZE;
  }
}
