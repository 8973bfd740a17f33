/**
 * Writes fixtures/legacy-format.db from legacyOps(). Run once with the store
 * of commit d7f5820 (value rows in state_values, no state_values_at):
 *   npx tsx test/unit/state-map/generate-legacy-fixture.ts <root of a d7f5820 checkout>
 * The file is kept as written; regenerating it with the current store would
 * no longer produce the old format.
 */

import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LEGACY_OPTIONS, legacyOps } from './legacy-fixture-ops.js';

const root = resolve(process.argv[2] ?? '.');
const { openNodeDatabase } = await import(join(root, 'src/infrastructure/projections/node-database.ts'));
const { StateMapStore } = await import(join(root, 'src/infrastructure/state-map/state-map-store.ts'));
const file = join(import.meta.dirname, 'fixtures', 'legacy-format.db');
rmSync(file, { force: true });
const db = openNodeDatabase(file, { walCheckpointer: false });
const store = new StateMapStore(db, LEGACY_OPTIONS);
store.migrate();
for (const op of legacyOps()) {
  if (op.t === 'set') {
    db.transaction(() => {
      store.set(op.key, { n: op.n }, op.leaf);
      store.advanceTo(op.leaf + 1);
    })();
  } else if (op.t === 'retain') {
    store.rootAt(op.version);
    store.retainVersion(op.version);
  } else store.releaseBefore(op.version);
}
db.pragma('wal_checkpoint(TRUNCATE)');
db.pragma('journal_mode = DELETE');
db.close();
