/**
 * A node upgraded onto a node.db that has no one-row copy of its full tiles
 * (written before they were kept, or by an older binary) writes them once it
 * serves, without a rebuild; the tiles it serves stay byte for byte the same.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startNode } from '../../src/node/chancery-node.js';
import { resolveNodeConfig } from '../../src/node/node-config.js';
import { eventually } from '../support/federation-nodes.js';
import { FIXED_NOW, startTestNode } from '../support/test-node.js';

const FULL_TILES = 2;

function tileRows(dataDir: string): number[] {
  const db = new Database(join(dataDir, 'node.db'), { readonly: true });
  try {
    return db.prepare('SELECT tile FROM log_leaf_tiles ORDER BY tile').pluck().all() as number[];
  } finally {
    db.close();
  }
}

describe('one-row tiles for a node.db written without them', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('are written in the background after a restart, and the tiles served do not change', async () => {
    const t = await startTestNode();
    const dept = await t.issuer('BACKFILL', ['diploma']);
    for (let i = 0; t.node.sequencer.sequencedSize() < FULL_TILES * 256 + 10; i++) {
      const res = await t.certifyDiploma(dept, `record ${i}`);
      expect(res.statusCode, res.body).toBe(201);
    }
    await t.seal();
    const before = await Promise.all([0, 1].map((n) => t.get(`/tile/0/00${n}`)));
    for (const res of before) expect(res.statusCode).toBe(200);
    await t.node.close();
    expect(tileRows(t.dataDir)).toEqual([0, 1]);

    // What a node.db from before the rows were kept looks like.
    const db = new Database(join(t.dataDir, 'node.db'));
    db.exec('DELETE FROM log_leaf_tiles');
    db.close();

    const notices: string[] = [];
    const node = await startNode(resolveNodeConfig({ dataDir: t.dataDir, port: 0 }, {}), {
      logging: false,
      clock: () => FIXED_NOW,
      listen: false,
      notice: (line) => notices.push(line),
    });
    cleanups.push(async () => {
      await node.close();
      await t.close();
    });
    await node.started;
    await eventually(
      'the backfill to finish',
      () => notices.some((n) => n.startsWith('wrote the one-row copy')) || undefined,
      20_000,
    );
    expect(notices.filter((n) => n.includes('one-row copy'))).toEqual([
      'writing the one-row copy of full tiles completed before it was kept, in the background; until then those tiles are served more slowly',
      'wrote the one-row copy of 2 full tiles completed before it was kept',
    ]);
    const after = await Promise.all(
      [0, 1].map((n) => node.app.inject({ method: 'GET', url: `/tile/0/00${n}` })),
    );
    after.forEach((res, n) => {
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload.equals(before[n]!.rawPayload), `tile/0/00${n}`).toBe(true);
    });
    await node.close();
    expect(tileRows(t.dataDir)).toEqual([0, 1]);
  }, 120_000);
});
