/**
 * The state map in the node's SQLite file (docs/state-map.md §6), kept by the
 * ordered state machine from inside the projector's transactions.
 *
 * Versions follow the log: version V is the state after leaves 0..V−1, so a
 * set() for leaf i belongs to version i + 1. In memory the store keeps only
 * what changed since the newest persisted version (the base): the changes in
 * log order, each also appended to state_changes in the caller's transaction
 * (so a committed change survives a crash and is reloaded by migrate()), and
 * for each version whose root was asked for, a layer: the tree nodes that
 * differ from the base, path-copied so that each layer alone is its version's
 * tree over the base's pages. retainVersion(N) writes version N as immutable
 * pages that share everything unchanged with the version before
 * (copy-on-write, as Diem/Aptos's Jellyfish Merkle tree does) once
 * `persistAfterChanges` changes lie between the base and N: a page rewritten
 * once for all of them costs what it cost for one, and the pages near the
 * root are written once instead of at every retain. The retained versions
 * below it keep their layers (on the old base, whose pages stay until the
 * floor passes N) while the memory allows. When more than
 * `maxUnpersistedChanges` pile up without a retain (a mirror replaying the
 * log, a sealer that stopped), the store persists the last complete version
 * by itself, and layers below the base go first when memory runs short, so
 * memory stays bounded by that cap whatever the map's size and however many
 * versions are retained.
 *
 * Any version from the release floor (releaseBefore) to the current one can be
 * rooted and proved: persisted ones from their pages, later ones and those
 * whose layers are kept through the layers, others by replaying state_changes
 * onto the persisted version below them (at most the cap's worth of changes,
 * or persistAfterChanges plus a checkpoint's when retains come; after a
 * restart, or once the cap dropped their layers). A replay is kept as a layer
 * too, and the next one on the same base starts from it.
 */

import { hashesEqual } from '../../domain/log/rfc6962.js';
import type { JsonObject } from '../../domain/shared/json.js';
import {
  type ProvenState,
  type StateHasher,
  type StateProofTerminal,
  stateKeyHash,
  stateValueText,
} from '../../domain/state-map/index.js';
import type { NodeDatabase } from '../projections/node-database.js';
import { DeadSegments } from './dead-segments.js';
import { LruCache } from './lru-cache.js';
import { NODE_STATE_HASHER } from './node-state-hasher.js';
import { writePages } from './page-writer.js';
import { packPageIds, packStaleKeys, type StaleKey, unpackPageIds, unpackStaleKeys } from './stale-lists.js';
import { DecodedPage } from './state-page.js';
import {
  createStateTables,
  dropStateTables,
  PAGE_INSERT_ROWS,
  prepareStateStatements,
  type StateStatements,
  type VersionRow,
} from './state-tables.js';
import { walkProof, walkToTerminal } from './tree-proof.js';
import { type BaseRef, type MemNode, NODE_EMPTY, NODE_LEAF, type PageSource, TreeView } from './tree-view.js';
import { type Change, hashChanges, latestByKey, type VersionLayer } from './version-layers.js';

export interface StateMapStoreOptions {
  /** SHA-256 for keys, values and the tree; node:crypto's by default. */
  readonly hasher?: StateHasher;
  /**
   * Changes kept in memory (default 8192): past this many unpersisted ones the
   * store persists a version by itself, and layers kept below the base are
   * dropped first to stay within it.
   */
  readonly maxUnpersistedChanges?: number;
  /**
   * Unpersisted changes up to a retained version before retainVersion writes
   * it as pages (default PERSIST_AFTER_CHANGES; 1 writes every retained
   * version). A page rewritten once for many changes is shared by all of them,
   * and the pages near the root are rewritten once instead of once per retain.
   */
  readonly persistAfterChanges?: number;
  /** Decoded pages below the top levels kept in memory (default 4096); the top levels are always kept. */
  readonly pageCacheSize?: number;
  /** Pages rooted at this depth or above count as the top levels (default 12; tests lower it to exercise the LRU). */
  readonly topDepth?: number;
  /** Current values kept in memory for get() (default 4096). */
  readonly valueCacheSize?: number;
  /** Stale-list rows (one per persisted version) pruned per retain or release at most (default 16). */
  readonly pruneBatch?: number;
}

export interface StateMapStats {
  readonly currentVersion: number;
  readonly baseVersion: number;
  readonly floor: number;
  readonly unpersistedChanges: number;
  readonly layers: number;
  /** Layers of versions below the base still kept in memory. */
  readonly pastLayers: number;
  /** Changes whose tree nodes those layers hold (counted against the cap with the unpersisted ones). */
  readonly pastChanges: number;
  /** Distinct tree nodes the layers hold. */
  readonly layerNodes: number;
  readonly cachedPages: number;
  readonly pageReads: number;
}

