/**
 * The C2SP tlog-tiles read API (https://c2sp.org/tlog-tiles): `/checkpoint`,
 * `/tile/<L>/<N>[.p/<W>]` and `/tile/entries/<N>[.p/<W>]`. Everything is
 * bounded by the latest checkpoint this node serves, so a client that checked
 * that checkpoint finds every tile it needs and nothing it cannot verify.
 * Full tiles never change (immutable caching); partial tiles and the
 * checkpoint are cached briefly.
 */
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from '../../application/problems/problem.js';
import { tileInTree } from '../../domain/log/tiles-layout.js';
import { parseTileName, TILE_WIDTH, type TileName, TilePathError } from '../../domain/log/tiles-path.js';
import type { LogReader } from '../../infrastructure/sequencer/log-reader.js';
import { BundleEntryTooLarge, type TilesSource } from '../../infrastructure/sequencer/tiles-source.js';
import { latestOrRetry } from './log-checkpoint-handlers.js';
import { tileSchema, tilesCheckpointSchema } from './tiles-schemas.js';

export interface TilesRouteDeps {
  /** The checkpoint served at /checkpoint, exactly as /v1/log/checkpoint serves it. */
  readonly log: LogReader;
  readonly tiles: TilesSource;
}

export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
export const PARTIAL_TILE_CACHE = 'public, max-age=10';
export const CHECKPOINT_CACHE = 'public, max-age=2, must-revalidate';

export async function tilesRoutes(app: FastifyInstance, deps: TilesRouteDeps): Promise<void> {
  app.get('/checkpoint', { schema: tilesCheckpointSchema }, async (_request, reply) => {
    const note = latestOrRetry(deps.log).note;
    return reply.type('text/plain; charset=utf-8').header('cache-control', CHECKPOINT_CACHE).send(note);
  });
  app.get<{ Params: { '*': string } }>('/tile/*', { schema: tileSchema }, serveTile(deps));
}

function tileNameOf(rest: string): TileName {
  try {
    return parseTileName(rest);
  } catch (error) {
    if (!(error instanceof TilePathError)) throw error;
    throw new ProblemError('TILE_PATH_INVALID', `tile/${rest}: ${error.message}`, {
      allowed: 'tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>] (C2SP tlog-tiles)',
    });
  }
}

function readTile(deps: TilesRouteDeps, tile: TileName, rest: string): Uint8Array {
  const treeSize = deps.log.latestCheckpoint()?.treeSize ?? 0;
  if (!tileInTree(tile, treeSize)) {
    throw new ProblemError('TILE_NOT_FOUND', `tile/${rest} is not in the checkpointed tree of ${treeSize}`, {
      treeSize,
    });
  }
  try {
    return deps.tiles.read(tile);
  } catch (error) {
    if (!(error instanceof BundleEntryTooLarge)) throw error;
    throw new ProblemError('BUNDLE_ENTRY_TOO_LARGE', error.message, {
      leafIndex: error.leafIndex,
      bytes: error.bytes,
    });
  }
}

function serveTile(deps: TilesRouteDeps) {
  return async (request: FastifyRequest<{ Params: { '*': string } }>, reply: FastifyReply) => {
    const rest = request.params['*'];
    const tile = tileNameOf(rest);
    const bytes = readTile(deps, tile, rest);
    reply
      .type('application/octet-stream')
      .header('cache-control', tile.width === TILE_WIDTH ? IMMUTABLE_CACHE : PARTIAL_TILE_CACHE);
    let body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // The spec asks for compressed bundles; leaves are JSON, which gzip shrinks several-fold.
    if (tile.kind === 'entries') {
      reply.header('vary', 'accept-encoding');
      if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
        body = gzipSync(body, { level: 1 });
        reply.header('content-encoding', 'gzip');
      }
    }
    return reply.send(body);
  };
}
