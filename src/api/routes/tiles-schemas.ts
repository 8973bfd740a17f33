/** OpenAPI descriptions of the C2SP tlog-tiles routes (src/api/routes/tiles-routes.ts). */
import { problemResponses } from '../schemas/route-schemas.js';

export const tilesCheckpointSchema = {
  tags: ['log'],
  summary: 'C2SP tlog-tiles: the latest signed checkpoint (the same note as /v1/log/checkpoint)',
  description:
    'A C2SP signed note: origin, tree size, root hash, the state-map root extension line, then the log’s ' +
    'Ed25519 signature and any witness cosignatures. Cached for at most two seconds.',
  response: {
    200: {
      description: 'C2SP tlog-checkpoint signed note',
      content: { 'text/plain; charset=utf-8': { schema: { type: 'string' } } },
    },
    ...problemResponses,
  },
};

export const tileSchema = {
  tags: ['log'],
  summary: 'C2SP tlog-tiles: a Merkle tree tile or an entry bundle',
  description:
    'tile/<L>/<N>[.p/<W>]: the 256 (or W, for a partial tile) Merkle tree hashes at tree level 8·L, ' +
    'index N·256 onwards, 32 bytes each. tile/entries/<N>[.p/<W>]: the leaves of level-0 tile N, each ' +
    'prefixed by its length as a big-endian uint16 (gzip when accepted). N is written in three-digit ' +
    'groups, all but the last prefixed by x (1234067 → x001/x234/067). Only tiles inside the latest ' +
    'checkpoint’s tree are served. Full tiles are immutable; partial ones are cached for ten seconds.',
  params: {
    type: 'object',
    properties: {
      '*': {
        type: 'string',
        description: '<L>/<N>[.p/<W>] or entries/<N>[.p/<W>]',
        examples: ['0/x001/234', '1/000.p/17', 'entries/273.p/112'],
      },
    },
  },
  response: {
    200: {
      description: 'Tile hashes or an entry bundle',
      content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
    },
    ...problemResponses,
  },
};