/** The versions a call may name: between the release floor and the current version. */
export class StateVersionError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'StateVersionError';
  }
}

interface Base {
  readonly version: number;
  readonly root: Uint8Array;
  readonly rootPage: number | null;
}

/**
 * The tree of a version below the base, on a persisted version below it (its
 * base): a layer kept when a later version was persisted, or a replay. Its
 * changes are not kept: the value a leaf above the base names is read from
 * state_changes.
 */
interface PastLayer {
  readonly version: number;
  readonly root: Uint8Array;
  readonly changedRoot: MemNode | undefined;
  readonly base: Base;
  /**
   * Changes between the base and the version: the nodes the layer reaches
   * (it shares those of the layers below it on the same base), counted
   * against the cap.
   */
  readonly sinceBase: number;
}

/** A version ready to read: its tree and where the values of changed keys are. */
interface ResolvedVersion {
  readonly version: number;
  readonly view: TreeView;
  readonly root: Uint8Array;
  /** Changes above the persisted rows, newest layer first. */
  readonly latest: readonly ReadonlyMap<string, Change>[];
  /** Leaves naming a value version above this one have their value in state_changes, not in a value row. */
  readonly loggedAbove?: number;
}

const MAX_VERSION = Number.MAX_SAFE_INTEGER;
/**
 * The default of persistAfterChanges. Measured at 200k keys with a retain every 1000 events: pages
 * written per event 2.28 when every retain wrote, 1.90 at 2048, 1.72 at 4096. A version below the base
 * whose layer is gone (after a restart, or dropped for the cap) is replayed from up to this many changes
 * plus a checkpoint's, some 40 µs each with cold caches: about 100 ms at 2048, 250 ms at 4096.
 */
const PERSIST_AFTER_CHANGES = 2048;
/** Versions of state_changes deleted per prune step at most, so a long-delayed release is paid off gradually. */
const CHANGE_VERSIONS_PER_PRUNE = 50_000;
const ZERO_ROOT = Buffer.alloc(32);
/**
 * Pages whose root is at depth ≤ 12 (1 + 16 + 256 + 4096 of them in a full
 * tree) are read by nearly every update, so they are cached apart from the
 * LRU of deeper pages and put in the cache as soon as they are written.
 */
const TOP_DEPTH = 12;
const TOP_PAGE_CAPACITY = 2 * (1 + 16 + 256 + 4096);
/**
 * Dead pages (no answerable version uses them) are deleted a segment of
 * DEAD_SEGMENT consecutive ids at a time, the segments with the most dead
 * rows first, whenever the dead rows exceed DEAD_SHARE of the live ones. Rows
 * of a segment sit in a few adjacent B-tree pages (ids are allocated in write
 * order), so a delete dirties each of those once for several rows, where
 * deleting every page as it died dirtied a random B-tree page (a 4 KiB WAL
 * frame) per row. The price is disk: dead rows wait in state_pages.
 */
const DEAD_SEGMENT = 64;
const DEAD_SHARE = 0.5;
/**
 * Pages rooted at this depth or above are rewritten within a few versions
 * (at 1M keys, each of the 4096 pages at depth 12 about every 4 versions);
 * deeper ones live for tens to hundreds of versions. They take ids from two
 * ranges, so that segments of short-lived pages die whole and soon (cheap to
 * delete: their B-tree pages are freed, not rewritten) instead of waiting
 * among long-lived ones. Long-lived pages take the upper range: appended at
 * the B-tree's right edge, their leaf pages are packed full (appends in the
 * middle of a B-tree split pages half and half). Ids of files written before
 * are all in the lower range; 6-byte ids leave room for both.
 */
const SHORT_LIVED_DEPTH = 12;
const LONG_LIVED_IDS = 2 ** 40;
const ID_LIMIT = 2 ** 48;

function checkVersionNumber(version: number, what: string): void {
  if (!Number.isSafeInteger(version) || version < 0) {
    throw new StateVersionError(`${what} must be a non-negative safe integer, got ${version}`);
  }
}

