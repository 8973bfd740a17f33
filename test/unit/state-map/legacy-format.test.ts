/**
 * A node.db written before value rows moved to state_values_at (leaves
 * without a value version, rows in state_values) must keep working after an
 * upgrade, with no rebuild: the store reads the old file as it is, writes new
 * versions in the new form next to it, and prunes the old rows as their keys
 * change. fixtures/legacy-format.db was written by the store of commit
 * d7f5820 from legacyOps() (generate-legacy-fixture.ts); the reference map
 * replays the same events.
 */

import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toHex } from '../../../src/domain/crypto/hex.js';
import { InMemoryStateMap, stateProofToJson, verifyStateProof } from '../../../src/domain/state-map/index.js';
import { openNodeDatabase } from '../../../src/infrastructure/projections/node-database.js';
import { StateMapStore } from '../../../src/infrastructure/state-map/state-map-store.js';
import { LEGACY_OPTIONS, legacyOps } from './legacy-fixture-ops.js';

const dir = mkdtempSync(join(tmpdir(), 'chancery-legacy-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The reference map at every version. */
class Versions {
  readonly maps: InMemoryStateMap[] = [new InMemoryStateMap()];

  get current(): number {
    return this.maps.length - 1;
  }

  set(version: number, key: string, n: number): void {
    while (this.current < version) this.maps.push(this.maps[this.current]!.clone());
    this.maps[version]!.set(key, { n });
  }
}

function openCopy(name: string) {
  const file = join(dir, name);
  copyFileSync(join(import.meta.dirname, 'fixtures', 'legacy-format.db'), file);
  const db = openNodeDatabase(file, { walCheckpointer: false });
  const store = new StateMapStore(db, LEGACY_OPTIONS);
  store.migrate();
  return { file, db, store };
}

function expectVersion(
  store: StateMapStore,
  model: Versions,
  version: number,
  keys: readonly string[],
): void {
  const map = model.maps[version]!;
  const root = store.rootAt(version);
  expect(toHex(root)).toBe(toHex(map.root()));
  for (const key of keys) {
    const expected = map.prove(key);
    const actual = store.proveAt(key, version);
    expect(actual.value).toEqual(expected.value);
    expect(stateProofToJson(actual.proof)).toEqual(stateProofToJson(expected.proof));
    expect(verifyStateProof(root, key, actual.value, actual.proof)).toBe(true);
  }
}

const count = (db: ReturnType<typeof openNodeDatabase>, table: string) =>
  db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

describe('a node.db written before state_values_at', () => {
  const model = new Versions();
  const keys = new Set<string>();
  for (const op of legacyOps()) {
    if (op.t === 'set') {
      model.set(op.leaf + 1, op.key, op.n);
      keys.add(op.key);
    }
  }
  const probe = [...keys, 'void/absent-1', 'void/absent-2'];

  it('is in the old form: value rows in state_values only', () => {
    const { db } = openCopy('check.db');
    expect(count(db, 'state_values')).toBeGreaterThan(0);
    expect(count(db, 'state_values_at')).toBe(0);
    db.close();
  });

  it('gives the same roots, proofs and values at every answerable version', () => {
    const { db, store } = openCopy('read.db');
    expect(store.currentVersion()).toBe(model.current);
    // Persisted versions, versions replayed between them and changes reloaded from state_changes.
    for (let v = store.oldestVersion(); v <= store.currentVersion(); v++) {
      expect(toHex(store.rootAt(v))).toBe(toHex(model.maps[v]!.root()));
    }
    for (const v of [
      store.oldestVersion(),
      store.oldestVersion() + 7,
      store.stats().baseVersion,
      model.current,
    ]) {
      expectVersion(store, model, v, probe);
    }
    for (const key of probe) expect(store.get(key)).toEqual(model.maps[model.current]!.get(key));
    db.close();
  });

  it('goes on in the new form and prunes the old rows as their keys change', () => {
    const opened = openCopy('write.db');
    const file = opened.file;
    let { db, store } = opened;
    const legacyRows = count(db, 'state_values');
    let leaf = model.current;
    const old = [...keys];
    // Rounds that update every old key (some twice), add new ones, retain, release, and restart once.
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < old.length; i++) {
        if (i % 6 !== round) continue;
        for (const key of [old[i]!, `void/upgraded-${round}-${i}`]) {
          store.set(key, { n: 10_000 + leaf }, leaf);
          model.set(leaf + 1, key, 10_000 + leaf);
          keys.add(key);
          leaf++;
        }
        if (i % 5 === 0) store.rootAt(leaf);
      }
      store.retainVersion(leaf - 3);
      store.retainVersion(leaf);
      expectVersion(store, model, leaf - 3, [...keys]);
      store.releaseBefore(leaf - 3);
      if (round === 2) {
        db.close();
        db = openNodeDatabase(file, { walCheckpointer: false });
        store = new StateMapStore(db, LEGACY_OPTIONS);
        store.migrate();
      }
    }
    expectVersion(store, model, leaf, [...keys, 'void/absent-1']);
    for (const key of keys) expect(store.get(key)).toEqual(model.maps[leaf]!.get(key));
    // Every old key changed: once pruning catches up, no row of the old table is needed any more.
    for (let i = 0; i < 50; i++) store.releaseBefore(leaf);
    expect(count(db, 'state_values')).toBeLessThan(legacyRows);
    expect(count(db, 'state_values')).toBe(0);
    expect(count(db, 'state_values_at')).toBe(keys.size);
    expectVersion(store, model, leaf, [...keys]);
    db.close();
    db = openNodeDatabase(file, { walCheckpointer: false });
    store = new StateMapStore(db, LEGACY_OPTIONS);
    store.migrate();
    expectVersion(store, model, leaf, [...keys]);
    db.close();
  });
});
