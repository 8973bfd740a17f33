/**
 * The SQLite store against the reference map. A model (one InMemoryStateMap
 * snapshot per version) follows random sequences of what the node does —
 * sets in log order, leaves that change nothing, roots taken by the sealer,
 * checkpoints retained, old ones released, restarts, rebuilds — and the store
 * must give the same roots and the very same proofs at every answerable
 * version, with a tiny memory cap so that it persists versions by itself,
 * out of order as well as in order.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { toHex } from '../../../src/domain/crypto/hex.js';
import type { JsonObject } from '../../../src/domain/shared/json.js';
import {
  EMPTY_STATE_ROOT,
  InMemoryStateMap,
  stateProofToJson,
  verifyStateProof,
} from '../../../src/domain/state-map/index.js';
import {
  type NodeDatabase,
  openNodeDatabase,
} from '../../../src/infrastructure/projections/node-database.js';
import {
  StateMapStore,
  type StateMapStoreOptions,
  StateVersionError,
} from '../../../src/infrastructure/state-map/state-map-store.js';

const KEYS = Array.from({ length: 24 }, (_, n) => `void/${n}`).concat([
  'identity/TRANSPORT',
  'key/ed25519:K1',
]);

type Op =
  | { t: 'set'; key: string; value: JsonObject; sameLeaf: boolean }
  | { t: 'advance'; by: number }
  | { t: 'root'; back: number }
  | { t: 'retain'; back: number }
  | { t: 'release'; back: number }
  | { t: 'prove'; key: string; back: number }
  | { t: 'reopen' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      t: fc.constant('set' as const),
      key: fc.constantFrom(...KEYS),
      value: fc.record({ status: fc.constantFrom('active', 'revoked'), n: fc.nat({ max: 99 }) }),
      sameLeaf: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('advance' as const), by: fc.integer({ min: 1, max: 3 }) }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('root' as const), back: fc.nat({ max: 6 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('retain' as const), back: fc.nat({ max: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('release' as const), back: fc.nat({ max: 12 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('prove' as const),
      key: fc.constantFrom(...KEYS),
      back: fc.nat({ max: 8 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ t: 'reopen' as const }) },
);

/** The reference: the map at every version since 0. */
class Model {
  readonly versions: InMemoryStateMap[] = [new InMemoryStateMap()];
  floor = 0;
  readonly retained = new Set<number>([0]);
  /** The newest version ever retained: a checkpoint committed to it, so it can no longer change. */
  newestRetained = 0;
  /** Keys set at each version. */
  readonly changedAt = new Map<number, Set<string>>();

  get current(): number {
    return this.versions.length - 1;
  }

  at(version: number): InMemoryStateMap {
    return this.versions[version]!;
  }

  set(version: number, key: string, value: JsonObject): void {
    while (this.current < version) this.versions.push(this.at(this.current).clone());
    this.at(version).set(key, value);
    const keys = this.changedAt.get(version) ?? new Set<string>();
    this.changedAt.set(version, keys.add(key));
  }

  advance(to: number): void {
    while (this.current < to) this.versions.push(this.at(this.current).clone());
  }
}

function expectSameProof(store: StateMapStore, model: Model, key: string, version: number): void {
  const expected = model.at(version).prove(key);
  const actual = store.proveAt(key, version);
  expect(actual.value).toEqual(expected.value);
  expect(stateProofToJson(actual.proof)).toEqual(stateProofToJson(expected.proof));
  expect(verifyStateProof(store.rootAt(version), key, actual.value, actual.proof)).toBe(true);
}

interface Harness {
  store: StateMapStore;
  readonly db: NodeDatabase;
  readonly options: StateMapStoreOptions;
}

function clampBack(model: Model, back: number): number {
  return Math.max(model.floor, model.current - back);
}

