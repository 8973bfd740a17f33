import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Checkpoints a WAL database from a worker thread, through a connection of
 * its own, so that the event loop never does it.
 *
 * SQLite's automatic checkpoint runs inside the COMMIT that crosses the
 * threshold (1000 pages by default): it copies every page the WAL holds back
 * into the database file and fsyncs both, on whichever thread committed. The
 * node database takes several pages per certification (random-keyed indexes),
 * so under load that was a checkpoint every few hundred milliseconds inside
 * the projector's COMMIT, about 40 µs of the event loop per certification.
 * A PASSIVE checkpoint from another connection copies what no reader still
 * needs and waits for no one; the writer then starts the WAL over.
 *
 * The worker is plain JavaScript (a worker thread starts without the tsx
 * loader) and unref'd: it never keeps the process alive.
 */

export interface WalCheckpointerOptions {
  /** Pause between two checkpoints. Default 200 ms. */
  readonly intervalMs?: number;
  /**
   * Frames in the WAL past which the pause is 10 ms instead (default: never). SQLite starts the WAL
   * over only when the writer begins a transaction with every frame already copied back, which a
   * writer committing every few milliseconds (a large batch being projected) never sees: the WAL then
   * grows to the writer's own automatic checkpoint, which copies whatever the last checkpoint here
   * left, on the event loop. Checkpointing often once the WAL is that long leaves it little: in a
   * million-record batch those COMMITs took 85–148 ms with 200 ms between checkpoints, 26–61 ms with
   * 10 ms. The pause goes back to intervalMs after two checkpoints in a row found the WAL short: a
   * writer starting it over shows it empty for an instant, and one such sample once slowed the
   * checkpoints to the interval in the middle of a burst (a flaky test on a loaded machine).
   */
  readonly hurryAfterFrames?: number;
  /** Called once if the worker fails or exits unasked; the caller falls back to SQLite's own checkpoints. */
  readonly onFailure?: (error: Error) => void;
}

export interface WalCheckpointer {
  /** Stops the worker, which closes its connection. Idempotent. */
  stop(): void;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.betterSqlite3);
const db = new Database(workerData.file, { fileMustExist: true });
let timer;
let hurried = false;
function checkpoint() {
  // PASSIVE: copy what no reader needs any more, never wait for a reader or the writer.
  const [{ log }] = db.pragma('wal_checkpoint(PASSIVE)');
  // A writer starting the WAL over shows it empty for an instant, inside its COMMIT: one short
  // sample after long ones is not the end of a burst, so the pause lengthens only after two.
  const long = log > workerData.hurryAfterFrames;
  timer = setTimeout(checkpoint, long || hurried ? 10 : workerData.intervalMs);
  hurried = long;
}
timer = setTimeout(checkpoint, workerData.intervalMs);
parentPort.once('message', () => {
  clearTimeout(timer);
  db.close();
  process.exit(0);
});
`;

const betterSqlite3 = createRequire(import.meta.url).resolve('better-sqlite3');

export function startWalCheckpointer(file: string, options: WalCheckpointerOptions = {}): WalCheckpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      betterSqlite3,
      file,
      intervalMs: options.intervalMs ?? 200,
      hurryAfterFrames: options.hurryAfterFrames ?? Number.POSITIVE_INFINITY,
    },
  });
  worker.unref();
  let stopped = false;
  const fail = (error: Error) => {
    if (stopped) return;
    stopped = true;
    options.onFailure?.(error);
  };
  // An error event without a listener would crash the process; here it only ends the checkpoints.
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`WAL checkpointer exited with code ${code}`)));
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      worker.postMessage('stop');
    },
  };
}
