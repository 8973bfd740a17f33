import { stateBit, stateKeyHash } from '../../src/domain/state-map/index.js';
import { NODE_STATE_HASHER } from '../../src/infrastructure/state-map/node-state-hasher.js';
import type { StateMapStore } from '../../src/infrastructure/state-map/state-map-store.js';

/**
 * The interior nodes of the store's current tree above the leaves of `keys`,
 * each counted once: what a seal that changed those keys must rehash, one
 * SHA-256 each, whatever the store (bench/state.bench.ts prints it as the
 * floor; test/unit/state-map/state-map-hash-count.test.ts checks the store
 * hashes exactly these). A leaf at depth d, its proof's sibling count, has d
 * interior ancestors, at depths 0 … d − 1, each named by the first bits of
 * the key's hash.
 */
export function interiorNodesAbove(store: StateMapStore, keys: Iterable<string>): number {
  const version = store.currentVersion();
  const nodes = new Set<string>();
  for (const key of new Set(keys)) {
    const depth = store.proveAt(key, version).proof.siblings.length;
    const keyHash = stateKeyHash(key, NODE_STATE_HASHER);
    let path = '';
    for (let d = 0; d < depth; d++) {
      nodes.add(path);
      path += stateBit(keyHash, d);
    }
  }
  return nodes.size;
}