export class StateMapStore implements PageSource {
  private readonly hasher: StateHasher;
  private readonly cap: number;
  private readonly persistAfter: number;
  private readonly pruneBatch: number;
  /** Pages of the top TOP_DEPTH levels: bounded by the tree's shape (4369 at most per version), not its size. */
  private readonly topPages = new LruCache<number, DecodedPage>(TOP_PAGE_CAPACITY);
  private readonly topDepth: number;
  private readonly pages: LruCache<number, DecodedPage>;
  private readonly values: LruCache<string, string | null>;
  private st!: StateStatements;
  private base: Base = { version: 0, root: ZERO_ROOT, rootPage: null };
  /** Layers of versions above the base, oldest first. */
  private layers: VersionLayer[] = [];
  /**
   * Layers of versions below the base, oldest first, kept when a later
   * version was persisted: a retained version is then answered from memory,
   * not replayed, until the floor passes it or the cap needs its memory.
   */
  private past: PastLayer[] = [];
  /** pastChanges() as of the last trimPast(), which every change to `past` ends with. */
  private pastHeld = 0;
  private pending: Change[] = [];
  /** Changes in `pending` and `layers`: asked for at every event, so counted rather than summed over the layers. */
  private unpersistedCount = 0;
  /** The newest in-memory change of each key (pending or in a layer). */
  private readonly live = new Map<string, Change>();
  private current = 0;
  private floor = 0;
  /** The newest retained version: a checkpoint commits to its root, so no set may change it any more. */
  private retained = 0;
  /** The version the last change belongs to, and the position the next change of it takes. */
  private ordVersion = 0;
  private nextOrd = 0;
  private nextShortLivedId = 1;
  private nextLongLivedId = LONG_LIVED_IDS;
  private pageReads = 0;
  /** Ids in state_dead per segment (id / DEAD_SEGMENT), and in all; rows of state_pages. */
  private readonly deadSegments = new DeadSegments();
  private deadRows = 0;
  private pageRows = 0;
  /** The last version rebuilt below the base, kept for the next question about it even beyond the cap. */
  private replayed: PastLayer | null = null;

  constructor(
    private readonly db: NodeDatabase,
    options: StateMapStoreOptions = {},
  ) {
    this.hasher = options.hasher ?? NODE_STATE_HASHER;
    this.cap = options.maxUnpersistedChanges ?? 8192;
    this.persistAfter = options.persistAfterChanges ?? PERSIST_AFTER_CHANGES;
    if (!Number.isInteger(this.persistAfter) || this.persistAfter < 1)
      throw new RangeError('persistAfterChanges must be ≥ 1');
    this.pruneBatch = options.pruneBatch ?? 16;
    if (!Number.isInteger(this.cap) || this.cap < 1)
      throw new RangeError('maxUnpersistedChanges must be ≥ 1');
    this.pages = new LruCache(options.pageCacheSize ?? 4096);
    this.topDepth = options.topDepth ?? TOP_DEPTH;
    this.values = new LruCache(options.valueCacheSize ?? 4096);
  }

  /** Creates the tables if missing and loads the state: the base version and the changes after it. */
  migrate(): void {
    createStateTables(this.db);
    this.st = prepareStateStatements(this.db);
    if (this.st.newestVersion.get() === undefined) this.st.insertVersion.run(0, ZERO_ROOT, null);
    const newest = this.st.newestVersion.get()!;
    this.base = { version: newest.version, root: new Uint8Array(newest.root), rootPage: newest.root_page };
    this.floor = this.st.readMeta.get('floor') ?? 0;
    this.retained = this.st.readMeta.get('retained') ?? 0;
    this.nextShortLivedId = this.st.maxPageId.get(1, 1, LONG_LIVED_IDS)! + 1;
    this.nextLongLivedId = this.st.maxPageId.get(LONG_LIVED_IDS, LONG_LIVED_IDS, ID_LIMIT)! + 1;
    this.clearMemory();
    this.deadRows = 0;
    for (const { segment, dead } of this.st.deadBySegment.iterate(DEAD_SEGMENT)) {
      this.deadSegments.load(segment, dead);
      this.deadRows += dead;
    }
    // Counted once for a file written before the count was kept.
    this.pageRows = this.st.readMeta.get('page_rows') ?? this.st.countPages.get()!;
    for (const row of this.st.changesBetween.iterate(this.base.version, MAX_VERSION)) {
      const change = this.change(row.version, row.key, row.value);
      this.pending.push(change);
      this.live.set(change.key, change);
    }
    this.unpersistedCount = this.pending.length;
    const last = this.pending.at(-1)?.version ?? this.base.version;
    this.current = Math.max(this.st.readMeta.get('current') ?? 0, last, this.base.version);
    this.ordVersion = this.pending.at(-1)?.version ?? 0;
    this.nextOrd = this.pending.filter((c) => c.version === this.ordVersion).length;
  }

  /** Drops every table and all memory (`chancery rebuild`), then starts over empty. */
  reset(): void {
    dropStateTables(this.db);
    this.migrate();
  }

  currentVersion(): number {
    return this.current;
  }

  /** The oldest version still answerable (the last releaseBefore). */
  oldestVersion(): number {
    return this.floor;
  }

