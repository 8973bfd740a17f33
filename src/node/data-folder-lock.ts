import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** Thrown when another live process holds the data folder. */
export class DataFolderInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number | null,
  ) {
    super(
      `data folder ${dir} in use by pid ${pid ?? 'unknown (it is still starting)'}; stop that node first`,
    );
    this.name = 'DataFolderInUseError';
  }
}

export interface DataFolderLock {
  release(): void;
}

/**
 * One node per data folder. The lock is an open SQLite connection to
 * DATA/node.lock.db holding an EXCLUSIVE transaction that is never committed.
 * Chosen over a pid file alone or O_EXCL creation because the lock is the
 * kernel's (POSIX fcntl, which SQLite takes and keeps per inode): it lasts
 * exactly as long as the process, is dropped by the kernel when the process
 * dies however it dies (kill -9, OOM), so a stale lock never blocks a restart,
 * and needs no pid liveness guessing (pids are reused). better-sqlite3 is
 * already our driver; flock has no binding in Node's standard library.
 * DATA/node.pid only says who holds it, for the message.
 */
export function lockDataFolder(dir: string): DataFolderLock {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pidFile = join(dir, 'node.pid');
  // timeout 0: a held lock is an answer, not something to wait for.
  const db = new Database(join(dir, 'node.lock.db'), { timeout: 0 });
  try {
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY')
      throw new DataFolderInUseError(dir, holderPid(pidFile));
    throw error;
  }
  writeFileSync(pidFile, `${process.pid}\n`, { mode: 0o644 });
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      if (holderPid(pidFile) === process.pid) rmSync(pidFile, { force: true });
      db.close();
    },
  };
}

function holderPid(pidFile: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
