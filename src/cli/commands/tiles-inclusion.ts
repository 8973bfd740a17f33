/**
 * `chancery verify --tiles PREFIX`: the bundle's inclusion proof computed
 * again, by this machine, from the log's C2SP tlog-tiles (a node, or a
 * static export behind a CDN), and checked against the checkpoint the
 * bundle's other checks already verified. A bundle server that lied about
 * the proof, or tiles that disagree with the signed root, both fail here.
 */
import { canonicalBytes } from '../../domain/canonical/canonical-json.js';
import {
  type HashReader,
  hashesEqual,
  LogProofError,
  leafHash,
  parseCheckpoint,
  parseNote,
  proveRecord,
  verifyInclusion,
} from '../../domain/log/index.js';
import { tilesRead } from '../../domain/log/tiles-check.js';
import { tileHashReader } from '../../domain/log/tiles-hash-reader.js';
import type { JsonValue } from '../../domain/shared/json.js';
import { TileFetcher, tileKey } from './export-tiles-fetch.js';

export interface TilesInclusion {
  readonly ok: boolean;
  readonly detail: string;
}

/** The tiles the proof reads are listed first (tilesRead), fetched, and the proof computed from them. */
async function proofFromTiles(fetcher: TileFetcher, treeSize: number, leafIndex: number) {
  const prove = (reader: HashReader) => proveRecord(treeSize, leafIndex, reader);
  const tiles = new Map<string, Uint8Array>();
  for (const tile of tilesRead(treeSize, prove)) {
    const bytes = await fetcher.tile(tile);
    if (bytes.length !== tile.width * 32)
      throw new LogProofError('HASH_READER', `tile ${tileKey(tile)} is ${bytes.length} bytes`);
    tiles.set(`${tile.level}/${tile.index}`, bytes);
  }
  const reader = tileHashReader(treeSize, (level, index) => tiles.get(`${level}/${index}`)!);
  return { proof: prove(reader), tiles: tiles.size };
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
