/**
 * An independent C2SP tlog-tiles client for tests, written from the spec
 * (https://c2sp.org/tlog-tiles) and RFC 6962 §2.1 without any of the node's
 * log code: its own tile naming, its own SHA-256 (node:crypto), its own MTH
 * and PATH recursions, its own signed-note check (noble Ed25519). It plays
 * the part of Go's tlog.TileHashReader: every hash it uses comes from a tile,
 * and the root it computes must equal the signed checkpoint's.
 */
import { createHash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';

export const sha256 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};
export const rfcLeafHash = (leaf: Uint8Array) => sha256(Uint8Array.of(0), leaf);
const rfcNodeHash = (left: Uint8Array, right: Uint8Array) => sha256(Uint8Array.of(1), left, right);

/** tile/<L>/<N>[.p/<W>] with N in x-prefixed three-digit groups, from the spec's prose. */
export function independentTilePath(level: number | 'entries', index: number, width: number): string {
  let digits = String(index);
  while (digits.length % 3 !== 0) digits = `0${digits}`;
  const groups = digits.match(/.../g)!;
  const n = groups.map((g, i) => (i === groups.length - 1 ? g : `x${g}`)).join('/');
  return `tile/${level}/${n}${width === 256 ? '' : `.p/${width}`}`;
}

/** Fetches one resource by its path (e.g. `tile/0/000.p/7`); throws when it is missing. */
export type FetchResource = (path: string) => Promise<Uint8Array>;

/** Merkle hash of `count` (a power of two) consecutive 32-byte hashes. */
function hashRow(bytes: Uint8Array, count: number): Buffer {
  let row: Buffer[] = [];
  for (let i = 0; i < count; i++) row.push(Buffer.from(bytes.subarray(i * 32, (i + 1) * 32)));
  while (row.length > 1) {
    const up: Buffer[] = [];
    for (let i = 0; i < row.length; i += 2) up.push(rfcNodeHash(row[i]!, row[i + 1]!));
    row = up;
  }
  return row[0]!;
}

export class IndependentTileReader {
  private readonly tiles = new Map<string, Promise<Uint8Array>>();
  private rootChecked: Promise<void> | undefined;
  /** Paths fetched, in order: lets tests see which tiles a proof needed. */
  readonly fetched: string[] = [];

  constructor(
    private readonly fetchResource: FetchResource,
    readonly treeSize: number,
    /** When given, every tile used is authenticated against this signed root (see tile()). */
    private readonly expectedRoot?: Uint8Array,
  ) {}

  /** Width of tile `index` at tile level `level` in this tree (256 when full). */
  private widthOf(level: number, index: number): number {
    const perTile = 256 ** (level + 1);
    if ((index + 1) * perTile <= this.treeSize) return 256;
    return Math.floor(this.treeSize / 256 ** level) % 256;
  }

  /** A tile as fetched, unchecked. */
  rawTile(level: number, index: number): Promise<Uint8Array> {
    const path = independentTilePath(level, index, this.widthOf(level, index));
    let tile = this.tiles.get(path);
    if (tile === undefined) {
      this.fetched.push(path);
      tile = this.fetchResource(path);
      this.tiles.set(path, tile);
    }
    return tile;
  }

  /**
   * A tile checked against the checkpoint, as Go's TileHashReader does: the rightmost (partial)
   * tile of each level is what the root is computed from, so the root check covers it; a full tile
   * must hash to its entry in the tile above, itself checked the same way.
   */
  async tile(level: number, index: number): Promise<Uint8Array> {
    const tile = await this.rawTile(level, index);
    if (this.expectedRoot === undefined) return tile;
    if (this.widthOf(level, index) < 256) {
      this.rootChecked ??= this.checkRoot(this.expectedRoot);
      await this.rootChecked;
      return tile;
    }
    const parent = await this.tile(level + 1, Math.floor(index / 256));
    const at = (index % 256) * 32;
    if (!hashRow(tile, 256).equals(parent.subarray(at, at + 32))) {
      throw new Error(
        `${independentTilePath(level, index, 256)} does not hash to its entry in the tile above`,
      );
    }
    return tile;
  }

  private async checkRoot(expected: Uint8Array): Promise<void> {
    const root = await this.mth(0, this.treeSize, true);
    if (!root.equals(expected)) throw new Error('the root computed from tiles is not the checkpoint root');
  }

  /** Hash of the complete subtree of 2^height leaves numbered `index` at that height, from one tile. */
  async subtree(height: number, index: number, raw = false): Promise<Buffer> {
    const tileLevel = Math.floor(height / 8);
    const span = 2 ** (height % 8);
    const first = index * span;
    const tileIndex = Math.floor(first / 256);
    const tile = await (raw ? this.rawTile(tileLevel, tileIndex) : this.tile(tileLevel, tileIndex));
    const at = (first % 256) * 32;
    if (at + span * 32 > tile.length) throw new Error(`tile too short for hashes ${first % 256}+${span}`);
    return hashRow(tile.subarray(at, at + span * 32), span);
  }