  /** The current value of a key (after every set so far), or null. */
  get(key: string): JsonObject | null {
    const live = this.live.get(key);
    if (live !== undefined) return JSON.parse(live.text) as JsonObject;
    let text = this.values.get(key);
    if (text === undefined) {
      // The base's leaf names the row of the key's value (the changes after the base are all in `live`).
      const keyHash = stateKeyHash(key, this.hasher);
      const leaf = walkToTerminal(this.persistedView(this.base), keyHash);
      text =
        leaf.type === NODE_LEAF && hashesEqual(leaf.keyHash!, keyHash)
          ? this.rowValue(leaf, keyHash, this.base.version)
          : null;
      this.values.set(key, text);
    }
    return text === null ? null : (JSON.parse(text) as JsonObject);
  }

  /**
   * Sets a key's value as of leaf `leafIndex` (version leafIndex + 1). Calls
   * come in log order; several keys may change at one leaf. The change is
   * written to state_changes in the caller's transaction.
   */
  set(key: string, value: JsonObject, leafIndex: number): void {
    checkVersionNumber(leafIndex, 'leafIndex');
    const version = leafIndex + 1;
    if (version < this.current) {
      throw new StateVersionError(
        `set at version ${version} after version ${this.current}: sets come in log order`,
      );
    }
    if (version <= this.retained) {
      throw new StateVersionError(
        `version ${version} is retained (a checkpoint commits to it) and cannot change any more`,
      );
    }
    if (version <= this.base.version) {
      throw new StateVersionError(`version ${version} is persisted and cannot change any more`);
    }
    const text = stateValueText(value);
    const change = this.change(version, key, text);
    if (version > this.current) this.completeVersion();
    this.reopen(version);
    if (version !== this.ordVersion) {
      this.ordVersion = version;
      this.nextOrd = 0;
    }
    this.st.insertChange.run(version, this.nextOrd++, key, text);
    this.pending.push(change);
    this.unpersistedCount++;
    this.live.set(key, change);
    this.current = version;
  }

  /** The log has `treeSize` leaves, whether or not the last of them changed a key. */
  advanceTo(treeSize: number): void {
    checkVersionNumber(treeSize, 'treeSize');
    if (treeSize <= this.current) return;
    this.completeVersion();
    this.current = treeSize;
    this.st.writeMeta.run('current', treeSize);
  }

  /** The map root at `version` (floor ≤ version ≤ current). */
  rootAt(version: number): Uint8Array {
    return this.resolve(version).root.slice();
  }

  /** Keeps `version` provable from pages until releaseBefore passes it (a checkpoint's size). */
  retainVersion(version: number): void {
    this.checkAnswerable(version);
    this.inTransaction(() => {
      if (version > this.retained) {
        this.retained = version;
        this.st.writeMeta.run('retained', version);
      }
      if (version > this.base.version) {
        this.ensureLayer(version);
        if (this.changesUpTo(version) >= this.persistAfter) this.persistLive(version);
      } else if (
        this.pastLayer(version) === undefined &&
        this.st.versionAtOrBefore.get(version)!.version !== version
      ) {
        this.persistPast(version);
      }
      this.pruneStep();
    });
  }

  /** Versions below `version` need not stay answerable; what only they needed is pruned (in steps). */
  releaseBefore(version: number): void {
    checkVersionNumber(version, 'version');
    if (version > this.current) {
      throw new StateVersionError(
        `cannot release versions up to ${version}: the current version is ${this.current}`,
      );
    }
    this.inTransaction(() => {
      if (version > this.floor) {
        this.floor = version;
        this.st.writeMeta.run('floor', version);
      }
      // Past layers below the floor can no longer be asked for: their memory goes now.
      this.trimPast();
      this.pruneStep();
    });
  }

  /** A key's value at `version` (null when absent) and the proof of it against rootAt(version). */
  proveAt(key: string, version: number): ProvenState {
    const keyHash = stateKeyHash(key, this.hasher);
    const resolved = this.resolve(version);
    const walk = walkProof(resolved.view, keyHash);
    const siblings = walk.siblings.map((s) => s.slice());
    const node = walk.terminal;
    if (node.type === NODE_EMPTY) return { value: null, proof: { siblings, terminal: { kind: 'empty' } } };
    if (!hashesEqual(node.keyHash!, keyHash)) {
      const terminal: StateProofTerminal = {
        kind: 'leaf',
        keyHash: node.keyHash!.slice(),
        valueHash: node.valueHash!.slice(),
      };
      return { value: null, proof: { siblings, terminal } };
    }
    const text = this.valueAt(resolved, key, keyHash, node);
    // The tree and the value rows are written together; disagreement means a damaged or edited file.
    if (text === null || !hashesEqual(this.hasher.digest(Buffer.from(text)), node.valueHash!)) {
      throw new Error(
        `state map corrupt: the value of "${key}" at version ${version} does not match its leaf`,
      );
    }
    return { value: JSON.parse(text) as JsonObject, proof: { siblings, terminal: { kind: 'value' } } };
  }

