/**
 * One upstream of a mirror over HTTP: its latest checkpoint note, its C2SP
 * tlog-tiles (hash tiles and entry bundles), or pages of log entries and
 * consistency proofs as the JSON read API serves them, and its trust policy. It fetches and parses, nothing more: whether what upstream
 * says could come from the log is for the mirror to verify. Upstream may be
 * hostile, so every answer is bounded and checked for shape.
 */

import { decodeBase64, HASH_SIZE } from '../../domain/log/index.js';
import { formatTileName, type TileName } from '../../domain/log/tiles-path.js';
import type { JsonValue } from '../../domain/shared/json.js';
import type { LogEntry } from '../sequencer/log-entry.js';

const DEFAULT_TIMEOUT_MS = 10_000;
const PAGE = 256;
/** A page's entries are a few KB each; a page of bulk slices can reach ~9 MB. Anything above is refused. */
const MAX_PAGE_BYTES = 32 * 1024 * 1024;

/** An upstream older than tlog-tiles answers 404 there: say what to do about it. */
const TILES_HINT =
  ' (an upstream without C2SP tlog-tiles? start this mirror with CHANCERY_MIRROR_SYNC=entries)';

/** The upstream cannot be used right now (unreachable, behind, broken): try the next one. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
}

/**
 * Upstream cannot frame an entry of this bundle (longer than the 65,535 bytes of the spec's uint16
 * prefix: 409 BUNDLE_ENTRY_TOO_LARGE): its entries must be read from /v1/log/entries instead.
 */
export class BundleUnframableError extends UpstreamError {}

/** A log entry as upstream serves it: its leaf index and the parsed leaf. */
export interface UpstreamLogEntry extends LogEntry {
  readonly leafIndex: number;
}

export interface UpstreamClientOptions {
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

export class UpstreamClient {
  /** The upstream's base URL, without a trailing slash. */
  readonly url: string;
  private readonly fetch: typeof fetch;

  constructor(
    url: string,
    private readonly options: UpstreamClientOptions = {},
  ) {
    this.url = url.replace(/\/+$/, '');
    this.fetch = options.fetch ?? fetch;
  }

  /**
   * The signed note of upstream's newest checkpoint, unverified; null when it has none yet (503).
   * `/checkpoint` is the tlog-tiles one (the same note), which bounds the tiles upstream serves.
   */
  checkpointNote(path: '/checkpoint' | '/v1/log/checkpoint' = '/v1/log/checkpoint'): Promise<string | null> {
    return this.getText(path);
  }

  /**
   * A hash tile or entry bundle (tlog-tiles), unverified. A hash tile must be exactly `width` hashes
   * long; a bundle is bounded like a page of entries (undici has undone any gzip by now).
   */
  async tile(tile: TileName): Promise<Uint8Array> {
    const path = `/${formatTileName(tile)}`;
    const response = await this.get(path);
    if (!response.ok) {
      await response.body?.cancel();
      if (tile.kind === 'entries' && response.status === 409)
        throw new BundleUnframableError(`${path}: HTTP 409, an entry too long for a bundle`);
      throw new UpstreamError(`${path}: HTTP ${response.status}`);
    }
    const limit = tile.kind === 'hashes' ? tile.width * HASH_SIZE : MAX_PAGE_BYTES;
    const bytes = await readAtMost(response, limit, path);
    if (tile.kind === 'hashes' && bytes.length !== limit)
      throw new UpstreamError(`${path}: ${bytes.length} bytes, not ${tile.width} hashes`);
    return bytes;
  }

  /**
   * Upstream's trust policy as a note signed by the log key, unverified; null when it has none yet
   * (404, 503). Never the unsigned text form: anyone on the path could rewrite that.
   */
  policyNote(): Promise<string | null> {
    return this.getText('/v1/federation/policy/note', [404, 503]);
  }

