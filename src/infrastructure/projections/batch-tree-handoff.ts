/**
 * The tree of a batch the node has just taken in, handed from the upload to
 * the batch read model. The upload hashes every digest into the batch's
 * RFC 6962 tree to check the signed root before anything is written
 * (ParallelDigestIntake); the read model stores that same tree's hashes, slot
 * for slot, to serve record paths. Without the handoff a million-record batch
 * was hashed twice in the node: two million SHA-256 calls more, about a sixth
 * of the node's time on a bulk upload (issue 14).
 *
 * Content-addressed, so it can never hand over a wrong tree: the read model
 * takes a slice's hashes only for a batch with the same signed root, and only
 * when the slice's digests are byte for byte the ones the hashes were
 * computed from; anything else (a rebuild, a restart, a JSON upload) hashes
 * as before (a mirror replaying a batch offers the tree it hashed from the
 * logged slices, as an upload does), and the root is checked against
 * the signed one either way. It holds only uploads in flight: each offer is
 * withdrawn when its upload ends, whatever the outcome.
 */

export interface OfferedTree {
  /** The batch's digests, 32 bytes each, in tree order. */
  readonly packed: Uint8Array;
  /** Its tree's hashes in the tlog stored-hash layout (storedHashCount(count) × 32 bytes). */
  readonly storedHashes: Uint8Array;
  /**
   * The keys of the batch's records (BatchRecordKeys' entries) for the batch id the upload derived,
   * once computed off the event loop; the read model takes them only for that batch id and after
   * spot checks, and computes them itself otherwise.
   */
  readonly recordKeys?: { readonly batchId: string; readonly entries: Float64Array | null };
}

export class BatchTreeHandoff {
  /** By lower-case hex root; a list, since two uploads in flight may carry the same digests. */
  private readonly offers = new Map<string, OfferedTree[]>();

  /** Offers the tree of the batch with this root until the returned function is called. */
  offer(root: string, tree: OfferedTree): () => void {
    const list = this.offers.get(root) ?? [];
    list.push(tree);
    this.offers.set(root, list);
    let withdrawn = false;
    return () => {
      if (withdrawn) return;
      withdrawn = true;
      const rest = (this.offers.get(root) ?? []).filter((t) => t !== tree);
      if (rest.length === 0) this.offers.delete(root);
      else this.offers.set(root, rest);
    };
  }

  /** Slices whose hashes were taken rather than computed (for tests and the curious). */
  takenSlices = 0;

  /**
   * The offered tree to store for the slice of the batch with this root that holds `digests` from
   * record `from` on, or null. The slice's hashes (a subtree it completes may reach back to record 0)
   * and the right edge after it depend on every digest before it too, so a slice after the first is
   * taken only from `previous`, the tree the same batch's earlier slices were taken from, while it
   * is still offered: each slice then matched byte for byte, and so did everything before it.
   */
  take(root: string, from: number, digests: Uint8Array, previous: OfferedTree | null): OfferedTree | null {
    const list = this.offers.get(root);
    if (list === undefined) return null;
    const candidates = from === 0 ? list : list.filter((tree) => tree === previous);
    const tree = candidates.find((t) => sliceMatches(t, from, digests)) ?? null;
    if (tree !== null) this.takenSlices++;
    return tree;
  }
}

function sliceMatches(tree: OfferedTree, from: number, digests: Uint8Array): boolean {
  const start = from * 32;
  if (start + digests.length > tree.packed.length) return false;
  return Buffer.compare(tree.packed.subarray(start, start + digests.length), digests) === 0;
}
