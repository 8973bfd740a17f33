import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * PostgreSQL's own insert rate, measured with its own tool: pgbench running a
 * one-row INSERT per transaction (autocommit, so one commit each, and the
 * server's WAL group commit shares flushes between concurrent clients) into a
 * table shaped like the event store's (bigserial key, unique (stream,
 * revision), a ~1 KB json payload). The baseline the issue names: durable
 * appends/s must reach half of it.
 */

export interface PgbenchResult {
  readonly clients: number;
  readonly tps: number;
  readonly transactions: number;
  readonly latencyMs: number | null;
}

export const PGBENCH_TABLE = `
CREATE TABLE pgbench_events (
  position bigserial PRIMARY KEY,
  stream text NOT NULL,
  revision bigint NOT NULL,
  type text NOT NULL,
  data json NOT NULL,
  metadata json,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (stream, revision)
)`;

export async function runPgbench(options: {
  readonly url: string;
  readonly clients: number;
  readonly seconds: number;
  readonly payload: string;
  readonly dir: string;
}): Promise<PgbenchResult> {
  const script = join(options.dir, `insert-${options.clients}.sql`);
  // A stream name no other transaction uses: the client id, a random number and the clock.
  writeFileSync(
    script,
    `\\set r random(1, 2000000000)\n` +
      `INSERT INTO pgbench_events (stream, revision, type, data) VALUES ` +
      `('bench-' || :client_id || '-' || :r || '-' || clock_timestamp(), 0, 'BenchAppended', '${options.payload.replaceAll("'", "''")}');\n`,
  );
  const url = new URL(options.url);
  const env = {
    ...process.env,
    PGHOST: url.hostname,
    PGPORT: url.port || '5432',
    PGUSER: decodeURIComponent(url.username) || 'postgres',
    PGDATABASE: url.pathname.slice(1),
    ...(url.password === '' ? {} : { PGPASSWORD: decodeURIComponent(url.password) }),
  };
  const threads = Math.min(options.clients, 2);
  const { stdout } = await run(
    'pgbench',
    [
      '-n',
      '-M',
      'prepared',
      '-c',
      String(options.clients),
      '-j',
      String(threads),
      '-T',
      String(options.seconds),
      '-f',
      script,
    ],
    { env, timeout: (options.seconds + 60) * 1000 },
  );
  const tps = /^tps = ([\d.]+) \(without initial connection time\)/m.exec(stdout)?.[1];
  if (tps === undefined) throw new Error(`pgbench printed no tps:\n${stdout}`);
  const transactions = /number of transactions actually processed: (\d+)/.exec(stdout)?.[1];
  const latency = /latency average = ([\d.]+) ms/.exec(stdout)?.[1];
  return {
    clients: options.clients,
    tps: Number(tps),
    transactions: Number(transactions ?? 0),
    latencyMs: latency === undefined ? null : Number(latency),
  };
}

/**
 * CPU seconds (user + system) used so far by every process named `postgres`: the server's
 * backends work for the benchmark, so the CPU meter must not count them as other people's load.
 */
export function postgresCpuSeconds(): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (name !== 'postgres') continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime, and the children's (the postmaster reaps every backend that ends).
      ticks +=
        Number(fields[11] ?? 0) + Number(fields[12] ?? 0) + Number(fields[13] ?? 0) + Number(fields[14] ?? 0);
    } catch {
      // The process ended between readdir and read.
    }
  }
  return ticks / 100;
}
