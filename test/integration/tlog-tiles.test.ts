/**
 * The log as C2SP tlog-tiles, checked by an independent tile reader
 * (test/support/tlog-tiles-reader.ts: the spec's naming and RFC 6962 hashing
 * written without the node's log code). Over real HTTP, the root it computes
 * from tiles must equal the signed checkpoint's, and every inclusion proof it
 * derives from tiles must equal the node's /v1 proof. The adversary is a
 * server or proxy that serves a tile or bundle other than the one the
 * checkpoint commits to: the reader must notice.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PROBLEM_CATALOGUE,
  type ProblemCode,
  problemType,
} from '../../src/application/problems/catalogue.js';
import type { Signer } from '../../src/protocol/sign-command.js';
import { startTestNode, type TestNode } from '../support/test-node.js';
import { startTilesLogServer, syntheticLeaf, type TilesLogServer } from '../support/tiles-log-server.js';
import {
  type FetchResource,
  httpResource,
  IndependentTileReader,
  independentTilePath,
  rfcLeafHash,
  verifyCheckpointIndependently,
} from '../support/tlog-tiles-reader.js';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

async function getText(url: string): Promise<{ status: number; headers: Headers; body: string }> {
  const response = await fetch(url);
  return { status: response.status, headers: response.headers, body: await response.text() };
}

async function nodeProof(baseUrl: string, index: number, size: number): Promise<string[]> {
  const { status, body } = await getText(`${baseUrl}/v1/log/proofs/inclusion?index=${index}&size=${size}`);
  expect(status, body).toBe(200);
  return (JSON.parse(body) as { proof: string[] }).proof;
}

/** Leaves worth checking in a tree of n: the edges of every tile and a spread in between. */
function sampleLeaves(n: number, spread: number): number[] {
  const picks = new Set<number>([0, 1, n - 1, n - 2]);
  for (const edge of [255, 256, 257, 511, 512, 65_535, 65_536, 65_537]) if (edge < n) picks.add(edge);
  for (let i = 0; i < spread; i++) picks.add(Math.floor(((i + 0.5) * n) / spread));
  return [...picks].filter((i) => i >= 0 && i < n).sort((a, b) => a - b);
}

function problem(code: ProblemCode, detail: string, instance: string, extra: Record<string, unknown> = {}) {
  const { status, title } = PROBLEM_CATALOGUE[code];
  return { type: problemType(code), title, status, code, detail, instance, ...extra };
}

