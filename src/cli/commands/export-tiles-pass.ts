/**
 * One pass of `chancery export-tiles`: fetch the node's signed checkpoint,
 * then every tile and entry bundle it needs that the folder lacks, check
 * each against the checkpoint before it is published, and publish the
 * checkpoint last. Checks, after Go's tlog.TileHashReader: the rightmost
 * (partial) tile of each level must give the checkpoint's root; a full tile
 * must hash to its entry in the tile above (checked first, top level down);
 * every leaf of a bundle must hash to its level-0 tile hash. So the folder
 * never holds a tile the signed checkpoint does not commit to.
 */
import {
  ed25519NoteVerifier,
  hashesEqual,
  parseCheckpoint,
  treeHash,
  verifyNote,
} from '../../domain/log/index.js';
import { checkedBundleLeaves, fullTileMatchesParent, tileParent } from '../../domain/log/tiles-check.js';
import { tileHashReader } from '../../domain/log/tiles-hash-reader.js';
import { tilesOfTree } from '../../domain/log/tiles-layout.js';
import { TILE_WIDTH, type TileName } from '../../domain/log/tiles-path.js';
import { verifyEd25519 } from '../../infrastructure/crypto/ed25519-verifier.js';
import { CliError } from '../command-line/cli-errors.js';
import { type TileFetcher, tileKey } from './export-tiles-fetch.js';
import type { ExportFolder } from './export-tiles-files.js';
import { checkedUnframable, type UnframedBundle } from './export-tiles-unframable.js';

export interface ExportPass {
  readonly treeSize: number;
  readonly rootHash: string;
  /** Tiles and bundles written in this pass (full and partial). */
  readonly written: number;
  readonly bytes: number;
  /** Bundles not written: they hold an entry too long to frame (checked against the signed tree). */
  readonly unframed: UnframedBundle[];
}

interface Checked {
  readonly note: string;
  readonly treeSize: number;
  readonly rootHash: Uint8Array;
}

async function signedCheckpoint(fetcher: TileFetcher, verifierKey: string): Promise<Checked> {
  const note = await fetcher.checkpoint();
  let text: string;
  try {
    text = verifyNote(note, [ed25519NoteVerifier(verifierKey, verifyEd25519)]).text;
  } catch (error) {
    throw new CliError(
      `the checkpoint of ${fetcher.url} does not verify with ${verifierKey}: ${(error as Error).message}`,
    );
  }
  const { treeSize, rootHash } = parseCheckpoint(text);
  return { note, treeSize, rootHash };
}

/** The partial tiles, checked together: the root they give must be the checkpoint's. */
async function checkedPartials(
  fetcher: TileFetcher,
  checked: Checked,
  tiles: TileName[],
): Promise<Map<string, Uint8Array>> {
  const partials = new Map<string, Uint8Array>();
  for (const tile of tiles) partials.set(tileKey(tile), await fetcher.tile(tile));
  const reader = tileHashReader(checked.treeSize, (level, index, width) => {
    const tile = partials.get(tileKey({ kind: 'hashes', level, index, width }));
    // The root reads only the rightmost tile of each level; anything else is a bug here, not a bad node.
    if (tile === undefined) throw new Error(`root asked for tile ${level}/${index}, not a partial tile`);
    return tile;
  });
  if (checked.treeSize > 0 && !hashesEqual(treeHash(checked.treeSize, reader), checked.rootHash)) {
    throw new CliError(`the tiles of ${fetcher.url} do not hash to the root of its signed checkpoint`);
  }
  return partials;
}

/** Reads a tile this pass already trusts: a checked partial, or a full tile in the folder. */
function trustedTiles(folder: ExportFolder, partials: Map<string, Uint8Array>) {
  let last: { key: string; bytes: Uint8Array } | null = null;
  return async (tile: TileName): Promise<Uint8Array> => {
    const key = tileKey(tile);
    const partial = partials.get(key);
    if (partial !== undefined) return partial;
    if (last?.key !== key) last = { key, bytes: await folder.read(tile) };
    return last.bytes;
  };
}

function checkFullTile(tile: TileName, bytes: Uint8Array, parent: Uint8Array, url: string): void {
  if (!fullTileMatchesParent(tile, bytes, parent))
    throw new CliError(`tile ${tileKey(tile)} from ${url} does not hash to its entry in the tile above`);
}

function checkBundle(tile: TileName, bytes: Uint8Array, level0: Uint8Array, url: string): void {
  try {
    checkedBundleLeaves(bytes, tile.width, level0);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new CliError(`entry bundle ${tileKey(tile)} from ${url} does not match its level-0 tile`);
  }
}

export interface PassOptions {
  readonly fetcher: TileFetcher;
  readonly folder: ExportFolder;
  readonly verifierKey: string;
}

async function previousSize(folder: ExportFolder): Promise<number> {
  const note = await folder.readCheckpoint();
  if (note === null) return 0;
  // Only a hint of which full tiles are already there; each was checked when it was written.
  return parseCheckpoint(note.slice(0, note.indexOf('\n\n') + 1)).treeSize;
}

export async function exportPass({ fetcher, folder, verifierKey }: PassOptions): Promise<ExportPass> {
  const checked = await signedCheckpoint(fetcher, verifierKey);
  const from = await previousSize(folder);
  if (checked.treeSize < from) {
    throw new CliError(
      `${fetcher.url} serves a tree of ${checked.treeSize}, smaller than the ${from} already exported`,
    );
  }
  const tiles = [...tilesOfTree(checked.treeSize, from)];
  const partials = await checkedPartials(
    fetcher,
    checked,
    tiles.filter((t) => t.kind === 'hashes' && t.width < TILE_WIDTH),
  );
  const trusted = trustedTiles(folder, partials);
  let written = 0;
  let bytes = 0;
  const unframed: UnframedBundle[] = [];
  const publish = async (tile: TileName, body: Uint8Array) => {
    await folder.writeTile(tile, body);
    written++;
    bytes += body.length;
  };
  const fullHashes = tiles.filter((t) => t.kind === 'hashes' && t.width === TILE_WIDTH && !folder.has(t));
  // Top level down: a full tile's parent is checked and written before the tile itself.
  for (const tile of fullHashes.sort((a, b) => b.level - a.level || a.index - b.index)) {
    const body = await fetcher.tile(tile);
    checkFullTile(tile, body, await trusted(tileParent(tile, checked.treeSize)), fetcher.url);
    await publish(tile, body);
  }
  for (const tile of tiles.filter(
    (t) => t.kind === 'entries' && !(t.width === TILE_WIDTH && folder.has(t)),
  )) {
    const level0 = await trusted({ ...tile, kind: 'hashes' });
    const body = await fetcher.bundle(tile);
    if (body === null) {
      unframed.push(await checkedUnframable(fetcher.url, tile, level0));
      continue;
    }
    checkBundle(tile, body, level0, fetcher.url);
    await publish(tile, body);
  }
  for (const tile of tiles.filter((t) => t.kind === 'hashes' && t.width < TILE_WIDTH)) {
    await publish(tile, partials.get(tileKey(tile))!);
  }
  await folder.writeCheckpoint(checked.note);
  return {
    treeSize: checked.treeSize,
    rootHash: Buffer.from(checked.rootHash).toString('base64'),
    written,
    bytes,
    unframed,
  };
}