  /** RFC 6962 MTH(D[lo:hi]). */
  async mth(lo: number, hi: number, raw = false): Promise<Buffer> {
    const n = hi - lo;
    if (n === 0) return sha256();
    const height = Math.log2(n);
    if (Number.isInteger(height) && lo % n === 0) return this.subtree(height, lo / n, raw);
    let k = 1;
    while (k * 2 < n) k *= 2;
    const [left, right] = await Promise.all([this.mth(lo, lo + k, raw), this.mth(lo + k, hi, raw)]);
    return rfcNodeHash(left, right);
  }

  /** The root computed from the tiles as served (raw: nothing to check it against but the checkpoint). */
  root(): Promise<Buffer> {
    return this.mth(0, this.treeSize, true);
  }

  /** RFC 6962 PATH(m, D[0:treeSize]), leaf's sibling first. */
  inclusionProof(m: number): Promise<Buffer[]> {
    return this.path(m, 0, this.treeSize);
  }

  private async path(m: number, lo: number, hi: number): Promise<Buffer[]> {
    if (hi - lo === 1) return [];
    let k = 1;
    while (k * 2 < hi - lo) k *= 2;
    if (m < lo + k) return [...(await this.path(m, lo, lo + k)), await this.mth(lo + k, hi)];
    return [...(await this.path(m, lo + k, hi)), await this.mth(lo, lo + k)];
  }

  /** Leaves of entry bundle `index` (uint16 big-endian length-prefixed), checked against the level-0 tile. */
  async entries(index: number): Promise<Uint8Array[]> {
    const width = this.widthOf(0, index);
    const bundle = await this.fetchResource(independentTilePath('entries', index, width));
    const leaves: Uint8Array[] = [];
    for (let at = 0; at < bundle.length; ) {
      const length = bundle[at]! * 256 + bundle[at + 1]!;
      leaves.push(bundle.subarray(at + 2, at + 2 + length));
      at += 2 + length;
    }
    const tile = await this.tile(0, index);
    if (leaves.length !== width)
      throw new Error(`bundle ${index} holds ${leaves.length} leaves, not ${width}`);
    leaves.forEach((leaf, i) => {
      if (!rfcLeafHash(leaf).equals(tile.subarray(i * 32, (i + 1) * 32))) {
        throw new Error(`bundle ${index} leaf ${i} does not hash to its level-0 tile hash`);
      }
    });
    return leaves;
  }
}

export interface IndependentCheckpoint {
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Buffer;
  readonly extensions: string[];
}

/**
 * Checks a C2SP signed note against an Ed25519 vkey (name+hex keyhash+base64(0x01‖pub)) and
 * parses its tlog-checkpoint body; throws unless the log's signature is there and verifies.
 */
export function verifyCheckpointIndependently(note: string, verifierKey: string): IndependentCheckpoint {
  // base64 may itself contain '+': the name and key hash are the first two fields, the key is the rest.
  const [name, keyHash, ...keyParts] = verifierKey.split('+') as [string, string, ...string[]];
  const keyB64 = keyParts.join('+');
  const key = Buffer.from(keyB64, 'base64');
  const split = note.indexOf('\n\n');
  const body = note.slice(0, split + 1);
  const wantId = sha256(Buffer.from(`${name}\n`), key).subarray(0, 4);
  if (wantId.toString('hex') !== keyHash) throw new Error('key hash does not match the key');
  const lines = note
    .slice(split + 2)
    .split('\n')
    .filter(Boolean);
  const ours = lines.find((line) => {
    const [dash, signer, sig] = line.split(' ');
    const raw = Buffer.from(sig ?? '', 'base64');
    return dash === '\u2014' && signer === name && raw.subarray(0, 4).equals(wantId);
  });
  if (ours === undefined) throw new Error('no signature by the log');
  const signature = Buffer.from(ours.split(' ')[2]!, 'base64').subarray(4);
  if (!ed25519.verify(signature, Buffer.from(body), key.subarray(1), { zip215: false })) {
    throw new Error('log signature does not verify');
  }
  const [origin, size, root, ...extensions] = body.slice(0, -1).split('\n');
  return { origin: origin!, treeSize: Number(size), rootHash: Buffer.from(root!, 'base64'), extensions };
}

/** A FetchResource over real HTTP (undici decompresses gzip bundles). */
export function httpResource(baseUrl: string): FetchResource {
  return async (path) => {
    const response = await fetch(new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`));
    if (response.status !== 200) throw new Error(`GET ${path}: ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  };
}
