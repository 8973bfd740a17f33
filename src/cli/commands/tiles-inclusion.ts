/**
 * `chancery verify --tiles PREFIX`: the bundle's inclusion proof computed
 * again, by this machine, from the log's C2SP tlog-tiles (a node, or a
 * static export behind a CDN), and checked against the checkpoint the
 * bundle's other checks already verified. A bundle server that lied about
 * the proof, or tiles that disagree with the signed root, both fail here.
 */
import { canonicalBytes } from '../../domain/canonical/canonical-json.js';
import {
  hashesEqual,
  LogProofError,
  leafHash,
  parseCheckpoint,
  parseNote,
  proveRecord,
  verifyInclusion,
} from '../../domain/log/index.js';
import { tileHashReader } from '../../domain/log/tiles-hash-reader.js';
import type { TileName } from '../../domain/log/tiles-path.js';
import type { JsonValue } from '../../domain/shared/json.js';
import { TileFetcher, tileKey } from './export-tiles-fetch.js';

export interface TilesInclusion {
  readonly ok: boolean;
  readonly detail: string;
}

/** Thrown by the tile lookup for a tile not fetched yet: the caller fetches it and tries again. */
class MissingTile extends Error {
  constructor(readonly tile: TileName) {
    super(`tile ${tileKey(tile)} not fetched yet`);
  }
}

/** Tiles are fetched on demand: proveRecord asks synchronously, so each miss is fetched and the proof retried. */
async function proofFromTiles(fetcher: TileFetcher, treeSize: number, leafIndex: number) {
  const tiles = new Map<string, Uint8Array>();
  const lookup = (level: number, index: number, width: number) => {
    const tile: TileName = { kind: 'hashes', level, index, width };
    const bytes = tiles.get(tileKey(tile));
    if (bytes === undefined) throw new MissingTile(tile);
    if (bytes.length !== width * 32)
      throw new LogProofError('HASH_READER', `tile ${tileKey(tile)} is ${bytes.length} bytes`);
    return bytes;
  };
  // At most two tiles per level (the path's and the rightmost), and at most 7 levels below 2^52.
  for (let attempt = 0; attempt < 2 * 7 + 2; attempt++) {
    try {
      return { proof: proveRecord(treeSize, leafIndex, tileHashReader(treeSize, lookup)), tiles: tiles.size };
    } catch (error) {
      if (!(error instanceof MissingTile)) throw error;
      tiles.set(tileKey(error.tile), await fetcher.tile(error.tile));
    }
  }
  throw new Error('the proof needed more tiles than any tree has levels');
}

export interface IncludedBundle {
  readonly entry: JsonValue;
  readonly leafIndex: number;
  readonly checkpoint: string;
  readonly inclusionProof: readonly string[];
}

export async function inclusionFromTiles(prefix: string, bundle: IncludedBundle): Promise<TilesInclusion> {
  const fetcher = new TileFetcher(prefix);
  const { treeSize, rootHash } = parseCheckpoint(parseNote(bundle.checkpoint).text);
  try {
    const { proof, tiles } = await proofFromTiles(fetcher, treeSize, bundle.leafIndex);
    verifyInclusion(bundle.leafIndex, treeSize, leafHash(canonicalBytes(bundle.entry)), proof, rootHash);
    const same =
      proof.length === bundle.inclusionProof.length &&
      proof.every((hash, i) => hashesEqual(hash, Buffer.from(bundle.inclusionProof[i]!, 'base64')));
    return {
      ok: true,
      detail: `entry ${bundle.leafIndex} is in the signed tree of ${treeSize}, by a proof computed here from ${tiles} tiles of ${prefix}${same ? ' (the same as the bundle’s)' : ''}`,
    };
  } catch (error) {
    return { ok: false, detail: `inclusion from the tiles of ${prefix} failed: ${(error as Error).message}` };
  }
}
