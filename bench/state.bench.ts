import { generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { closeSync, fdatasyncSync, ftruncateSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ChanceryClient } from '../src/client/chancery-client.js';
import type { CertificationRecord } from '../src/domain/log-state/state-records.js';
import {
  NOBLE_STATE_HASHER,
  type StateHasher,
  type StateProof,
  stateProofToJson,
  verifyStateProof,
} from '../src/domain/state-map/index.js';
import { type NodeDatabase, openNodeDatabase } from '../src/infrastructure/projections/node-database.js';
import { NODE_STATE_HASHER } from '../src/infrastructure/state-map/node-state-hasher.js';
import { StateMapStore } from '../src/infrastructure/state-map/state-map-store.js';
import { UnauthenticatedStateMap } from '../src/infrastructure/state-map/unauthenticated-state-map.js';
import { startNode } from '../src/node/chancery-node.js';
import { resolveNodeConfig } from '../src/node/node-config.js';
import { generateKeyPair } from '../src/protocol/key-pair.js';
import { signCommand } from '../src/protocol/sign-command.js';
import { benchParts } from './lib/bench-parts.js';
import { presign, setUpIssuer } from './lib/certify-setup.js';
import { runLoad } from './lib/http-load.js';
import { startNodeChild } from './lib/node-child.js';
import { interiorNodesAbove } from './lib/state-floor.js';
import { formatNumber, formatRatio, nowMs, percentile } from './lib/stats.js';
import { type BenchContext, type Benchmark, type BenchRow, scaled } from './lib/types.js';

/**
 * The state map's costs (issue 10's goals in brackets):
 *  - map update cost per event at 100k and at 1M keys [≤ 20 µs amortised, flat]: StateMapStore on a
 *    file-backed node database, driven as the ordered state machine drives it (set + advanceTo per
 *    event, 1000 events per transaction as the projector commits them, rootAt + retainVersion every
 *    1000 events as a seal does). Events are 90% new certifications, 10% status changes of existing
 *    ones. Baselines in the same run: the same events upserted into a plain SQLite key-value table
 *    (what an unauthenticated projection pays), and this machine's floor for a map whose lower levels are
 *    on disk (updateFloor: the SHA-256 calls an update cannot avoid, and one random page read);
 *  - proof size [≤ 1.5 KB]: the JSON wire form of membership and absence proofs at 1M keys, beside an
 *    RFC 6962 inclusion proof for a 1M-leaf log;
 *  - in-process verify time: verifyStateProof with @noble/hashes (what the citizen's browser runs) and
 *    with node:crypto, beside one node:crypto Ed25519 verification;
 *  - certify throughput with the map against without it [≤ 15% drop]: two node children, the same
 *    signed load, one started with BENCH_NODE_WITHOUT_STATE_MAP=1 (the ordered verdicts still run,
 *    over a plain key-value table; checkpoints carry no map root), alternated so drift hits both;
 *  - seal latency p50 [≤ 500 ms], acknowledged → covered by a signed checkpoint, with and without the map.
 *
 * Environment: BENCH_STATE_KEYS (default 1,000,000 × BENCH_SCALE, at least 20,000): the larger size;
 * the smaller is a tenth of it. BENCH_STATE_CONCURRENCY (default 64): clients for certify/s.
 * BENCH_STATE_PARTS (default all): a comma list of update, proof, certify, seal to run only those
 * (proof, which also times verification, needs update and runs it).
 */

const TRANSACTION_EVENTS = 1000;
const SEAL_EVERY = 1000;
const UPDATE_SHARE = 0.1;
const PROOFS_SAMPLED = 200;
const GOAL_UPDATE_US = 20;
const GOAL_PROOF_BYTES = 1536;
const GOAL_CERTIFY_DROP = 0.15;
const GOAL_SEAL_P50_MS = 500;

/** Small deterministic PRNG, so two runs touch the same keys. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const certificationKey = (n: number) => `certification/crt_bench_${n.toString(36).padStart(8, '0')}`;

function certificationRecord(
  n: number,
  at: number,
  status: CertificationRecord['status'],
): CertificationRecord {
  return { status, issuerId: 'BENCH-ISSUER', certifiedAt: n, setAt: at, batch: null };
}

/** What the state machine does to a map, event after event: the same sequence for both maps. */
interface MapUnderTest {
  set(key: string, value: CertificationRecord, leafIndex: number): void;
  advanceTo(treeSize: number): void;
  seal(version: number): void;
  release(version: number): void;
}

class EventDriver {
  private events = 0;
  private keys = 0;
  private readonly next = random(7);

  constructor(
    private readonly db: NodeDatabase,
    private readonly map: MapUnderTest,
  ) {}

  get keyCount(): number {
    return this.keys;
  }

  /** Process CPU (every thread: the WAL checkpointer too) per event of the last run, in µs. */
  lastCpuUs = 0;

  /** The keys set by the last transaction's events: one seal's worth. */
  lastSealKeys: string[] = [];

  /** Applies events until the map holds `keys` keys (or `events` more events); returns µs per event. */
  run(until: { keys?: number; events?: number }): number {
    const stopAt = this.events + (until.events ?? Number.MAX_SAFE_INTEGER);
    const t0 = nowMs();
    const cpu0 = process.cpuUsage();
    let applied = 0;
    while (this.events < stopAt && (until.keys === undefined || this.keys < until.keys)) {
      this.db.exec('BEGIN');
      this.lastSealKeys = [];
      const end = Math.min(stopAt, this.events + TRANSACTION_EVENTS);
      for (; this.events < end; this.events++, applied++) this.applyOne();
      // The checkpoint event arrives in the projector's transaction: the version is retained inside it.
      if (this.events % SEAL_EVERY === 0) this.map.seal(this.events);
      this.db.exec('COMMIT');
      // The release runs after it, on its own (src/node/state-retention.ts).
      if (this.events % SEAL_EVERY === 0) this.map.release(this.events);
    }
    const cpu = process.cpuUsage(cpu0);
    this.lastCpuUs = (cpu.user + cpu.system) / Math.max(1, applied);
    return ((nowMs() - t0) * 1000) / Math.max(1, applied);
  }

  private applyOne(): void {
    const leaf = this.events;
    const update = this.keys > 0 && this.next() < UPDATE_SHARE;
    const n = update ? Math.floor(this.next() * this.keys) : this.keys++;
    const key = certificationKey(n);
    const value = update
      ? certificationRecord(n, leaf, 'suspended')
      : certificationRecord(leaf, leaf, 'active');
    this.map.set(key, value, leaf);
    this.lastSealKeys.push(key);
    this.map.advanceTo(leaf + 1);
  }
}

function authenticatedMap(store: StateMapStore): MapUnderTest {
  return {
    set: (key, value, leafIndex) => store.set(key, value, leafIndex),
    advanceTo: (size) => store.advanceTo(size),
    // A seal asks for the root, then (once the checkpoint is served) keeps that version provable.
    seal: (version) => {
      store.rootAt(version);
      store.retainVersion(version);
    },
    // What state-retention.ts does once the checkpoint before is final: keep the map from growing forever.
    release: (version) => {
      if (version > SEAL_EVERY) store.releaseBefore(version - SEAL_EVERY);
    },
  };
}

function plainMap(map: UnauthenticatedStateMap): MapUnderTest {
  return {
    set: (key, value, leafIndex) => map.set(key, value, leafIndex),
    advanceTo: (size) => map.advanceTo(size),
    seal: () => {},
    release: () => {},
  };
}

/**
 * The least an update can cost on this machine with the map's lower levels on disk, for one seal's
 * events just applied: the SHA-256 calls it must make (each interior node above the seal's changed
 * leaves once, found from their depths in the store's own tree, plus a key, a value and a leaf hash per
 * change) timed with the node's own hasher, one read of a random page of the store's own table (a
 * change lands under a random key hash, so with bounded memory its subtree is read from the file) and
 * one page written back (that subtree changed, and a bounded cache has dropped it long before another
 * change lands under it: in place or copied, it is written, in a committed transaction).
 */
interface UpdateFloor {
  readonly sha256PerEvent: number;
  readonly hashingUs: number;
  readonly pageReadUs: number;
  readonly pageWriteUs: number;
  /** The same pages read from a file of their own at fixed offsets (pread), for comparison: no B-tree, no WAL lookup. */
  readonly fileReadUs: number;
  /**
   * The same pages written durably to a file of their own, per page: a file beside node.db must be
   * fsynced before the commit that names its pages (node.db's WAL, at synchronous=NORMAL, is not
   * fsynced at commit: its frames carry their own checksums). Appended at the file's end, and written
   * in place over slots spread through a file as large as the store's page table.
   */
  readonly fileAppendUs: number;
  readonly fileInPlaceUs: number;
}

function hashCallUs(): number {
  const left = randomBytes(32);
  const right = randomBytes(32);
  const rounds = 200_000;
  const t0 = nowMs();
  for (let i = 0; i < rounds; i++) NODE_STATE_HASHER.nodeHash(left, right);
  return ((nowMs() - t0) * 1000) / rounds;
}

function updateFloor(
  db: NodeDatabase,
  store: StateMapStore,
  sealKeys: readonly string[],
  scratch: string,
): UpdateFloor {
  const keys = new Set(sealKeys).size;
  const sha256PerEvent = (interiorNodesAbove(store, sealKeys) + 3 * keys) / sealKeys.length;
  const ids = db.prepare('SELECT id FROM state_pages ORDER BY random() LIMIT 2000').pluck().all() as number[];
  const read = db.prepare('SELECT body FROM state_pages WHERE id = ?').pluck();
  const t0 = nowMs();
  const bodies = ids.map((id) => read.get(id) as Buffer);
  const pageReadUs = ((nowMs() - t0) * 1000) / Math.max(1, ids.length);
  const pageRows = db.prepare('SELECT count(*) FROM state_pages').pluck().get() as number;
  return {
    sha256PerEvent,
    hashingUs: sha256PerEvent * hashCallUs(),
    pageReadUs,
    pageWriteUs: pageWriteUs(db, bodies),
    fileReadUs: fileReadUs(scratch, bodies),
    ...fileDurableWriteUs(scratch, bodies, pageRows),
  };
}

/** 0 … n − 1 in a random order (Fisher–Yates). */
function shuffled(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** A page's place in the plain files the floor reads and writes: slot i at byte i × 4 KiB. */
const FILE_SLOT = 4096;

function writeSlot(fd: number, body: Buffer, slot: number): void {
  writeSync(fd, body, 0, Math.min(body.length, FILE_SLOT), slot * FILE_SLOT);
}

/** Runs `fn` on a new file at `path`, which is closed and removed after. */
function withScratchFile<T>(path: string, fn: (fd: number) => T): T {
  const fd = openSync(path, 'w+');
  try {
    return fn(fd);
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
}

/** Reads the bodies back in random order from a file holding each in a slot (in the OS cache, as the SQLite file is). */
function fileReadUs(path: string, bodies: readonly Buffer[]): number {
  return withScratchFile(path, (fd) => {
    for (const [i, body] of bodies.entries()) writeSlot(fd, body, i);
    const order = shuffled(bodies.length);
    const buffer = Buffer.allocUnsafe(FILE_SLOT);
    const t0 = nowMs();
    for (const i of order) readSync(fd, buffer, 0, Math.min(bodies[i]!.length, FILE_SLOT), i * FILE_SLOT);
    return ((nowMs() - t0) * 1000) / Math.max(1, bodies.length);
  });
}

/**
 * The bodies written to a file of their own and fdatasync'd, per page: appended at its end (one
 * fdatasync for all, as a seal would), then again over as many slots picked at random among `slots`
 * (the store's page count) of a file that holds them all, each slot allocated (written and synced)
 * beforehand, so that the timed round overwrites blocks in place as a store reusing free slots would.
 */
function fileDurableWriteUs(
  path: string,
  bodies: readonly Buffer[],
  slots: number,
): { fileAppendUs: number; fileInPlaceUs: number } {
  const n = Math.max(1, bodies.length);
  return withScratchFile(path, (fd) => {
    let t0 = nowMs();
    for (const [i, body] of bodies.entries()) writeSlot(fd, body, i);
    fdatasyncSync(fd);
    const fileAppendUs = ((nowMs() - t0) * 1000) / n;
    ftruncateSync(fd, 0);
    const picked = shuffled(Math.max(slots, bodies.length)).slice(0, bodies.length);
    for (const [i, body] of bodies.entries()) writeSlot(fd, body, picked[i]!);
    fdatasyncSync(fd);
    const order = shuffled(bodies.length);
    t0 = nowMs();
    for (const i of order) writeSlot(fd, bodies[i]!, picked[i]!);
    fdatasyncSync(fd);
    return { fileAppendUs, fileInPlaceUs: ((nowMs() - t0) * 1000) / n };
  });
}

/**
 * One page written, as cheaply as SQLite writes one: the same bodies appended in id order to a table of
 * their own in the same file (no index, no dead rows, the B-tree's right edge), one transaction for
 * all of them, committed (a store's seal commits too).
 */
function pageWriteUs(db: NodeDatabase, bodies: readonly Buffer[]): number {
  db.exec('CREATE TABLE state_floor_probe (id INTEGER PRIMARY KEY, body BLOB NOT NULL)');
  try {
    const insert = db.prepare('INSERT INTO state_floor_probe (id, body) VALUES (?, ?)');
    const t0 = nowMs();
    db.exec('BEGIN');
    for (const [i, body] of bodies.entries()) insert.run(i + 1, body);
    db.exec('COMMIT');
    return ((nowMs() - t0) * 1000) / Math.max(1, bodies.length);
  } finally {
    db.exec('DROP TABLE state_floor_probe');
  }
}

const floorUs = (f: UpdateFloor) => f.hashingUs + f.pageReadUs + f.pageWriteUs;

const floorLabel = (f: UpdateFloor) =>
  `floor: ${f.sha256PerEvent.toFixed(1)} SHA-256 + 1 page read + 1 page write`;

const floorNote = (f: UpdateFloor) =>
  `floor ${formatNumber(f.hashingUs)} µs hashing (${f.sha256PerEvent.toFixed(1)} SHA-256 per event, amortised over a seal) + ${formatNumber(f.pageReadUs)} µs reading one random page + ${formatNumber(f.pageWriteUs)} µs writing one (SQLite; with a plain file of pages instead: read at its offset ${formatNumber(f.fileReadUs)} µs, written durably ${formatNumber(f.fileAppendUs)} µs appended or ${formatNumber(f.fileInPlaceUs)} µs in place, floor ${formatNumber(f.hashingUs + f.fileReadUs + f.fileAppendUs)} / ${formatNumber(f.hashingUs + f.fileReadUs + f.fileInPlaceUs)} µs)`;

interface UpdateFigures {
  readonly smallKeys: number;
  readonly largeKeys: number;
  readonly smallUs: number;
  readonly largeUs: number;
  readonly smallCpuUs: number;
  readonly largeCpuUs: number;
  readonly plainSmallUs: number;
  readonly plainLargeUs: number;
  readonly fillUs: number;
  readonly fillSeconds: number;
  readonly smallFloor: UpdateFloor;
  readonly largeFloor: UpdateFloor;
  readonly store: StateMapStore;
  readonly dbBytes: number;
}

function measuredEvents(large: number): number {
  return Math.max(5000, Math.ceil(large / 50 / SEAL_EVERY) * SEAL_EVERY);
}

function measureUpdates(ctx: BenchContext, large: number): UpdateFigures {
  const small = Math.round(large / 10);
  const window = measuredEvents(large);
  const db = openNodeDatabase(join(ctx.tmpDir, 'state.db'));
  ctx.onCleanup(() => void db.close());
  const store = new StateMapStore(db);
  store.migrate();
  const driver = new EventDriver(db, authenticatedMap(store));
  const plainDb = openNodeDatabase(join(ctx.tmpDir, 'plain.db'));
  ctx.onCleanup(() => void plainDb.close());
  const plain = new UnauthenticatedStateMap(plainDb);
  plain.migrate();
  const plainDriver = new EventDriver(plainDb, plainMap(plain));

  const fill0 = nowMs();
  ctx.log(`filling the map to ${small.toLocaleString('en-US')} keys`);
  driver.run({ keys: small });
  const smallUs = driver.run({ events: window });
  const smallCpuUs = driver.lastCpuUs;
  const smallFloor = updateFloor(db, store, driver.lastSealKeys, join(ctx.tmpDir, 'floor-pages'));
  plainDriver.run({ keys: small });
  const plainSmallUs = plainDriver.run({ events: window });
  ctx.log(
    `${formatNumber(smallUs)} µs/event at ${small.toLocaleString('en-US')} keys; filling to ${large.toLocaleString('en-US')}`,
  );
  const fillUs = driver.run({ keys: large });
  const largeUs = driver.run({ events: window });
  const largeCpuUs = driver.lastCpuUs;
  const largeFloor = updateFloor(db, store, driver.lastSealKeys, join(ctx.tmpDir, 'floor-pages'));
  plainDriver.run({ keys: large });
  const plainLargeUs = plainDriver.run({ events: window });
  const fillSeconds = (nowMs() - fill0) / 1000;
  ctx.log(`${formatNumber(largeUs)} µs/event at ${large.toLocaleString('en-US')} keys`);
  const pages = db.prepare('PRAGMA page_count').get() as { page_count: number };
  const pageSize = db.prepare('PRAGMA page_size').get() as { page_size: number };
  return {
    smallKeys: small,
    largeKeys: driver.keyCount,
    smallUs,
    largeUs,
    smallCpuUs,
    largeCpuUs,
    plainSmallUs,
    plainLargeUs,
    fillUs,
    fillSeconds,
    smallFloor,
    largeFloor,
    store,
    dbBytes: pages.page_count * pageSize.page_size,
  };
}

function updateRows(ctx: BenchContext, u: UpdateFigures): BenchRow[] {
  const note = `90% new keys, 10% status changes; ${TRANSACTION_EVENTS} events per transaction, root + retain every ${SEAL_EVERY}`;
  ctx.headline(
    `map update ${formatNumber(u.smallUs)} µs/event at ${u.smallKeys.toLocaleString('en-US')} keys, ${formatNumber(u.largeUs)} µs at ` +
      `${u.largeKeys.toLocaleString('en-US')} (${formatRatio(u.largeUs / u.smallUs)}) → goal ≤ ${GOAL_UPDATE_US} µs and flat: ` +
      (u.largeUs <= GOAL_UPDATE_US && u.smallUs <= GOAL_UPDATE_US ? 'MET' : 'NOT MET'),
  );
  const floor = floorUs(u.largeFloor);
  ctx.headline(
    `  this machine's floor at ${u.largeKeys.toLocaleString('en-US')} keys with the lower levels on disk: ` +
      `${formatNumber(u.largeFloor.hashingUs)} µs of SHA-256 + ${formatNumber(u.largeFloor.pageReadUs)} µs for one page read + ` +
      `${formatNumber(u.largeFloor.pageWriteUs)} µs for one page write = ${formatNumber(floor)} µs ` +
      `(${formatNumber(floorUs(u.smallFloor))} µs at ${u.smallKeys.toLocaleString('en-US')})` +
      `; with a plain file of pages instead, one read ${formatNumber(u.largeFloor.fileReadUs)} µs and one durable write ` +
      `${formatNumber(u.largeFloor.fileAppendUs)} µs appended or ${formatNumber(u.largeFloor.fileInPlaceUs)} µs in place ` +
      `(fsynced before the commit that names it): ${formatNumber(u.largeFloor.hashingUs + u.largeFloor.fileReadUs + u.largeFloor.fileAppendUs)} / ` +
      `${formatNumber(u.largeFloor.hashingUs + u.largeFloor.fileReadUs + u.largeFloor.fileInPlaceUs)} µs`,
  );
  return [
    {
      id: 'update-small',
      metric: `map update per event, ${u.smallKeys.toLocaleString('en-US')} keys`,
      value: u.smallUs,
      unit: 'µs',
      baselines: [
        { label: 'plain SQLite upsert', value: u.plainSmallUs },
        { label: floorLabel(u.smallFloor), value: floorUs(u.smallFloor) },
      ],
      note: `${note}; process CPU ${formatNumber(u.smallCpuUs)} µs/event; ${floorNote(u.smallFloor)}`,
      extra: { cpuUs: u.smallCpuUs },
    },
    {
      id: 'update-large',
      metric: `map update per event, ${u.largeKeys.toLocaleString('en-US')} keys`,
      value: u.largeUs,
      unit: 'µs',
      baselines: [
        { label: `same at ${u.smallKeys.toLocaleString('en-US')} keys`, value: u.smallUs },
        { label: 'plain SQLite upsert', value: u.plainLargeUs },
        { label: floorLabel(u.largeFloor), value: floorUs(u.largeFloor) },
      ],
      extra: { cpuUs: u.largeCpuUs },
      note: `${note}; process CPU ${formatNumber(u.largeCpuUs)} µs/event; ${floorNote(u.largeFloor)}; fill to ${u.largeKeys.toLocaleString('en-US')} keys ${formatNumber(u.fillUs)} µs/event, whole phase ${u.fillSeconds.toFixed(0)} s; database ${(u.dbBytes / 2 ** 20).toFixed(0)} MiB`,
    },
  ];
}

interface SampledProofs {
  readonly root: Uint8Array;
  readonly claims: { key: string; value: CertificationRecord | null; proof: StateProof }[];
  readonly memberBytes: number[];
  readonly absentBytes: number[];
}

function sampleProofs(store: StateMapStore, keys: number): SampledProofs {
  const version = store.currentVersion();
  const next = random(11);
  const claims: SampledProofs['claims'] = [];
  const memberBytes: number[] = [];
  const absentBytes: number[] = [];
  for (let i = 0; i < PROOFS_SAMPLED; i++) {
    const present = i % 2 === 0;
    const key = present ? certificationKey(Math.floor(next() * keys)) : `certification/crt_absent_${i}`;
    const { value, proof } = store.proveAt(key, version);
    const bytes = Buffer.byteLength(JSON.stringify(stateProofToJson(proof)));
    (present ? memberBytes : absentBytes).push(bytes);
    claims.push({ key, value: value as CertificationRecord | null, proof });
  }
  return { root: store.rootAt(version), claims, memberBytes, absentBytes };
}

function proofRows(ctx: BenchContext, p: SampledProofs, keys: number): BenchRow[] {
  // The same number of leaves in an RFC 6962 log: ceil(log2 n) hashes, as a JSON array of base64.
  const auditPath = Array.from({ length: Math.ceil(Math.log2(keys)) }, () => 'x'.repeat(44));
  const inclusionBytes = Buffer.byteLength(JSON.stringify(auditPath));
  const memberP50 = percentile(p.memberBytes, 50);
  const worst = Math.max(percentile(p.memberBytes, 100), percentile(p.absentBytes, 100));
  ctx.headline(
    `proof size p50 ${memberP50} B, max ${worst} B at ${keys.toLocaleString('en-US')} keys → goal ≤ ${GOAL_PROOF_BYTES} B: ` +
      (worst <= GOAL_PROOF_BYTES
        ? 'MET'
        : memberP50 <= GOAL_PROOF_BYTES
          ? 'MET at p50, not at max'
          : 'NOT MET'),
  );
  const baselines = [
    { label: `RFC 6962 inclusion proof, ${keys.toLocaleString('en-US')} leaves`, value: inclusionBytes },
  ];
  const note = (bytes: number[]) =>
    `JSON wire form without the value; p99 ${percentile(bytes, 99)} B, max ${percentile(bytes, 100)} B over ${bytes.length} keys`;
  return [
    {
      id: 'proof-member',
      metric: 'membership proof size p50',
      value: memberP50,
      unit: 'B',
      baselines,
      note: note(p.memberBytes),
    },
    {
      id: 'proof-absent',
      metric: 'absence proof size p50',
      value: percentile(p.absentBytes, 50),
      unit: 'B',
      baselines,
      note: note(p.absentBytes),
    },
  ];
}

/** µs per verifyStateProof over the sampled proofs (every one must verify). */
function verifyUs(p: SampledProofs, hasher: StateHasher, rounds: number): number {
  const t0 = nowMs();
  for (let r = 0; r < rounds; r++) {
    for (const c of p.claims) {
      if (!verifyStateProof(p.root, c.key, c.value, c.proof, hasher))
        throw new Error(`proof of ${c.key} failed`);
    }
  }
  return ((nowMs() - t0) * 1000) / (rounds * p.claims.length);
}

function ed25519VerifyUs(): number {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const message = randomBytes(200);
  const signature = sign(null, message, privateKey);
  const rounds = 3000;
  const t0 = nowMs();
  for (let i = 0; i < rounds; i++) verify(null, message, publicKey, signature);
  return ((nowMs() - t0) * 1000) / rounds;
}

function verifyRows(p: SampledProofs): BenchRow[] {
  const ed = ed25519VerifyUs();
  const baselines = [{ label: 'one Ed25519 verify (node:crypto)', value: ed }];
  return [
    {
      id: 'verify-noble',
      metric: 'verify one proof, @noble/hashes (the browser path)',
      value: verifyUs(p, NOBLE_STATE_HASHER, 5),
      unit: 'µs',
      baselines,
      note: 'key and value hashed, the path walked up to the root; half membership, half absence',
    },
    {
      id: 'verify-node',
      metric: 'verify one proof, node:crypto',
      value: verifyUs(p, NODE_STATE_HASHER, 20),
      unit: 'µs',
      baselines,
    },
  ];
}

interface CertifyRun {
  readonly perSecond: number;
  readonly p50Ms: number;
}

async function certifyOnce(
  ctx: BenchContext,
  withMap: boolean,
  round: number,
  count: number,
): Promise<CertifyRun> {
  const dataDir = join(ctx.tmpDir, `certify-${withMap ? 'map' : 'plain'}-${round}`);
  const node = await startNodeChild({
    repoRoot: ctx.repoRoot,
    dataDir,
    env: withMap ? {} : { BENCH_NODE_WITHOUT_STATE_MAP: '1' },
  });
  ctx.onCleanup(() => node.stop());
  try {
    const issuer = await setUpIssuer(node);
    const concurrency = Number(process.env['BENCH_STATE_CONCURRENCY'] ?? 64);
    const url = `${node.url}/v1/certifications`;
    const common = { url, expectStatus: 201, maxDurationMs: 60_000, concurrency, client: 'http' } as const;
    await runLoad({ ...common, bodies: presign(issuer, Math.min(1000, count)) });
    const load = await runLoad({ ...common, bodies: presign(issuer, count) });
    if (load.failed > 0)
      throw new Error(`certify ${withMap ? 'with' : 'without'} the map: ${load.failures[0]}`);
    const status = await new ChanceryClient(node.url).status();
    if (status.certifications < load.ok)
      throw new Error(`node reports ${status.certifications} certifications`);
    return { perSecond: load.perSecond, p50Ms: load.p50Ms };
  } finally {
    await node.stop();
  }
}

async function certifyRows(ctx: BenchContext): Promise<BenchRow[]> {
  const count = scaled(ctx.scale, 6000, 500);
  const rounds = ctx.scale >= 1 ? 2 : 1;
  const runs: { map: CertifyRun[]; plain: CertifyRun[] } = { map: [], plain: [] };
  for (let r = 0; r < rounds; r++) {
    // Alternated, without first: whatever drifts on a shared machine hits both.
    for (const withMap of [false, true]) {
      ctx.log(`certify/s ${withMap ? 'with' : 'without'} the map, round ${r + 1}: ${count} certifications`);
      (withMap ? runs.map : runs.plain).push(await certifyOnce(ctx, withMap, r, count));
    }
  }
  const best = (list: CertifyRun[]) => list.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  const withMap = best(runs.map);
  const without = best(runs.plain);
  const drop = 1 - withMap.perSecond / without.perSecond;
  ctx.headline(
    `certify/s ${formatNumber(withMap.perSecond)} with the map, ${formatNumber(without.perSecond)} without → ` +
      `${(drop * 100).toFixed(1)}% drop; goal ≤ ${GOAL_CERTIFY_DROP * 100}%: ${drop <= GOAL_CERTIFY_DROP ? 'MET' : 'NOT MET'}`,
  );
  const all = (list: CertifyRun[]) => list.map((x) => formatNumber(x.perSecond)).join(', ');
  return [
    {
      id: 'certify-with-map',
      metric: 'certify/s with the state map (best of rounds)',
      value: withMap.perSecond,
      unit: 'cert/s',
      baselines: [{ label: 'same node without the map', value: without.perSecond }],
      note: `rounds ${all(runs.map)} vs ${all(runs.plain)}; p50 ${withMap.p50Ms.toFixed(1)} vs ${without.p50Ms.toFixed(1)} ms; ${count} per round, node:http keep-alive`,
    },
  ];
}

interface SealFigures {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly writes: number;
}

/** Acknowledged → covered by a signed checkpoint, on an in-process node (default seal interval). */
async function sealLatency(ctx: BenchContext, withMap: boolean, durationMs: number): Promise<SealFigures> {
  const config = resolveNodeConfig(
    { dataDir: join(ctx.tmpDir, `seal-${withMap}`), port: 0, logLevel: 'silent' },
    {},
  );
  const node = await startNode(config, { logging: false, listen: false, withoutStateMap: !withMap });
  ctx.onCleanup(() => node.close());
  const post = async (url: string, envelope: unknown) => {
    const res = await node.app.inject({ method: 'POST', url, payload: envelope as object });
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return JSON.parse(res.body) as { position: string };
  };
  const authority = { actor: node.init.identity.authorityId, keyPair: node.init.authorityKey! };
  const issuerKey = generateKeyPair();
  const id = 'SEAL-BENCH';
  await post(
    '/v1/identities',
    signCommand(authority, 'RegisterIdentity', {
      identityId: id,
      name: 'Seal latency',
      roles: ['issuer'],
      publicKeys: [issuerKey.publicKeyBase64],
    }),
  );
  await post(
    `/v1/identities/${id}/accredit`,
    signCommand(authority, 'AccreditIdentity', { identityId: id, recordTypes: ['diploma'] }),
  );
  const issuer = { actor: id, keyPair: issuerKey };
  const latencies: number[] = [];
  const sealed: Promise<void>[] = [];
  const deadline = nowMs() + durationMs;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (nowMs() < deadline) {
        const envelope = signCommand(issuer, 'CertifyRecord', {
          recordDigest: randomBytes(32).toString('hex'),
          recordType: 'diploma',
          validFrom: '2026-01-01T00:00:00Z',
        });
        const { position } = await post('/v1/certifications', envelope);
        const acknowledged = nowMs();
        const leafIndex = node.log.leafIndexForPosition(BigInt(position));
        if (leafIndex === null) throw new Error(`acknowledged write at ${position} has no leaf`);
        sealed.push(
          node.log.waitForSeal(leafIndex, 30_000).then(() => void latencies.push(nowMs() - acknowledged)),
        );
      }
    }),
  );
  await Promise.all(sealed);
  await node.close();
  return { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), writes: latencies.length };
}

