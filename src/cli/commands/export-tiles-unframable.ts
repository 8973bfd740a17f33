/**
 * An entry bundle the node says it cannot frame: tlog-tiles prefixes each
 * leaf with a uint16 length, so a leaf over 65,535 bytes (a catalog entry
 * with a large JSON Schema) has no bundle, and `chancery export-tiles`
 * writes none. The node's 409 is a claim, not a fact: a node or a proxy
 * could make it to keep entries out of the export. So the exporter reads that
 * bundle's entries from /v1/log/entries, checks that each hashes to its slot
 * of the level-0 tile already checked against the signed checkpoint, and
 * that one of them really is too long; otherwise it stops.
 */

import { leafBytesOf } from '../../application/federation/upstream-verifier.js';
import { leafHash } from '../../domain/log/index.js';
import { MAX_BUNDLE_ENTRY_BYTES } from '../../domain/log/tiles-bundle.js';
import { leafInLevel0 } from '../../domain/log/tiles-check.js';
import { TILE_WIDTH, type TileName } from '../../domain/log/tiles-path.js';
import { UpstreamClient, UpstreamError } from '../../infrastructure/federation/upstream-client.js';
import { CliError } from '../command-line/cli-errors.js';
import { tileKey } from './export-tiles-fetch.js';

/** A bundle left out of the export, and the leaves that keep it out. */
export interface UnframedBundle {
  readonly bundle: string;
  readonly leaves: { readonly leafIndex: number; readonly bytes: number }[];
}

export async function checkedUnframable(
  url: string,
  tile: TileName,
  level0: Uint8Array,
): Promise<UnframedBundle> {
  const start = tile.index * TILE_WIDTH;
  const end = start + tile.width;
  const client = new UpstreamClient(url);
  const leaves: { leafIndex: number; bytes: number }[] = [];
  for (let next = start; next < end; ) {
    let page: Awaited<ReturnType<UpstreamClient['entries']>>;
    try {
      page = (await client.entries(next, end)).slice(0, end - next);
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      throw new CliError(`entries ${next}..${end} of ${url}, for ${tileKey(tile)}: ${error.message}`);
    }
    for (const entry of page) {
      const bytes = leafBytesOf(entry);
      if (!leafInLevel0(leafHash(bytes), entry.leafIndex, level0)) {
        throw new CliError(
          `entry ${entry.leafIndex} from ${url}/v1/log/entries does not hash to its level-0 tile`,
        );
      }
      if (bytes.length > MAX_BUNDLE_ENTRY_BYTES)
        leaves.push({ leafIndex: entry.leafIndex, bytes: bytes.length });
    }
    next += page.length;
  }
  if (leaves.length === 0) {
    throw new CliError(
      `${url} answered 409 BUNDLE_ENTRY_TOO_LARGE for ${tileKey(tile)}, but none of its entries is longer ` +
        `than ${MAX_BUNDLE_ENTRY_BYTES} bytes`,
    );
  }
  return { bundle: tileKey(tile), leaves };
}
