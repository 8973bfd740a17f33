/**
 * `npm run soak [-- --kills N] [-- --writers W]`: kill -9 a node N times (default 50) under concurrent
 * certify load and check, after every restart, that every acknowledged write is present and provable
 * and every checkpoint is consistent with the last. A benchmark-style script, not a test; it prints
 * the counts (record them in the README), and exits 1 on the first violation.
 */
import { parseArgs } from 'node:util';
import { runSoak } from './soak-run.js';

const { values } = parseArgs({
  options: { kills: { type: 'string', default: '50' }, writers: { type: 'string', default: '6' } },
});
const started = Date.now();
try {
  const counts = await runSoak({
    kills: Number(values.kills),
    writers: Number(values.writers),
    progress: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(
    `soak clean: ${counts.kills} kills, ${counts.acknowledged} acknowledged writes all present ` +
      `(${counts.leavesChecked} leaf checks), ${counts.proofsChecked} proof bundles, ` +
      `${counts.checkpointsChecked} checkpoint consistency proofs, ${counts.refusedOrCut} writes refused or cut by a kill, ` +
      `${Math.round((Date.now() - started) / 1000)} s\n`,
  );
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
