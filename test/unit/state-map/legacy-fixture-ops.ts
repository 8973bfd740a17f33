/**
 * The events behind fixtures/legacy-format.db, a node.db whose state map was
 * written by the store before value rows moved to state_values_at (commit
 * d7f5820): generate-legacy-fixture.ts wrote it from these, and
 * legacy-format.test.ts replays them on the reference map to check what the
 * current store reads from that file.
 */

export type LegacyOp =
  | { readonly t: 'set'; readonly key: string; readonly n: number; readonly leaf: number }
  | { readonly t: 'retain'; readonly version: number }
  | { readonly t: 'release'; readonly version: number };

/**
 * Store options the file was written with: a small cap, so versions were persisted by the store itself
 * too, and every retained version written as pages (as the store did then).
 */
export const LEGACY_OPTIONS = { maxUnpersistedChanges: 40, pruneBatch: 4, persistAfterChanges: 1 } as const;

export function legacyOps(): LegacyOp[] {
  const ops: LegacyOp[] = [];
  let leaf = 0;
  let fresh = 0;
  for (let round = 0; round < 12; round++) {
    for (let i = 0; i < 25; i++) {
      // Two keys in three are new; the others update one of the first keys (some twice in a round).
      const key = i % 3 === 2 ? `void/${(i * 7 + round * 5) % Math.max(1, fresh)}` : `void/${fresh++}`;
      ops.push({ t: 'set', key, n: round * 100 + i, leaf });
      leaf++;
    }
    ops.push({ t: 'retain', version: leaf });
    if (round % 3 === 1) ops.push({ t: 'retain', version: leaf - 10 });
    if (round >= 2) ops.push({ t: 'release', version: leaf - 60 });
  }
  // Changes after the last retain stay in state_changes only, to be reloaded by migrate().
  for (let i = 0; i < 15; i++) {
    ops.push({ t: 'set', key: i % 2 === 0 ? `void/${fresh++}` : `void/${i}`, n: 9000 + i, leaf });
    leaf++;
  }
  return ops;
}
