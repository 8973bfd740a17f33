/**
 * `npm run soak [-- --kills N] [-- --writers W]`: kill -9 a node N times (default 50) under concurrent
 * certify (W writers), bulk certification and dataset upload load, and check, after every restart, that
 * every acknowledged write is present and provable (batches read back and a record's proof verifies;
 * dataset versions read back with bytes that hash to the acknowledged digest) and every checkpoint is
 * consistent with the last. SOAK_DEBUG=1 prints why each unacknowledged write failed. A benchmark-style script, not a test; it prints
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
  const c = counts;
  process.stdout.write(
    `soak clean: ${c.kills} kills, ${c.acknowledged} acknowledged writes all present after every restart ` +
      `(${c.certifications} certifications, ${c.batches} batches of ${c.batchRecords} records, ` +
      `${c.uploads} dataset uploads of ${c.uploadBytes} bytes; ${c.leavesChecked} leaf checks), ` +
      `${c.proofsChecked} certification proof bundles verified, ${c.batchesChecked} batches read back with a record's proof verified, ` +
      `${c.uploadsChecked} dataset reads hashing to the acknowledged digest, ` +
      `${c.checkpointsChecked} checkpoint consistency proofs, ${c.refusedOrCut} writes refused or cut by a kill, ` +
      `${Math.round((Date.now() - started) / 1000)} s\n`,
  );
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
