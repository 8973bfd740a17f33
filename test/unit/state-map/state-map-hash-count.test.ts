/**
 * The `state` benchmark prints, beside the store's update cost, the SHA-256
 * work no store of this map can avoid: one call per interior node above a
 * seal's changed leaves (each node once), plus a key, a value and a leaf hash
 * per changed key (bench/state.bench.ts, updateFloor). That floor is only
 * honest if it is what a store must do, and the store is only efficient if it
 * does no more: the store, given a counting hasher, makes exactly that many
 * calls for a seal, new keys and changed ones mixed.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { interiorNodesAbove } from '../../../bench/lib/state-floor.js';
import type { StateHasher } from '../../../src/domain/state-map/index.js';
import { openNodeDatabase } from '../../../src/infrastructure/projections/node-database.js';
import { NODE_STATE_HASHER } from '../../../src/infrastructure/state-map/node-state-hasher.js';
import { StateMapStore } from '../../../src/infrastructure/state-map/state-map-store.js';

describe('the state map store hashes no more than a seal needs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chancery-hash-count-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('makes one SHA-256 per interior node above the changed leaves, and three per changed key', () => {
    let calls = 0;
    const counted =
      <A extends unknown[]>(f: (...args: A) => Uint8Array) =>
      (...args: A) => {
        calls++;
        return f(...args);
      };
    const counting: StateHasher = {
      digest: counted(NODE_STATE_HASHER.digest),
      leafHash: counted(NODE_STATE_HASHER.leafHash),
      nodeHash: counted(NODE_STATE_HASHER.nodeHash),
    };
    const db = openNodeDatabase(join(dir, 'node.db'), { walCheckpointer: false });
    try {
      const store = new StateMapStore(db, { hasher: counting });
      store.migrate();
      const existing = 5000;
      let leaf = 0;
      db.transaction(() => {
        for (let i = 0; i < existing; i++) {
          store.set(`certification/${i}`, { status: 'active', n: i }, leaf);
          store.advanceTo(++leaf);
        }
      })();
      store.rootAt(leaf);
      store.retainVersion(leaf);

      // One seal: 900 new keys, 100 status changes of existing ones (one of them twice).
      const sealKeys: string[] = [];
      calls = 0;
      db.transaction(() => {
        for (let i = 0; i < 1000; i++) {
          const key =
            i % 10 === 0 ? `certification/${(i * 7919) % existing}` : `certification/${existing + i}`;
          sealKeys.push(key);
          store.set(key, { status: 'suspended', n: i }, leaf);
          store.advanceTo(++leaf);
        }
        store.set(sealKeys[0]!, { status: 'revoked', n: -1 }, leaf);
        store.advanceTo(++leaf);
      })();
      store.rootAt(leaf);
      const made = calls;

      const changed = new Set(sealKeys);
      const interior = interiorNodesAbove(store, changed);
      // The key set twice has its key and value hashed at each set; its leaf once.
      const needed = interior + 3 * changed.size + 2;
      expect(interior).toBeGreaterThan(changed.size);
      expect(made).toBe(needed);
    } finally {
      db.close();
    }
  });
});