function apply(h: Harness, model: Model, op: Op): void {
  const { store } = h;
  switch (op.t) {
    case 'set': {
      // The same leaf again is allowed only while that version is in memory and no checkpoint took it.
      const settled = Math.max(store.stats().baseVersion, model.newestRetained);
      const same = op.sameLeaf && model.current > settled && model.current > 0;
      const leafIndex = same ? model.current - 1 : model.current;
      store.set(op.key, op.value, leafIndex);
      model.set(leafIndex + 1, op.key, op.value);
      expect(store.get(op.key)).toEqual(op.value);
      return;
    }
    case 'advance':
      store.advanceTo(model.current + op.by);
      model.advance(model.current + op.by);
      return;
    case 'root': {
      const v = clampBack(model, op.back);
      expect(toHex(store.rootAt(v))).toBe(toHex(model.at(v).root()));
      return;
    }
    case 'retain': {
      const v = clampBack(model, op.back);
      store.retainVersion(v);
      model.retained.add(v);
      model.newestRetained = Math.max(model.newestRetained, v);
      return;
    }
    case 'release': {
      const v = clampBack(model, op.back);
      store.releaseBefore(v);
      model.floor = v;
      for (const r of model.retained) if (r < v) model.retained.delete(r);
      return;
    }
    case 'prove':
      expectSameProof(store, model, op.key, clampBack(model, op.back));
      return;
    case 'reopen':
      h.store = new StateMapStore(h.db, h.options);
      h.store.migrate();
      return;
  }
}

function checkEverything(store: StateMapStore, model: Model): void {
  expect(store.currentVersion()).toBe(model.current);
  expect(store.oldestVersion()).toBe(model.floor);
  for (let v = model.floor; v <= model.current; v++) {
    expect(toHex(store.rootAt(v)), `root at version ${v}`).toBe(toHex(model.at(v).root()));
  }
  for (const v of [...model.retained, model.current]) {
    for (const key of [...KEYS.slice(0, 6), 'identity/TRANSPORT', 'never/set'])
      expectSameProof(store, model, key, v);
  }
  // A key set at the version itself and at the one after: its value comes from memory, a value row or, at
  // a version kept in memory below the newest persisted one, the change log.
  for (let v = model.floor; v <= model.current; v++) {
    for (const key of model.changedAt.get(v) ?? []) {
      expectSameProof(store, model, key, v);
      if (v < model.current) expectSameProof(store, model, key, v + 1);
    }
  }
  for (const key of KEYS) expect(store.get(key)).toEqual(model.at(model.current).get(key));
}

const OPTION_SETS: [string, StateMapStoreOptions][] = [
  [
    'a memory cap of 4 changes, deep pages through the LRU',
    { maxUnpersistedChanges: 4, topDepth: -1, pageCacheSize: 2 },
  ],
  ['a memory cap of 1000 changes', { maxUnpersistedChanges: 1000, pruneBatch: 1 }],
  [
    'every retained version written, deep pages through the LRU',
    { maxUnpersistedChanges: 12, persistAfterChanges: 1, topDepth: -1, pageCacheSize: 2 },
  ],
  [
    'a retained version written once 5 changes are below it, a cap of 12',
    { maxUnpersistedChanges: 12, persistAfterChanges: 5, topDepth: 4, pageCacheSize: 3 },
  ],
  ['a retained version written once 20 changes are below it', { persistAfterChanges: 20 }],
];

describe.each(OPTION_SETS)('the SQLite store with %s agrees with InMemoryStateMap', (_name, options) => {
  it('on roots and proofs at every answerable version, across retains, releases, restarts and spills', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 120 }), (ops) => {
        const db = openNodeDatabase(':memory:');
        const h: Harness = { store: new StateMapStore(db, options), db, options };
        h.store.migrate();
        const model = new Model();
        for (const op of ops) apply(h, model, op);
        checkEverything(h.store, model);
        h.store = new StateMapStore(db, options);
        h.store.migrate();
        checkEverything(h.store, model);
        db.close();
      }),
      { numRuns: 60 },
    );
  });
});