  stats(): StateMapStats {
    return {
      currentVersion: this.current,
      baseVersion: this.base.version,
      floor: this.floor,
      unpersistedChanges: this.unpersisted(),
      layers: this.layers.length,
      pastLayers: this.past.length,
      pastChanges: this.pastChanges(),
      layerNodes: this.layerNodes(),
      cachedPages: this.pages.size + this.topPages.size,
      pageReads: this.pageReads,
    };
  }

  /** PageSource: a page by id, through the caches. */
  page(id: number, depth: number): DecodedPage {
    const top = depth <= this.topDepth;
    const cache = top ? this.topPages : this.pages;
    // The top pages fit their cache (the replaced ones are dropped as they go): no reordering on every hit.
    let page = top ? cache.peek(id) : cache.get(id);
    if (page === undefined) {
      const body = this.st.page.get(id);
      // Every id reachable from an answerable version is kept; a miss is a damaged file or a pruning bug.
      if (body === undefined) throw new Error(`state map corrupt: page ${id} is missing`);
      this.pageReads++;
      page = new DecodedPage(id, body, depth);
      cache.set(id, page);
    }
    return page;
  }

  private change(version: number, key: string, text: string): Change {
    const keyHash = stateKeyHash(key, this.hasher);
    return { version, key, keyHash, valueHash: this.hasher.digest(Buffer.from(text)), text };
  }

  private unpersisted(): number {
    return this.unpersistedCount;
  }

  /** Unpersisted changes of versions up to `version`, which has a layer. */
  private changesUpTo(version: number): number {
    let n = 0;
    for (const layer of this.layers) if (layer.version <= version) n += layer.changes.length;
    return n;
  }

  private layerNodes(): number {
    const seen = new Set<MemNode>();
    const visit = (node: MemNode | undefined): void => {
      if (node === undefined || seen.has(node)) return;
      seen.add(node);
      visit(node.left);
      visit(node.right);
    };
    for (const layer of this.layers) visit(layer.changedRoot);
    for (const past of this.past) visit(past.changedRoot);
    return seen.size;
  }

  private pastLayer(version: number): PastLayer | undefined {
    return this.past.find((p) => p.version === version);
  }

  /** Changes whose nodes the past layers hold: on each base, those up to the newest layer on it. */
  private pastChanges(): number {
    const newest = new Map<number, number>();
    for (const p of this.past) newest.set(p.base.version, p.sinceBase);
    let n = 0;
    for (const sinceBase of newest.values()) n += sinceBase;
    return n;
  }

  /**
   * Drops the past layers below the floor, then the oldest ones while the
   * memory holds more changes than the cap (the oldest first: the floor
   * passes them first).
   */
  private trimPast(): void {
    while (this.past.length > 0 && this.past[0]!.version < this.floor) this.past.shift();
    while (this.past.length > 0 && this.pastChanges() + this.unpersisted() > this.cap) this.past.shift();
    this.pastHeld = this.pastChanges();
  }

  private pastVersion(past: PastLayer): ResolvedVersion {
    return {
      version: past.version,
      view: new TreeView(this.rootRef(past.base.rootPage), past.changedRoot, this),
      root: past.root,
      latest: [],
      // Only the last change of each key up to the version persisted after the base has a value row.
      loggedAbove: past.base.version,
    };
  }

  private clearMemory(): void {
    this.layers = [];
    this.past = [];
    this.pastHeld = 0;
    this.pending = [];
    this.unpersistedCount = 0;
    this.live.clear();
    this.pages.clear();
    this.topPages.clear();
    this.values.clear();
    this.deadSegments.clear();
    this.replayed = null;
  }

  private inTransaction(fn: () => void): void {
    if (this.db.inTransaction) fn();
    else this.db.transaction(fn)();
  }

  /** The current version is complete (a later one starts): persist it if memory reached the cap. */
  private completeVersion(): void {
    if (this.past.length > 0 && this.pastHeld + this.unpersisted() > this.cap) this.trimPast();
    if (this.current > this.base.version && this.unpersisted() >= this.cap) {
      this.inTransaction(() => this.persistLive(this.current));
    }
  }

  /** A set at a version whose root was already taken: that layer is stale, its changes pending again. */
  private reopen(version: number): void {
    while (this.layers.length > 0 && this.layers.at(-1)!.version >= version) {
      this.pending = [...this.layers.pop()!.changes, ...this.pending];
    }
  }