describe('tlog-tiles on a real node', () => {
  let t: TestNode;
  let dept: Signer;
  let vkey: string;

  beforeAll(async () => {
    t = await startTestNode({ listen: true });
    dept = await t.issuer('TILEDEPT', ['diploma']);
    vkey = (JSON.parse((await t.get('/v1/log')).body) as { verifierKey: string }).verifierKey;
  }, 60_000);
  afterAll(async () => t.close());

  async function certifyMany(from: number, to: number): Promise<void> {
    for (let i = from; i < to; i++) {
      const res = await t.certifyDiploma(dept, `record ${i}`);
      expect(res.statusCode, res.body).toBe(201);
    }
  }

  it('before the first seal: /checkpoint is 503 CHECKPOINT_NOT_YET and no tile exists', async () => {
    const checkpoint = await getText(`${t.node.url}/checkpoint`);
    expect(checkpoint.status).toBe(503);
    expect(JSON.parse(checkpoint.body)).toEqual(
      problem('CHECKPOINT_NOT_YET', 'the log has not signed a checkpoint yet', '/checkpoint', {
        sequencedSize: 3,
      }),
    );
    const tile = await getText(`${t.node.url}/tile/0/000.p/1`);
    expect(tile.status).toBe(404);
    expect(JSON.parse(tile.body)).toEqual(
      problem('TILE_NOT_FOUND', 'tile/0/000.p/1 is not in the checkpointed tree of 0', '/tile/0/000.p/1', {
        treeSize: 0,
      }),
    );
  });

  it('serves exactly the signed checkpoint, and tiles whose root is its root, at two sizes', async () => {
    await certifyMany(0, 300);
    await t.seal();
    const first = await getText(`${t.node.url}/checkpoint`);
    await certifyMany(300, 620);
    await t.seal();
    const latest = await getText(`${t.node.url}/checkpoint`);
    expect(latest.status).toBe(200);
    expect(latest.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(latest.headers.get('cache-control')).toBe('public, max-age=2, must-revalidate');
    expect(latest.body).toBe((await getText(`${t.node.url}/v1/log/checkpoint`)).body);
    for (const note of [first.body, latest.body]) {
      const checkpoint = verifyCheckpointIndependently(note, vkey);
      // Our checkpoints carry the state-map root as an extension line; it is served as signed.
      expect(checkpoint.extensions).toHaveLength(1);
      const reader = new IndependentTileReader(
        httpResource(t.node.url),
        checkpoint.treeSize,
        checkpoint.rootHash,
      );
      expect(b64(await reader.root())).toBe(b64(checkpoint.rootHash));
      for (const index of sampleLeaves(checkpoint.treeSize, 12)) {
        const proof = (await reader.inclusionProof(index)).map(b64);
        expect(proof, `leaf ${index} of ${checkpoint.treeSize}`).toEqual(
          await nodeProof(t.node.url, index, checkpoint.treeSize),
        );
      }
    }
    expect(verifyCheckpointIndependently(latest.body, vkey).treeSize).toBe(623);
  }, 120_000);

  it('entry bundles hold the same leaves as /v1/log/entries, framed with uint16 lengths, gzip on request', async () => {
    const reader = new IndependentTileReader(httpResource(t.node.url), 623);
    const bundles = [await reader.entries(0), await reader.entries(1), await reader.entries(2)];
    expect(bundles.map((b) => b.length)).toEqual([256, 256, 111]);
    const page = JSON.parse((await getText(`${t.node.url}/v1/log/entries?start=512&end=623`)).body) as {
      entries: { leafHash: string }[];
    };
    expect(bundles[2]!.map((leaf) => b64(rfcLeafHash(leaf)))).toEqual(page.entries.map((e) => e.leafHash));
    const entry = JSON.parse(Buffer.from(bundles[2]![110]!).toString('utf8')) as { type: string };
    expect(entry.type).toBe('RecordCertified');
    const plain = await fetch(`${t.node.url}/tile/entries/001`, {
      headers: { 'accept-encoding': 'identity' },
    });
    expect(plain.headers.get('content-encoding')).toBeNull();
    const raw = new Uint8Array(await plain.arrayBuffer());
    expect(raw[0]! * 256 + raw[1]!).toBe(bundles[1]![0]!.length);
    const zipped = await fetch(`${t.node.url}/tile/entries/001`, { headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(Buffer.from(await zipped.arrayBuffer()).equals(Buffer.from(raw))).toBe(true);
  });

  it('full tiles are immutable, partial tiles short-lived, both application/octet-stream', async () => {
    const full = await fetch(`${t.node.url}/tile/0/001`);
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('application/octet-stream');
    expect(full.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await full.arrayBuffer()).byteLength).toBe(8192);
    const partial = await fetch(`${t.node.url}/tile/0/002.p/111`);
    expect(partial.headers.get('cache-control')).toBe('public, max-age=10');
    expect((await partial.arrayBuffer()).byteLength).toBe(111 * 32);
    const level1 = await fetch(`${t.node.url}/tile/1/000.p/2`);
    expect((await level1.arrayBuffer()).byteLength).toBe(64);
  });

  it('refuses bad tile paths with 400 TILE_PATH_INVALID and absent tiles with 404, without moving the store', async () => {
    const before = await t.lastPosition();
    const allowed = 'tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>] (C2SP tlog-tiles)';
    const invalid: [string, string][] = [
      [
        '0/1',
        'index "1" is not three-digit groups with every group but the last prefixed by x (e.g. x001/x234/067)',
      ],
      [
        '0/x001',
        'index "x001" is not three-digit groups with every group but the last prefixed by x (e.g. x001/x234/067)',
      ],
      [
        '0/001/002',
        'index "001/002" is not three-digit groups with every group but the last prefixed by x (e.g. x001/x234/067)',
      ],
      ['0/x000/001', 'index "x000/001" has a leading x000 group'],
      ['00/000', 'level "00" is not a decimal 0..63 without leading zeros'],
      ['64/000', 'level "64" is not a decimal 0..63 without leading zeros'],
      ['-1/000', 'level "-1" is not a decimal 0..63 without leading zeros'],
      ['0/000.p/0', 'partial width "0" is not a decimal 1..255 without leading zeros'],
      ['0/000.p/256', 'partial width "256" is not a decimal 1..255 without leading zeros'],
      ['0/000.p/010', 'partial width "010" is not a decimal 1..255 without leading zeros'],
      ['entries', '"entries" has no level: expected <L>/<N> or entries/<N>'],
      [
        'entries/1',
        'index "1" is not three-digit groups with every group but the last prefixed by x (e.g. x001/x234/067)',
      ],
    ];
    for (const [rest, detail] of invalid) {
      const res = await getText(`${t.node.url}/tile/${rest}`);
      expect(res.status, rest).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(res.body), rest).toEqual(
        problem('TILE_PATH_INVALID', `tile/${rest}: ${detail}`, `/tile/${rest}`, { allowed }),
      );
    }
    for (const rest of ['0/003', '0/002', '0/002.p/112', '1/000', '1/000.p/3', '2/000.p/1', 'entries/002']) {
      const res = await getText(`${t.node.url}/tile/${rest}`);
      expect(res.status, rest).toBe(404);
      expect(JSON.parse(res.body)).toEqual(
        problem('TILE_NOT_FOUND', `tile/${rest} is not in the checkpointed tree of 623`, `/tile/${rest}`, {
          treeSize: 623,
        }),
      );
    }
    expect(await t.lastPosition()).toBe(before);
  });

  it('no path under /tile/ causes a 5xx (fuzzed)', async () => {
    const segment = fc.oneof(
      fc.constantFrom('entries', 'x000', 'x001', '000', '999', '.p', '0', '63', '64', '..', '%2e', ''),
      fc.stringMatching(/^[x0-9.p%/a-z-]{0,12}$/),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { maxLength: 6 }), async (parts) => {
        const res = await t.get(`/tile/${parts.join('/')}`);
        expect(res.statusCode, parts.join('/')).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
  });

  it('OpenAPI describes /checkpoint and the tile routes with their content types', async () => {
    const spec = JSON.parse((await t.get('/docs/json')).body) as { paths: Record<string, { get: unknown }> };
    const tilePaths = Object.keys(spec.paths).filter((path) => path.startsWith('/tile/'));
    expect(tilePaths).toHaveLength(1);
    expect(JSON.stringify(spec.paths[tilePaths[0]!]!.get)).toContain('application/octet-stream');
    expect(JSON.stringify(spec.paths['/checkpoint']!.get)).toContain('text/plain; charset=utf-8');
  });

  it('the reader notices a tile or bundle other than the one the checkpoint commits to', async () => {
    const note = (await getText(`${t.node.url}/checkpoint`)).body;
    const checkpoint = verifyCheckpointIndependently(note, vkey);
    const honest = httpResource(t.node.url);
    const flipOne: FetchResource = async (path) => {
      const bytes = Buffer.from(await honest(path));
      if (path === 'tile/0/001') bytes[200] = bytes[200]! ^ 1;
      if (path === 'tile/entries/000') bytes[7] = bytes[7]! ^ 1;
      return bytes;
    };
    const cheated = new IndependentTileReader(flipOne, checkpoint.treeSize, checkpoint.rootHash);
    // The root only reads the rightmost tile of each level; a full tile is checked against the tile above.
    expect(b64(await cheated.root())).toBe(b64(checkpoint.rootHash));
    await expect(cheated.inclusionProof(300)).rejects.toThrow(
      'tile/0/001 does not hash to its entry in the tile above',
    );
    expect((await cheated.inclusionProof(10)).map(b64)).toEqual(await nodeProof(t.node.url, 10, 623));
    await expect(cheated.entries(0)).rejects.toThrow(
      'bundle 0 leaf 0 does not hash to its level-0 tile hash',
    );
    const flipPartial: FetchResource = async (path) => {
      const bytes = Buffer.from(await honest(path));
      if (path === 'tile/0/002.p/111') bytes[0] = bytes[0]! ^ 1;
      return bytes;
    };
    const cheatedPartial = new IndependentTileReader(flipPartial, checkpoint.treeSize, checkpoint.rootHash);
    await expect(cheatedPartial.inclusionProof(600)).rejects.toThrow(
      'the root computed from tiles is not the checkpoint root',
    );
  });
});

describe('tlog-tiles across tile and level boundaries (70,000 entries, the spec’s example)', () => {
  let server: TilesLogServer;
  beforeAll(async () => {
    server = await startTilesLogServer();
    server.growTo(70_000);
  }, 120_000);
  afterAll(async () => server.close());

  it('serves exactly the tiles the spec lists for a tree of 70,000, and no others', async () => {
    const present = ['tile/0/272', 'tile/0/273.p/112', 'tile/1/000', 'tile/1/001.p/17', 'tile/2/000.p/1'];
    for (const path of [...present, 'tile/entries/272', 'tile/entries/273.p/112', 'tile/0/273.p/1']) {
      const res = await fetch(`${server.url}/${path}`);
      expect(res.status, path).toBe(200);
      await res.arrayBuffer();
    }
    for (const path of [
      'tile/0/273',
      'tile/0/273.p/113',
      'tile/1/001',
      'tile/1/001.p/18',
      'tile/2/000.p/2',
      'tile/3/000.p/1',
    ]) {
      expect((await getText(`${server.url}/${path}`)).status, path).toBe(404);
    }
  });

  it('the root from tiles equals the signed root, and tile proofs equal /v1 proofs', async () => {
    const note = (await getText(`${server.url}/checkpoint`)).body;
    const checkpoint = verifyCheckpointIndependently(note, server.verifierKey);
    expect(checkpoint.treeSize).toBe(70_000);
    const reader = new IndependentTileReader(
      httpResource(server.url),
      checkpoint.treeSize,
      checkpoint.rootHash,
    );
    expect(b64(await reader.root())).toBe(b64(checkpoint.rootHash));
    for (const index of sampleLeaves(70_000, 40)) {
      expect((await reader.inclusionProof(index)).map(b64), `leaf ${index}`).toEqual(
        await nodeProof(server.url, index, 70_000),
      );
    }
    const bundle = await reader.entries(273);
    expect(Buffer.from(bundle[111]!).toString()).toBe(Buffer.from(syntheticLeaf(69_999)).toString());
  }, 120_000);

  it('after growth past the level-1 boundary (65,536 → 70,000 → 131,073) older-size readers still verify', async () => {
    const older = new IndependentTileReader(httpResource(server.url), 65_536);
    expect(b64(await older.root())).toBe(b64(server.sequencer.rootAt(65_536)));
    server.growTo(131_073);
    const note = (await getText(`${server.url}/checkpoint`)).body;
    const checkpoint = verifyCheckpointIndependently(note, server.verifierKey);
    const reader = new IndependentTileReader(
      httpResource(server.url),
      checkpoint.treeSize,
      checkpoint.rootHash,
    );
    expect(b64(await reader.root())).toBe(b64(checkpoint.rootHash));
    expect(reader.fetched).toContain('tile/2/000.p/2');
    for (const index of [65_535, 65_536, 131_071, 131_072]) {
      expect((await reader.inclusionProof(index)).map(b64)).toEqual(
        await nodeProof(server.url, index, checkpoint.treeSize),
      );
    }
    // The 70,000-leaf reader's partial tiles are still served once the tree has grown past them.
    const at70k = new IndependentTileReader(httpResource(server.url), 70_000);
    expect(b64(await at70k.root())).toBe(b64(server.sequencer.rootAt(70_000)));
  }, 120_000);
});

describe("tiles agree with Go's golang.org/x/mod/sumdb/tlog (test/vectors/tlog-go.json, a copy of ../shared/vectors/tlog-go.json)", () => {
  interface Vectors {
    leaves: string[];
    roots_b64: string[];
    inclusion: { index: number; size: number; proof_b64: string[] | null }[];
  }
  const vectors = JSON.parse(
    readFileSync(new URL('../vectors/tlog-go.json', import.meta.url), 'utf8'),
  ) as Vectors;
  let server: TilesLogServer;
  beforeAll(async () => {
    server = await startTilesLogServer((i) => new TextEncoder().encode(vectors.leaves[i]!));
    server.growTo(vectors.leaves.length);
  });
  afterAll(async () => server.close());

  it("every root of Go's vectors, from the node's (partial) tiles", async () => {
    expect(vectors.leaves).toHaveLength(70);
    for (let size = 1; size <= vectors.leaves.length; size++) {
      const reader = new IndependentTileReader(httpResource(server.url), size);
      expect(b64(await reader.root()), `size ${size}`).toBe(vectors.roots_b64[size - 1]);
      expect(reader.fetched).toEqual([independentTilePath(0, 0, size)]);
    }
  });

  it("every inclusion proof of Go's vectors, from the node's tiles", async () => {
    for (const { index, size, proof_b64 } of vectors.inclusion) {
      const root = Buffer.from(vectors.roots_b64[size - 1]!, 'base64');
      const reader = new IndependentTileReader(httpResource(server.url), size, root);
      expect((await reader.inclusionProof(index)).map(b64), `${index} in ${size}`).toEqual(proof_b64 ?? []);
    }
  });
});