async function sealRows(ctx: BenchContext): Promise<BenchRow[]> {
  const durationMs = Math.max(3000, 8000 * ctx.scale);
  ctx.log('seal latency without the map, then with it');
  const without = await sealLatency(ctx, false, durationMs);
  const withMap = await sealLatency(ctx, true, durationMs);
  ctx.headline(
    `seal latency p50 ${withMap.p50Ms.toFixed(0)} ms with the map (${without.p50Ms.toFixed(0)} ms without) → goal ≤ ${GOAL_SEAL_P50_MS} ms: ` +
      (withMap.p50Ms <= GOAL_SEAL_P50_MS ? 'MET' : 'NOT MET'),
  );
  return [
    {
      id: 'seal-p50',
      metric: 'seal latency p50 (ack → signed checkpoint), with the map',
      value: withMap.p50Ms,
      unit: 'ms',
      baselines: [{ label: 'same without the map', value: without.p50Ms }],
      note: `p99 ${withMap.p99Ms.toFixed(0)} vs ${without.p99Ms.toFixed(0)} ms; ${withMap.writes} vs ${without.writes} writes from 8 in-process writers, default seal interval`,
    },
  ];
}

const PARTS = ['update', 'proof', 'certify', 'seal'] as const;
type Part = (typeof PARTS)[number];

