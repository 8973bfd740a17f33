/**
 * C2SP tlog-tiles resource names (https://c2sp.org/tlog-tiles): the tile
 * `tile/<L>/<N>[.p/<W>]` and the entry bundle `tile/entries/<N>[.p/<W>]`.
 * N is written in zero-padded three-digit path elements, every one but the
 * last prefixed with `x` (1234067 → x001/x234/067), so a file system can hold
 * the tiles without a name being both a file and a folder.
 *
 * Parsing is strict: exactly one spelling per resource (no leading zeros in L
 * or W, no leading x000 groups in N), so caches never hold two copies of a
 * tile and a path that is not the spec's is refused rather than guessed at.
 */

/** Hashes per full tile, and entries per full bundle. */
export const TILE_WIDTH = 256;
/** Tree levels one tile spans: 256 = 2^8. */
export const TILE_HEIGHT = 8;
/** The spec's largest tile level. */
export const MAX_TILE_LEVEL = 63;

export interface TileName {
  /** 'hashes' for tile/<L>/…, 'entries' for tile/entries/… (level 0 by definition). */
  readonly kind: 'hashes' | 'entries';
  readonly level: number;
  readonly index: number;
  /** 1..256; 256 is a full tile, written without the .p/<W> suffix. */
  readonly width: number;
}

/** N as path elements: groups of three digits, all but the last prefixed with x. */
export function formatTileIndex(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`tile index ${index} is not a count`);
  const groups: string[] = [];
  let rest = index;
  do {
    groups.unshift(String(rest % 1000).padStart(3, '0'));
    rest = Math.floor(rest / 1000);
  } while (rest > 0);
  return groups.map((group, i) => (i < groups.length - 1 ? `x${group}` : group)).join('/');
}

/** The resource path of a tile or bundle, without a leading slash: `tile/1/x001/234.p/17`. */
export function formatTileName(tile: TileName): string {
  const level = tile.kind === 'entries' ? 'entries' : String(tile.level);
  const partial = tile.width < TILE_WIDTH ? `.p/${tile.width}` : '';
  return `tile/${level}/${formatTileIndex(tile.index)}${partial}`;
}

const LEVEL = /^(0|[1-9][0-9]?)$/;
const WIDTH = /^[1-9][0-9]{0,2}$/;
const INDEX = /^(?:x[0-9]{3}\/)*[0-9]{3}$/;

/** Why a path is not a tile name; the message names the part and what is allowed. */
export class TilePathError extends Error {}

function parseLevel(text: string): number {
  const level = LEVEL.test(text) ? Number(text) : Number.NaN;
  if (!(level <= MAX_TILE_LEVEL)) {
    throw new TilePathError(`level "${text}" is not a decimal 0..${MAX_TILE_LEVEL} without leading zeros`);
  }
  return level;
}

function parseWidth(text: string): number {
  const width = WIDTH.test(text) ? Number(text) : Number.NaN;
  if (!(width < TILE_WIDTH)) {
    throw new TilePathError(`partial width "${text}" is not a decimal 1..255 without leading zeros`);
  }
  return width;
}

function parseIndex(text: string): number {
  if (!INDEX.test(text)) {
    throw new TilePathError(
      `index "${text}" is not three-digit groups with every group but the last prefixed by x (e.g. x001/x234/067)`,
    );
  }
  if (text.startsWith('x000/')) throw new TilePathError(`index "${text}" has a leading x000 group`);
  const index = Number(text.replaceAll('x', '').replaceAll('/', ''));
  if (!Number.isSafeInteger(index)) throw new TilePathError(`index "${text}" is beyond 2^53`);
  return index;
}

/**
 * Parses the part of a path after `tile/`: `<L>/<N>[.p/<W>]` or
 * `entries/<N>[.p/<W>]`. Throws TilePathError naming the bad part.
 */
export function parseTileName(rest: string): TileName {
  const slash = rest.indexOf('/');
  if (slash < 0) throw new TilePathError(`"${rest}" has no level: expected <L>/<N> or entries/<N>`);
  const head = rest.slice(0, slash);
  const kind = head === 'entries' ? 'entries' : 'hashes';
  const level = kind === 'entries' ? 0 : parseLevel(head);
  const body = rest.slice(slash + 1);
  const dot = body.indexOf('.p/');
  const width = dot < 0 ? TILE_WIDTH : parseWidth(body.slice(dot + 3));
  const index = parseIndex(dot < 0 ? body : body.slice(0, dot));
  return { kind, level, index, width };
}