  private checkAnswerable(version: number): void {
    checkVersionNumber(version, 'version');
    if (version > this.current || version < this.floor) {
      throw new StateVersionError(
        `version ${version} is not answerable: only versions ${this.floor} to ${this.current} are`,
      );
    }
  }

  private rootRef(rootPage: number | null): BaseRef {
    return rootPage === null ? null : { page: this.page(rootPage, 0), index: 0 };
  }

  private persistedView(row: Base | VersionRow): TreeView {
    const rootPage = 'rootPage' in row ? row.rootPage : row.root_page;
    return new TreeView(this.rootRef(rootPage), undefined, this);
  }

  private resolve(version: number): ResolvedVersion {
    this.checkAnswerable(version);
    if (version === this.base.version) {
      return { version, view: this.persistedView(this.base), root: this.base.root, latest: [] };
    }
    if (version > this.base.version) {
      const layer = this.ensureLayer(version);
      const below = this.layers.filter((l) => l.version <= version).reverse();
      return {
        version,
        view: new TreeView(this.rootRef(this.base.rootPage), layer.changedRoot, this),
        root: layer.root,
        latest: below.map((l) => l.latest),
      };
    }
    const past = this.pastLayer(version);
    if (past !== undefined) return this.pastVersion(past);
    const row = this.st.versionAtOrBefore.get(version)!;
    if (row.version === version) {
      return { version, view: this.persistedView(row), root: new Uint8Array(row.root), latest: [] };
    }
    return this.replay(row, version);
  }

  /**
   * A version between two persisted ones: the nearest past layer below it on
   * the persisted version below it (or that version itself) plus the logged
   * changes up to it, kept as a past layer while the cap allows.
   */
  private replay(row: VersionRow, version: number): ResolvedVersion {
    if (this.replayed?.version === version) return this.pastVersion(this.replayed);
    let from: PastLayer | undefined;
    for (const p of this.past) if (p.base.version === row.version && p.version < version) from = p;
    const base = from?.base ?? {
      version: row.version,
      root: new Uint8Array(row.root),
      rootPage: row.root_page,
    };
    const changes = this.st.changesBetween
      .all(from?.version ?? base.version, version)
      .map((r) => this.change(r.version, r.key, r.value));
    const view = new TreeView(this.rootRef(base.rootPage), from?.changedRoot, this);
    const { root, changedRoot } = hashChanges(view, changes, this.hasher);
    const sinceBase = (from?.sinceBase ?? 0) + changes.length;
    this.replayed = { version, root, changedRoot, base, sinceBase };
    const at = this.past.findIndex((p) => p.version > version);
    this.past.splice(at < 0 ? this.past.length : at, 0, this.replayed);
    this.trimPast();
    return this.pastVersion(this.replayed);
  }

  /** The layer for `version` (base < version ≤ current), hashing the changes it needs. */
  private ensureLayer(version: number): VersionLayer {
    let at = this.layers.findIndex((l) => l.version >= version);
    if (at < 0) at = this.layers.length;
    if (at < this.layers.length && this.layers[at]!.version === version) return this.layers[at]!;
    let taken: Change[];
    if (at < this.layers.length) {
      // Split the layer above: its tree is unchanged and its nodes relative to the base; it keeps its later changes.
      const above = this.layers[at]!;
      taken = above.changes.filter((c) => c.version <= version);
      above.changes = above.changes.filter((c) => c.version > version);
      above.latest = latestByKey(above.changes);
      // A key the split-off layer changes too is, for the layer above, a key its version below holds, at
      // the row that layer writes: that is the row the above layer's change makes stale.
      const takenLatest = latestByKey(taken);
      for (const key of above.latest.keys()) {
        const lower = takenLatest.get(key);
        if (lower !== undefined) above.existed.set(key, lower.version);
      }
    } else {
      let n = 0;
      while (n < this.pending.length && this.pending[n]!.version <= version) n++;
      taken = this.pending.slice(0, n);
      this.pending = this.pending.slice(n);
    }
    const below = at > 0 ? this.layers[at - 1]!.changedRoot : undefined;
    const view = new TreeView(this.rootRef(this.base.rootPage), below, this);
    const { root, changedRoot, latest, existed } = hashChanges(view, taken, this.hasher);
    const layer: VersionLayer = { version, root, changedRoot, changes: taken, latest, existed };
    this.layers.splice(at, 0, layer);
    return layer;
  }

  /** The value of the key whose leaf is `leaf` in `resolved`. */
  private valueAt(resolved: ResolvedVersion, key: string, keyHash: Uint8Array, leaf: MemNode): string | null {
    for (const latest of resolved.latest) {
      const change = latest.get(key);
      if (change !== undefined) return change.text;
    }
    const { loggedAbove } = resolved;
    if (loggedAbove !== undefined && leaf.valueVersion !== undefined && leaf.valueVersion > loggedAbove) {
      return this.st.changeValue.get(leaf.valueVersion, key) ?? null;
    }
    return this.rowValue(leaf, keyHash, resolved.version);
  }

