/** The tiles fixture server (bench/fixtures/tiles-server.ts) as a child process, for bench/tiles.bench.ts. */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { startFixtureChild } from './lib/fixture-child.js';
import { nowMs, percentile } from './lib/stats.js';
import type { BenchContext } from './lib/types.js';

export interface TilesServer {
  readonly url: string;
  readonly pid: number;
  readonly treeSize: number;
  /** Current and peak resident set, bytes (Linux /proc). */
  rss(): { current: number; peak: number };
  stop(): Promise<void>;
}

function rssOf(pid: number): { current: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1]) * 1024;
  return { current: kib('VmRSS'), peak: kib('VmHWM') };
}

export async function startTilesServer(
  ctx: BenchContext,
  dbFile: string,
  staticDir: string,
): Promise<TilesServer> {
  const child = await startFixtureChild(ctx, 'bench/fixtures/tiles-server.ts', [dbFile, staticDir], {
    name: 'tiles server',
    startTimeoutMs: 120_000,
  });
  const ready = JSON.parse(child.readyLine) as { url: string; pid: number; treeSize: number };
  return { ...ready, rss: () => rssOf(ready.pid), stop: child.stop };
}

export interface GetLoad {
  readonly ok: number;
  readonly failed: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly bytes: number;
}

/** Closed loop: `concurrency` keep-alive clients GET `pathOf(i)` until the time is up. */
export async function loadGets(
  url: string,
  pathOf: (request: number) => string,
  concurrency: number,
  durationMs: number,
): Promise<GetLoad> {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let failed = 0;
  let bytes = 0;
  let requests = 0;
  const get = (path: string) =>
    new Promise<number>((resolve, reject) => {
      const request = http.get({ host: target.hostname, port: target.port, path, agent }, (response) => {
        response.on('data', (chunk: Buffer) => (bytes += chunk.length));
        response.once('end', () => resolve(response.statusCode ?? 0));
        response.once('error', reject);
      });
      request.once('error', reject);
    });
  const start = nowMs();
  const deadline = start + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (nowMs() < deadline) {
        const t0 = nowMs();
        const status = await get(pathOf(requests++)).catch(() => 0);
        if (status === 200) latencies.push(nowMs() - t0);
        else failed++;
      }
    }),
  );
  const elapsed = nowMs() - start;
  agent.destroy();
  return {
    ok: latencies.length,
    failed,
    perSecond: latencies.length / (elapsed / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    bytes,
  };
}
