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
import { storedHashCount, storedHashIndex } from './stored-hashes.js';

export class StoredHashBuilder {
  /** storedHashCount(size) slots of 32 bytes, filled up to the leaves added so far. */
  readonly hashes: Uint8Array;
  /** frontier[l]: the complete subtree of 2^l leaves ending at the last leaf, when bit l of the count is set. */
  private readonly frontier: (Uint8Array | undefined)[] = [];
  private count = 0;
  private at = 0;

  /**
   * `into`, when given, is where the slots go (storedHashCount(size) × 32 bytes), e.g. a subtree's own
   * slots in a larger tree (slotsOfSubtree), so that a subtree built on its own needs no copy.
   */
  constructor(
    readonly size: number,
    private readonly hasher: TreeHasher = RFC6962_HASHER,
    into?: Uint8Array,
  ) {
    const bytes = storedHashCount(size) * HASH_SIZE;
    if (into !== undefined && into.length !== bytes) {
      throw new LogProofError('HASH_SIZE', `a tree of ${size} leaves has ${bytes} bytes of stored hashes`);
    }
    this.hashes = into ?? new Uint8Array(bytes);
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

  /**
   * Adds the next 2^level leaves at once, as the complete subtree whose own stored hashes were
   * computed elsewhere (e.g. on another thread): what a StoredHashBuilder of 2^level leaves holds
   * once they are added, storedHashCount(2^level) slots, the subtree's root last. The leaves added so
   * far must be a multiple of 2^level, so that the subtree is aligned: its hashes are then the next
   * slots of this tree, in the same order, and the subtrees it completes follow them.
   */
  addSubtree(level: number, subtreeHashes: Uint8Array): void {
    const leaves = 2 ** level;
    if (!Number.isInteger(level) || level < 0 || this.count % leaves !== 0) {
      throw new LogProofError(
        'SIZE_OUT_OF_RANGE',
        `2^${level} leaves are no aligned subtree at ${this.count}`,
      );
    }
    if (this.count + leaves > this.size) {
      throw new LogProofError('SIZE_OUT_OF_RANGE', `the tree holds ${this.size} leaves, no more`);
    }
    if (subtreeHashes.length !== (2 * leaves - 1) * HASH_SIZE) {
      throw new LogProofError(
        'HASH_SIZE',
        `a subtree of 2^${level} leaves has ${2 * leaves - 1} stored hashes`,
      );
    }
    // Hashes written straight into this tree's next slots (see slotsOfSubtree) are in place already.
    const inPlace =
      subtreeHashes.buffer === this.hashes.buffer &&
      subtreeHashes.byteOffset === this.hashes.byteOffset + this.at;
    if (!inPlace) this.hashes.set(subtreeHashes, this.at);
    this.at += subtreeHashes.length;
    let hash = subtreeHashes.subarray(subtreeHashes.length - HASH_SIZE);
    for (let n = this.count / leaves; n % 2 === 1; n = (n - 1) / 2) {
      hash = this.hasher.nodeHash(this.frontier[level]!, hash);
      this.store(hash);
      this.frontier[level] = undefined;
      level++;
    }
    this.frontier[level] = hash;
    this.count += leaves;
  }

  /**
   * Where the stored hashes of the aligned subtree of 2^level leaves from leaf `first` go in `hashes`:
   * a view to write them into ahead of addSubtree, e.g. while the subtrees before it are still hashed.
   */
  slotsOfSubtree(level: number, first: number): Uint8Array {
    const leaves = 2 ** level;
    if (!Number.isInteger(level) || level < 0 || first % leaves !== 0 || first + leaves > this.size) {
      throw new LogProofError('SIZE_OUT_OF_RANGE', `2^${level} leaves from ${first} are no aligned subtree`);
    }
    const at = storedHashIndex(0, first) * HASH_SIZE;
    return this.hashes.subarray(at, at + (2 * leaves - 1) * HASH_SIZE);
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