  /** The persisted value row of a leaf: the one it names, or for a leaf written before, the newest ≤ version. */
  private rowValue(leaf: MemNode, keyHash: Uint8Array, version: number): string | null {
    if (leaf.valueVersion !== undefined) return this.st.valueRow.get(leaf.valueVersion, keyHash) ?? null;
    return this.st.legacyValueAt.get(keyHash, version) ?? null;
  }

  /**
   * Writes version N > base from its layer, which reaches every node changed
   * since the base; N becomes the base. The layers below N are kept as past
   * layers on the old base, within the cap. Layers above N stay: their nodes
   * are relative to the old base, and a position none of them links to is
   * unchanged since it, so as N has it too (N's changed positions are among
   * theirs). They may rewrite pages N already wrote, at most once each.
   */
  private persistLive(version: number): void {
    const layer = this.ensureLayer(version);
    const count = this.layers.indexOf(layer) + 1;
    const upTo = this.layers.slice(0, count);
    const changes = upTo.flatMap((l) => l.changes);
    // A key the base held is in the `existed` of the lowest layer that changes it (that layer's view
    // below is the base plus layers that do not change it).
    let existed = upTo[0]!.existed;
    if (upTo.length > 1) {
      const inBase = new Map<string, number | undefined>();
      const seen = new Set<string>();
      for (const l of upTo) {
        for (const change of l.changes) {
          if (seen.has(change.key)) continue;
          seen.add(change.key);
          if (l.existed.has(change.key)) inBase.set(change.key, l.existed.get(change.key));
        }
      }
      existed = inBase;
    }
    const base = this.persistedView(this.base);
    const rootPage = this.writeVersion(
      version,
      base,
      this.base.rootPage,
      layer.changedRoot,
      layer.root,
      changes,
      existed,
      null,
    );
    // The old base's pages stay until the floor passes N, and the past layers on it go before that.
    let sinceBase = 0;
    for (const l of upTo.slice(0, -1)) {
      sinceBase += l.changes.length;
      const { root, changedRoot } = l;
      this.past.push({ version: l.version, root, changedRoot, base: this.base, sinceBase });
    }
    this.base = { version, root: layer.root, rootPage };
    this.layers = this.layers.slice(count);
    this.unpersistedCount -= changes.length;
    for (const change of changes) {
      if (this.live.get(change.key) === change) this.live.delete(change.key);
      if (this.values.has(change.key)) this.values.set(change.key, change.text);
    }
    this.trimPast();
  }

  /** Writes version N below the base (between two persisted versions), e.g. a checkpoint after a spill. */
  private persistPast(version: number): void {
    const below = this.st.versionAtOrBefore.get(version)!;
    const next = this.st.versionAfter.get(version)!;
    const changes = this.st.changesBetween
      .all(below.version, version)
      .map((r) => this.change(r.version, r.key, r.value));
    const base = this.persistedView(below);
    const { root, changedRoot, existed } = hashChanges(base, changes, this.hasher);
    this.writeVersion(version, base, below.root_page, changedRoot, root, changes, existed, next.version);
    this.replayed = null;
    // Past layers above it on a base below it: the pages this version replaces go once the floor passes it.
    this.past = this.past.filter((p) => !(p.base.version < version && p.version > version));
    this.trimPast();
  }