describe('the SQLite store', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const fileDb = () => {
    const dir = mkdtempSync(join(tmpdir(), 'state-map-'));
    dirs.push(dir);
    return join(dir, 'node.db');
  };

  it('keeps what the caller committed across a restart, and nothing the caller rolled back', () => {
    const file = fileDb();
    let db = openNodeDatabase(file, { walCheckpointer: false });
    let store = new StateMapStore(db);
    store.migrate();
    db.transaction(() => {
      store.set('identity/TRANSPORT', { status: 'active' }, 0);
      store.set('key/ed25519:K1', { holder: 'TRANSPORT' }, 1);
    })();
    const committed = toHex(store.rootAt(2));
    db.exec('BEGIN');
    store.set('identity/TRANSPORT', { status: 'revoked' }, 2);
    db.exec('ROLLBACK');
    db.close();
    db = openNodeDatabase(file, { walCheckpointer: false });
    store = new StateMapStore(db);
    store.migrate();
    expect(store.currentVersion()).toBe(2);
    expect(toHex(store.rootAt(2))).toBe(committed);
    expect(store.get('identity/TRANSPORT')).toEqual({ status: 'active' });
    db.close();
  });

  it('answers a checkpoint retained below the versions it persisted by itself (after a spill)', () => {
    const db = openNodeDatabase(':memory:');
    const store = new StateMapStore(db, { maxUnpersistedChanges: 10 });
    store.migrate();
    const model = new Model();
    for (let leaf = 0; leaf < 95; leaf++) {
      const key = `void/${leaf % 30}`;
      store.set(key, { n: leaf }, leaf);
      model.set(leaf + 1, key, { n: leaf });
    }
    // Spills persisted versions 10, 20, …, 90 on their own; a witness now asks about 37.
    expect(store.stats().baseVersion).toBeGreaterThan(37);
    store.retainVersion(37);
    for (const key of ['void/3', 'void/29', 'absent/1']) expectSameProof(store, model, key, 37);
    store.releaseBefore(37);
    expect(() => store.rootAt(36)).toThrow(StateVersionError);
    for (let v = 37; v <= 95; v++) expect(toHex(store.rootAt(v))).toBe(toHex(model.at(v).root()));
    for (const key of ['void/3', 'void/29']) expectSameProof(store, model, key, 37);
  });

  it('keeps the pages, value rows and change rows bounded by what answerable versions need', () => {
    const db = openNodeDatabase(':memory:');
    // Every retained version written, so that each round's release can prune all the round before needed.
    const store = new StateMapStore(db, { pruneBatch: 1000, persistAfterChanges: 1 });
    store.migrate();
    const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    let leaf = 0;
    const round = () => {
      for (let i = 0; i < 50; i++) store.set(`void/${i}`, { n: leaf }, leaf++);
      store.retainVersion(leaf);
      store.releaseBefore(leaf);
    };
    for (let r = 0; r < 5; r++) round();
    // Dead pages wait in state_pages until they are worth deleting a segment at a time: at most half as many as the live ones.
    const live = () => count('state_pages') - count('state_dead');
    const after5 = {
      pages: live(),
      values: count('state_values_at'),
      changes: count('state_changes'),
    };
    for (let r = 0; r < 45; r++) round();
    expect(live()).toBe(after5.pages);
    expect(count('state_dead')).toBeLessThanOrEqual(after5.pages / 2);
    expect(count('state_values_at')).toBe(50);
    expect(count('state_changes')).toBe(0);
    expect(count('state_versions')).toBe(1);
    expect(count('state_stale')).toBe(0);
  });

  it('prunes the older value rows of updated keys when new and updated keys mix across several layers', () => {
    const db = openNodeDatabase(':memory:');
    // A cap below a round's changes makes the store persist versions by itself, so retains also land below the base.
    const store = new StateMapStore(db, {
      pruneBatch: 1000,
      maxUnpersistedChanges: 24,
      persistAfterChanges: 1,
    });
    store.migrate();
    const model = new Model();
    const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    let leaf = 0;
    let fresh = 0;
    for (let r = 0; r < 30; r++) {
      for (let i = 0; i < 40; i++) {
        // Every fourth set creates a key; the others update one of the first 20, some twice in one layer.
        const key = i % 4 === 0 ? `void/new-${fresh++}` : `void/${(i * 7 + r) % 20}`;
        store.set(key, { n: leaf }, leaf);
        model.set(leaf + 1, key, { n: leaf });
        leaf++;
        if (i % 9 === 8) store.rootAt(leaf);
      }
      store.retainVersion(leaf - 15);
      store.retainVersion(leaf);
      store.releaseBefore(leaf);
    }
    expect(toHex(store.rootAt(leaf))).toBe(toHex(model.at(leaf).root()));
    for (const key of ['void/3', 'void/new-0', `void/new-${fresh - 1}`])
      expectSameProof(store, model, key, leaf);
    // One row per key: every older row was made stale and pruned.
    expect(count('state_values_at')).toBe(20 + fresh);
  });

  it('holds no more than the cap of changes in memory, whatever the number of sets without a retain', () => {
    const store = new StateMapStore(openNodeDatabase(':memory:'), { maxUnpersistedChanges: 64 });
    store.migrate();
    let most = 0;
    for (let leaf = 0; leaf < 2000; leaf++) {
      store.set(`void/${leaf}`, { n: leaf }, leaf);
      if (leaf % 7 === 0) store.rootAt(leaf + 1);
      most = Math.max(most, store.stats().unpersistedChanges);
    }
    expect(most).toBeLessThanOrEqual(64);
  });

  it('keeps retained versions below the newest written one in memory within the cap, and replays them after that', () => {
    const cap = 64;
    const db = openNodeDatabase(':memory:');
    let store = new StateMapStore(db, { maxUnpersistedChanges: cap, persistAfterChanges: 16 });
    store.migrate();
    const model = new Model();
    const retained: number[] = [];
    let most = 0;
    let keptBelow = 0;
    const checkRetained = () => {
      for (const v of retained) {
        if (v < store.oldestVersion()) continue;
        expect(toHex(store.rootAt(v))).toBe(toHex(model.at(v).root()));
        for (const key of [...(model.changedAt.get(v) ?? []), 'void/1', 'absent/1'])
          expectSameProof(store, model, key, v);
      }
    };
    for (let leaf = 0; leaf < 600; leaf++) {
      // New keys and updates of old ones, some of them twice in one version.
      const key = leaf % 3 === 0 ? `void/${leaf % 17}` : `void/new-${leaf}`;
      store.set(key, { n: leaf }, leaf);
      model.set(leaf + 1, key, { n: leaf });
      if (leaf % 5 === 4) {
        store.set('void/1', { n: -leaf }, leaf);
        model.set(leaf + 1, 'void/1', { n: -leaf });
      }
      const stats = store.stats();
      // One version's changes may come on top of the cap before the store persists it.
      most = Math.max(most, stats.unpersistedChanges + stats.pastChanges);
      if (leaf % 7 === 6) {
        const v = leaf + 1;
        store.rootAt(v);
        store.retainVersion(v);
        retained.push(v);
        keptBelow = Math.max(keptBelow, store.stats().pastLayers);
        // A floor that lags far behind: the cap, not the floor, decides what stays in memory.
        if (v > 300) store.releaseBefore(v - 300);
      }
      if (leaf % 97 === 96) checkRetained();
    }
    expect(most).toBeLessThanOrEqual(cap + 2);
    expect(keptBelow).toBeGreaterThan(1);
    checkRetained();
    store = new StateMapStore(db, { maxUnpersistedChanges: cap, persistAfterChanges: 16 });
    store.migrate();
    expect(store.stats().pastLayers).toBe(0);
    checkRetained();
  });

  it('gives versions without changes the root of the version before', () => {
    const store = new StateMapStore(openNodeDatabase(':memory:'));
    store.migrate();
    store.set('void/1', { n: 1 }, 0);
    store.advanceTo(5);
    store.set('void/2', { n: 2 }, 6);
    expect(toHex(store.rootAt(5))).toBe(toHex(store.rootAt(1)));
    expect(toHex(store.rootAt(6))).toBe(toHex(store.rootAt(1)));
    expect(toHex(store.rootAt(7))).not.toBe(toHex(store.rootAt(6)));
    expect(toHex(store.rootAt(0))).toBe(toHex(EMPTY_STATE_ROOT));
  });

  it('re-hashes a version whose root was taken when another set for the same leaf follows', () => {
    const store = new StateMapStore(openNodeDatabase(':memory:'));
    store.migrate();
    store.set('void/1', { n: 1 }, 0);
    const early = toHex(store.rootAt(1));
    store.set('void/2', { n: 2 }, 0);
    const map = new InMemoryStateMap();
    map.set('void/1', { n: 1 });
    map.set('void/2', { n: 2 });
    expect(toHex(store.rootAt(1))).toBe(toHex(map.root()));
    expect(toHex(store.rootAt(1))).not.toBe(early);
  });

  it('refuses calls outside the answerable versions and sets out of log order, naming the versions', () => {
    const store = new StateMapStore(openNodeDatabase(':memory:'));
    store.migrate();
    for (let leaf = 0; leaf < 10; leaf++) store.set(`void/${leaf}`, { n: leaf }, leaf);
    store.retainVersion(6);
    store.releaseBefore(4);
    expect(() => store.rootAt(11)).toThrow(/version 11 is not answerable: only versions 4 to 10 are/);
    expect(() => store.proveAt('void/1', 3)).toThrow(StateVersionError);
    expect(() => store.retainVersion(2)).toThrow(StateVersionError);
    expect(() => store.releaseBefore(11)).toThrow(/current version is 10/);
    expect(() => store.set('void/1', { n: 0 }, 3)).toThrow(/sets come in log order/);
    expect(() => store.set('void/1', { n: 0 }, -1)).toThrow(StateVersionError);
    expect(() => store.set('void/1', { n: 0 }, 1.5)).toThrow(StateVersionError);
    store.retainVersion(10);
    expect(() => store.set('void/1', { n: 0 }, 9)).toThrow(/version 10 is retained/);
    expect(() => store.set('void/1', [] as never, 10)).toThrow(/JSON object/);
    expect(store.currentVersion()).toBe(10);
  });

  it('starts over empty after reset (chancery rebuild)', () => {
    const db = openNodeDatabase(':memory:');
    const store = new StateMapStore(db);
    store.migrate();
    for (let leaf = 0; leaf < 20; leaf++) store.set(`void/${leaf}`, { n: leaf }, leaf);
    store.retainVersion(20);
    store.reset();
    expect(store.currentVersion()).toBe(0);
    expect(toHex(store.rootAt(0))).toBe(toHex(EMPTY_STATE_ROOT));
    expect(store.get('void/1')).toBeNull();
    expect(db.prepare('SELECT count(*) FROM state_pages').pluck().get()).toBe(0);
    store.set('void/1', { n: 1 }, 0);
    const map = new InMemoryStateMap();
    map.set('void/1', { n: 1 });
    expect(toHex(store.rootAt(1))).toBe(toHex(map.root()));
  });

  it('returns values the caller cannot use to change the map', () => {
    const store = new StateMapStore(openNodeDatabase(':memory:'));
    store.migrate();
    const value = { status: 'active' };
    store.set('identity/TRANSPORT', value, 0);
    value.status = 'revoked';
    const read = store.get('identity/TRANSPORT')!;
    read['status'] = 'suspended';
    expect(store.get('identity/TRANSPORT')).toEqual({ status: 'active' });
    store.retainVersion(1);
    const again = store.get('identity/TRANSPORT')!;
    again['status'] = 'suspended';
    expect(store.get('identity/TRANSPORT')).toEqual({ status: 'active' });
  });
});
