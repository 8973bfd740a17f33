/**
 * A full level-0 tile is served from its one row when node.db has it, and
 * gathered from the stored-hash slots when it does not (a tile completed
 * before the file kept those rows): the same bytes either way, the RFC 6962
 * leaf hashes of its 256 leaves in order.
 */
import { describe, expect, it } from 'vitest';
import { storedHashIndex } from '../../../src/domain/log/index.js';
import { openNodeDatabase } from '../../../src/infrastructure/projections/node-database.js';
import { MerkleHashStore } from '../../../src/infrastructure/sequencer/merkle-hash-store.js';
import { TilesSource } from '../../../src/infrastructure/sequencer/tiles-source.js';
import { referenceLeafHash } from '../log/reference-merkle.js';

const leafBytes = (i: number) => new TextEncoder().encode(`{"leaf":${i}}`);

function expectedTile(tile: number): Buffer {
  return Buffer.concat(
    Array.from({ length: 256 }, (_, i) => Buffer.from(referenceLeafHash(leafBytes(tile * 256 + i)))),
  );
}

describe('TilesSource: full level-0 tiles', () => {
  it('reads a full tile as one row, without reading stored-hash slots', () => {
    const db = openNodeDatabase(':memory:');
    const store = new MerkleHashStore(db);
    store.migrate();
    for (let i = 0; i < 600; i++) store.append(BigInt(i + 1), leafBytes(i));
    const tiles = new TilesSource(store, store);
    const before = store.hashReads;
    const bytes = tiles.read({ kind: 'hashes', level: 0, index: 1, width: 256 });
    expect(Buffer.from(bytes).equals(expectedTile(1))).toBe(true);
    expect(store.hashReads).toBe(before);
  });

  it('gathers the same bytes from the slots for a tile a file written before holds no row for', () => {
    const db = openNodeDatabase(':memory:');
    const store = new MerkleHashStore(db);
    store.migrate();
    for (let i = 0; i < 600; i++) store.append(BigInt(i + 1), leafBytes(i));
    db.exec('DELETE FROM log_leaf_tiles');
    const tiles = new TilesSource(store, store);
    const before = store.hashReads;
    const bytes = tiles.read({ kind: 'hashes', level: 0, index: 1, width: 256 });
    expect(Buffer.from(bytes).equals(expectedTile(1))).toBe(true);
    // Leaf hashes 256..511 and the subtree hashes stored between them: one scan of every slot from the first to the last.
    expect(store.hashReads - before).toBe(storedHashIndex(0, 511) - storedHashIndex(0, 256) + 1);
  });
});
