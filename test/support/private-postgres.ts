/**
 * A throwaway PostgreSQL cluster of a test's own, made with the machine's
 * initdb and run with pg_ctl in a temporary folder, on a free port of
 * 127.0.0.1, trust auth. A fault test stops it for real (`pg_ctl stop -m
 * immediate`, what `pg_ctlcluster … stop -m immediate` runs) without touching
 * the main cluster that other suites use at the same time. PostgreSQL refuses
 * to run as root, so as root the server runs as the `postgres` user.
 */

import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runSql } from './postgres-server.js';

const run = promisify(execFile);

export interface PrivatePostgres {
  readonly port: number;
  readonly dataDir: string;
  /** postgres://postgres@127.0.0.1:PORT/DATABASE */
  url(database?: string): string;
  /** Kills the server the way a crash or `stop -m immediate` does: no checkpoint, recovery at the next start. */
  stopImmediately(): Promise<void>;
  start(): Promise<void>;
  /** Stops it if it runs and removes its folder. */
  destroy(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const dir = versions.map((v) => join(root, v, 'bin')).find((d) => existsSync(join(d, 'initdb')));
  if (dir === undefined)
    throw new Error(`no initdb under ${root}/<version>/bin: is the PostgreSQL server installed?`);
  return dir;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const dataDir = mkdtempSync(join(tmpdir(), 'chancery-pg-'));
  const owner = asRoot ? await postgresUser() : null;
  if (owner !== null) chownSync(dataDir, owner.uid, owner.gid);
  // As root, every server command runs as postgres; otherwise as the current user.
  const command = (program: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, program), ...args], { timeout: 60_000 })
      : run(join(bin, program), args, { timeout: 60_000 });
  const port = await freePort();
  const options = `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=on`;
  const start = async () => {
    await command('pg_ctl', ['-D', dataDir, '-l', join(dataDir, 'server.log'), '-o', options, '-w', 'start']);
  };
  let running = false;
  try {
    // --no-sync only for initdb's own files; the server itself runs with fsync=on.
    await command('initdb', ['-D', dataDir, '--auth=trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    await start();
    running = true;
    await runSql(`postgres://postgres@127.0.0.1:${port}/postgres`, 'CREATE DATABASE chancery');
  } catch (error) {
    if (running)
      await command('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    dataDir,
    url: (database = 'chancery') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    stopImmediately: async () => {
      await command('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    },
    start,
    destroy: async () => {
      await command('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}