  /** Upstream's consistency proof between two tree sizes: at most 64 hashes of 32 bytes. */
  async consistencyProof(from: number, to: number): Promise<Uint8Array[]> {
    const body = await this.getJson<{ proof?: unknown }>(`/v1/log/consistency?from=${from}&to=${to}`);
    if (!Array.isArray(body.proof) || body.proof.length > 64)
      throw new UpstreamError('malformed consistency proof');
    return body.proof.map((hash) => {
      const bytes = typeof hash === 'string' ? decodeBase64(hash) : undefined;
      if (bytes === undefined || bytes.length !== 32) throw new UpstreamError('malformed consistency proof');
      return bytes;
    });
  }

  /** One page of entries from `start` (below `end`), at least one, each at the leaf index it must have. */
  async entries(start: number, end: number): Promise<UpstreamLogEntry[]> {
    const page = await this.getJson<{ entries?: unknown }>(
      `/v1/log/entries?start=${start}&end=${end}&limit=${PAGE}`,
    );
    if (!Array.isArray(page.entries) || page.entries.length === 0)
      throw new UpstreamError(`no entries from ${start}`);
    return page.entries.map((raw, i) => readEntry(raw, start + i));
  }

  private async get(path: string): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetch(`${this.url}${path}`, {
        signal: AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new UpstreamError(cause?.code ?? cause?.message ?? (error as Error).message);
    }
    return response;
  }

  private async getText(path: string, absent: readonly number[] = [503]): Promise<string | null> {
    const response = await this.get(path);
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > MAX_PAGE_BYTES) throw new UpstreamError(`${path}: ${length} bytes is too large`);
    const text = await response.text();
    if (absent.includes(response.status)) return null;
    const hint = response.status === 404 && path === '/checkpoint' ? TILES_HINT : '';
    if (!response.ok)
      throw new UpstreamError(`${path}: HTTP ${response.status} ${text.slice(0, 200)}${hint}`);
    return text;
  }

  private async getJson<T>(path: string): Promise<T> {
    const text = await this.getText(path);
    if (text === null) throw new UpstreamError(`${path}: not ready (503)`);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new UpstreamError(`${path}: not JSON`);
    }
  }
}

/**
 * The body, refused as soon as it passes `limit` bytes: counted as it is decoded, so a small gzip
 * body that inflates to gigabytes is stopped at the limit rather than held in memory.
 */
async function readAtMost(response: Response, limit: number, path: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  try {
    for (let read = await reader?.read(); read !== undefined && !read.done; read = await reader!.read()) {
      total += read.value.length;
      if (total > limit) throw new UpstreamError(`${path}: more than ${limit} bytes`);
      chunks.push(read.value);
    }
  } catch (error) {
    await reader?.cancel().catch(() => undefined);
    if (error instanceof UpstreamError) throw error;
    throw new UpstreamError(`${path}: ${(error as Error).message}`);
  }
  return Buffer.concat(chunks, total);
}

/** A leaf of an entry bundle (the RFC 8785 JSON of the event and its command) as the entry at `leafIndex`. */
export function bundleLeafEntry(leaf: Uint8Array, leafIndex: number): UpstreamLogEntry {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(leaf));
  } catch {
    throw new UpstreamError(`malformed entry at ${leafIndex}: not JSON`);
  }
  return readEntry({ leafIndex, leaf: parsed }, leafIndex);
}

function readEntry(raw: unknown, expectedIndex: number): UpstreamLogEntry {
  const entry = raw as { leafIndex?: unknown; leaf?: unknown } | null;
  const leaf = entry?.leaf as
    | { type?: unknown; stream?: unknown; data?: unknown; envelope?: unknown }
    | undefined;
  if (
    entry === null ||
    entry.leafIndex !== expectedIndex ||
    leaf === undefined ||
    leaf === null ||
    typeof leaf.type !== 'string' ||
    typeof leaf.stream !== 'string' ||
    leaf.data === undefined ||
    leaf.envelope === undefined
  ) {
    throw new UpstreamError(`malformed entry at ${expectedIndex}`);
  }
  return {
    leafIndex: expectedIndex,
    type: leaf.type,
    stream: leaf.stream,
    data: leaf.data as JsonValue,
    envelope: leaf.envelope as JsonValue,
  };
}
