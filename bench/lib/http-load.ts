import http from 'node:http';
import { nowMs, percentile } from './stats.js';

/**
 * Closed-loop HTTP load: C clients, each with at most one request in flight,
 * over keep-alive connections, taking pre-built bodies from a shared list
 * until the list or the time runs out. Bodies are serialised before the
 * timed phase so the generator spends its CPU on HTTP only.
 */

export type HttpClientKind = 'http' | 'fetch';

export interface LoadOptions {
  readonly url: string;
  /** Pre-serialised request bodies; each is sent once. */
  readonly bodies: readonly Buffer[];
  readonly concurrency: number;
  /** Stop taking new requests after this long (in-flight ones still complete). */
  readonly maxDurationMs: number;
  readonly client: HttpClientKind;
  /** Status that counts as success. */
  readonly expectStatus: number;
}

export interface LoadResult {
  readonly client: HttpClientKind;
  readonly concurrency: number;
  /** Requests answered with the expected status. */
  readonly ok: number;
  readonly failed: number;
  /** First few failures, for diagnosis. */
  readonly failures: readonly string[];
  readonly elapsedMs: number;
  /** ok / elapsed. */
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** CPU time this (load-generating) process used during the run, in seconds. */
  readonly generatorCpuSeconds: number;
  /** Whether the run ended on the time limit rather than by sending every body. */
  readonly timeLimited: boolean;
}

type Send = (body: Buffer) => Promise<{ status: number; text?: string }>;

function httpSender(url: URL, concurrency: number): { send: Send; close(): void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  const base = {
    host: url.hostname,
    port: url.port,
    path: url.pathname,
    method: 'POST',
    agent,
  };
  const send: Send = (body) =>
    new Promise((resolve, reject) => {
      const request = http.request(
        {
          ...base,
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            'content-length': body.length,
          },
        },
        (response) => {
          const status = response.statusCode ?? 0;
          if (status === 201 || status === 200) {
            response.resume();
            response.once('end', () => resolve({ status }));
          } else {
            const chunks: Buffer[] = [];
            response.on('data', (c: Buffer) => chunks.push(c));
            response.once('end', () => resolve({ status, text: Buffer.concat(chunks).toString('utf8') }));
          }
          response.once('error', reject);
        },
      );
      request.once('error', reject);
      request.end(body);
    });
  return { send, close: () => agent.destroy() };
}

function fetchSender(url: URL): { send: Send; close(): void } {
  const href = url.href;
  const headers = { 'content-type': 'application/json', accept: 'application/json' };
  const send: Send = async (body) => {
    // Buffer.from(string) is backed by a plain ArrayBuffer, which is what BodyInit wants.
    const response = await fetch(href, { method: 'POST', headers, body: body as Uint8Array<ArrayBuffer> });
    const text = await response.text();
    return response.ok ? { status: response.status } : { status: response.status, text };
  };
  return { send, close: () => {} };
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.url);
  const sender = options.client === 'http' ? httpSender(url, options.concurrency) : fetchSender(url);
  const total = options.bodies.length;
  const latencies = new Float64Array(total);
  let next = 0;
  let ok = 0;
  let failed = 0;
  let done = 0;
  let timeLimited = false;
  const failures: string[] = [];

  const cpuStart = process.cpuUsage();
  const start = nowMs();
  const deadline = start + options.maxDurationMs;

  const client = async (): Promise<void> => {
    for (;;) {
      const index = next++;
      if (index >= total) return;
      if (nowMs() >= deadline) {
        timeLimited = true;
        return;
      }
      const t0 = nowMs();
      try {
        const result = await sender.send(options.bodies[index]!);
        latencies[done++] = nowMs() - t0;
        if (result.status === options.expectStatus) ok++;
        else {
          failed++;
          if (failures.length < 5)
            failures.push(`HTTP ${result.status}: ${(result.text ?? '').slice(0, 300)}`);
        }
      } catch (error) {
        latencies[done++] = nowMs() - t0;
        failed++;
        if (failures.length < 5) failures.push(String(error));
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: options.concurrency }, client));
  } finally {
    sender.close();
  }
  const elapsedMs = nowMs() - start;
  const cpu = process.cpuUsage(cpuStart);
  return {
    client: options.client,
    concurrency: options.concurrency,
    ok,
    failed,
    failures,
    elapsedMs,
    perSecond: ok / (elapsedMs / 1000),
    p50Ms: percentile(latencies, 50, done),
    p90Ms: percentile(latencies, 90, done),
    p99Ms: percentile(latencies, 99, done),
    maxMs: percentile(latencies, 100, done),
    generatorCpuSeconds: (cpu.user + cpu.system) / 1e6,
    timeLimited,
  };
}