  /**
   * Writes the pages, value rows, version row and stale lists of `version`.
   * `nextPersisted` is set when the version goes in below an existing one,
   * which never uses what this one writes.
   */
  private writeVersion(
    version: number,
    base: TreeView,
    basePage: number | null,
    changedRoot: MemNode | undefined,
    root: Uint8Array,
    changes: readonly Change[],
    /**
     * Keys of `changes` that the version below held, with the version of the value row their leaf there
     * named: only they have an older row to make stale.
     */
    existed: ReadonlyMap<string, number | undefined>,
    nextPersisted: number | null,
  ): number | null {
    const written = writePages(base, basePage, changedRoot, (depth) =>
      depth <= SHORT_LIVED_DEPTH ? this.nextShortLivedId++ : this.nextLongLivedId++,
    );
    this.insertPages(written.pages);
    this.pageRows += written.pages.length;
    this.st.writeMeta.run('page_rows', this.pageRows);
    for (const page of written.pages) {
      // The next update reads the new top pages first thing: keep them instead of reading them back. A
      // deeper page is touched again only when another change lands under it before the LRU drops it
      // (about 3% of them at 1M keys): decoding each was work and garbage for little.
      if (page.depth <= this.topDepth)
        this.topPages.set(page.id, new DecodedPage(page.id, page.body, page.depth));
    }
    for (const id of written.replaced) {
      this.topPages.delete(id);
      this.pages.delete(id);
    }
    this.st.insertVersion.run(version, Buffer.from(root), written.rootPage);
    const replacedRows: StaleKey[] = [];
    const addedRows: StaleKey[] = [];
    for (const change of latestByKey(changes).values()) {
      const keyHash = Buffer.from(change.keyHash);
      const { changes: inserted } = this.st.insertValue.run(change.version, keyHash, change.text);
      // A key new at this version has no older rows: listing it would cost the prune a seek for nothing.
      if (existed.has(change.key)) {
        const old = existed.get(change.key);
        // A leaf of a file written before state_values_at: its rows are the key's older ones in state_values.
        replacedRows.push(old === undefined ? { keyHash, before: change.version } : { keyHash, at: old });
      }
      if (inserted > 0) addedRows.push({ keyHash, at: change.version });
    }
    this.addStale(version, written.replaced, replacedRows);
    if (nextPersisted !== null) {
      this.addStale(
        nextPersisted,
        written.pages.map((p) => p.id),
        addedRows,
      );
    }
    return written.rootPage;
  }

  /** Inserts pages PAGE_INSERT_ROWS at a time, the rest one by one. */
  private insertPages(pages: readonly { readonly id: number; readonly body: Buffer }[]): void {
    let at = 0;
    if (pages.length >= PAGE_INSERT_ROWS) {
      const params: (number | Buffer)[] = new Array(2 * PAGE_INSERT_ROWS);
      for (; at + PAGE_INSERT_ROWS <= pages.length; at += PAGE_INSERT_ROWS) {
        for (let i = 0; i < PAGE_INSERT_ROWS; i++) {
          params[2 * i] = pages[at + i]!.id;
          params[2 * i + 1] = pages[at + i]!.body;
        }
        this.st.insertPages.run(...params);
      }
    }
    for (; at < pages.length; at++) this.st.insertPage.run(pages[at]!.id, pages[at]!.body);
  }

  private addStale(since: number, pages: readonly number[], keys: readonly StaleKey[]): void {
    if (pages.length === 0 && keys.length === 0) return;
    const seq = this.st.nextStaleSeq.get(since)!;
    this.st.insertStale.run(since, seq, packPageIds(pages), packStaleKeys(keys));
  }

  /**
   * Deletes what no answerable version needs: everything made stale by
   * versions up to L, the newest persisted version at or below the floor
   * (every version ≥ floor is read from L or a later persisted version).
   * Bounded per call; the rest waits for the next retain or release.
   */
  private pruneStep(): void {
    const floorRow = this.st.versionAtOrBefore.get(this.floor);
    if (floorRow === undefined) return;
    const limit = floorRow.version;
    for (const row of this.st.staleUpTo.get(this.pruneBatch).all(limit)) {
      const ids = unpackPageIds(row.pages);
      // One statement for the row's few thousand ids instead of one per id.
      if (ids.length > 0) this.deadRows += this.st.insertDead.run(JSON.stringify(ids)).changes;
      for (const id of ids) {
        this.pages.delete(id);
        this.topPages.delete(id);
        this.deadSegments.add(Math.floor(id / DEAD_SEGMENT));
      }
      for (const key of unpackStaleKeys(row.keys)) {
        if ('at' in key) this.st.deleteValueRow.run(key.at, key.keyHash);
        else this.st.deleteLegacyValuesBefore.run(key.keyHash, key.before);
      }
      this.st.deleteStale.run(row.since, row.seq);
    }
    this.deleteDeadPages();
    this.st.deleteVersionsBefore.run(limit);
    this.st.deleteChangesUpTo.run({ limit, chunk: CHANGE_VERSIONS_PER_PRUNE });
  }

  /** Deletes dead pages, densest segments first, until they are at most DEAD_SHARE of the live ones. */
  private deleteDeadPages(): void {
    const excess = () => this.deadRows - DEAD_SHARE * (this.pageRows - this.deadRows);
    if (excess() <= 0) return;
    for (const segment of this.deadSegments.densestFirst()) {
      if (excess() <= 0) break;
      const from = segment * DEAD_SEGMENT;
      const to = from + DEAD_SEGMENT;
      this.pageRows -= this.st.deleteDeadPages.run(from, to).changes;
      this.deadRows -= this.st.deleteDead.run(from, to).changes;
      this.deadSegments.delete(segment);
    }
    this.st.writeMeta.run('page_rows', this.pageRows);
  }
}