function selectedParts(): ReadonlySet<Part> {
  const selected = benchParts('BENCH_STATE_PARTS', PARTS);
  if (selected.has('proof')) selected.add('update');
  return selected;
}

function largeKeyCount(scale: number): number {
  const raw = process.env['BENCH_STATE_KEYS'];
  if (raw === undefined) return scaled(scale, 1_000_000, 20_000);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 20_000)
    throw new Error(`BENCH_STATE_KEYS must be an integer ≥ 20000, got "${raw}"`);
  return n;
}

export const benchmark: Benchmark = {
  name: 'state',
  order: 60,
  description:
    'State map: update cost per event at 100k vs 1M keys, proof size, verify time, certify/s and seal latency with vs without the map',
  async run(ctx) {
    const parts = selectedParts();
    const rows: BenchRow[] = [];
    if (parts.has('update')) {
      const updates = measureUpdates(ctx, largeKeyCount(ctx.scale));
      rows.push(...updateRows(ctx, updates));
      if (parts.has('proof')) {
        const proofs = sampleProofs(updates.store, updates.largeKeys);
        rows.push(...proofRows(ctx, proofs, updates.largeKeys), ...verifyRows(proofs));
      }
    }
    if (parts.has('certify')) rows.push(...(await certifyRows(ctx)));
    if (parts.has('seal')) rows.push(...(await sealRows(ctx)));
    return rows;
  },
};
