import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { installJsonBodyParser } from '../../src/api/hardening/json-body-parser.js';
import { DEFAULT_LOAD_LIMITS, installLoadShedding } from '../../src/api/hardening/load-shedding.js';
import { installProblemHandlers } from '../../src/api/problems/error-handler.js';
import { type NodeProcess, startNodeProcess } from '../support/node-process.js';

/**
 * Issue 11, "unauthenticated load stalls the node" and "overload": load is
 * shed with 503/429 + Retry-After instead of queued, and liveness stays fast
 * while anyone throws big and deep unauthenticated bodies at a real node.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = join(ROOT, 'test/integration/fixtures/node-under-load.ts');

interface Answer {
  status: number;
  /** The answer's Connection header. */
  connection: string | undefined;
  contentType: string;
  retryAfter: string | undefined;
  body: string;
}

/** One request over its own connection (unless `headers` keep it alive), body written in one go; resolves with whatever the node answered. */
function send(
  url: string,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
) {
  return new Promise<Answer>((done, fail) => {
    const req = httpRequest(
      `${url}${path}`,
      { method, headers: { connection: 'close', ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () =>
          done({
            status: res.statusCode ?? 0,
            connection: res.headers['connection'],
            contentType: String(res.headers['content-type'] ?? ''),
            retryAfter: res.headers['retry-after'] as string | undefined,
            body: text,
          }),
        );
      },
    );
    // The node may refuse and close before the whole body is written: that is an answer, not an error.
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' || error.code === 'EPIPE'
        ? done({ status: 0, connection: undefined, contentType: '', retryAfter: undefined, body: '' })
        : fail(error),
    );
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

describe('load shedding (a Fastify instance with only the shedding hooks, over real HTTP)', () => {
  let app: FastifyInstance;
  let url: string;
  const release: (() => void)[] = [];
  afterAll(async () => {
    for (const r of release) r();
    await app?.close();
  });

  // The per-key upload cap counts only verified keys, so it is tested on a real node: uploads-per-key-forgery.test.ts.
  it('beyond the in-flight cap: 503 NODE_OVERLOADED + Retry-After; /health/live is never shed', async () => {
    app = Fastify();
    installProblemHandlers(app);
    installLoadShedding(app, { ...DEFAULT_LOAD_LIMITS, maxInFlight: 2, maxUploadsPerKey: 1 });
    const held = () => new Promise<void>((r) => release.push(r));
    app.get('/slow', async () => {
      await held();
      return { ok: true };
    });
    app.get('/health/live', async () => ({ status: 'ok' }));
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    const slow = [send(url, 'GET', '/slow'), send(url, 'GET', '/slow')];
    await new Promise((r) => setTimeout(r, 100));
    const shed = await send(url, 'GET', '/slow');
    expect(shed.status).toBe(503);
    expect(shed.retryAfter).toBe('1');
    expect(shed.contentType).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(shed.body)).toEqual({
      type: 'urn:chancery:problem:node-overloaded',
      title: 'The node has too many requests in flight; retry later',
      status: 503,
      code: 'NODE_OVERLOADED',
      detail: '2 requests are in flight; allowed: at most 2; retry after 1 s',
      instance: '/slow',
      maxInFlight: 2,
    });
    expect((await send(url, 'GET', '/health/live')).status).toBe(200);
    for (const r of release.splice(0)) r();
    expect((await Promise.all(slow)).map((a) => a.status)).toEqual([200, 200]);
    // Slots come back once the responses closed.
    const after = send(url, 'GET', '/slow');
    await new Promise((r) => setTimeout(r, 50));
    for (const r of release.splice(0)) r();
    expect((await after).status).toBe(200);
  });
});

describe('a refusal closes the connection only when a body may still be on its way', () => {
  let app: FastifyInstance;
  const release: (() => void)[] = [];
  afterAll(async () => {
    for (const r of release) r();
    await app?.close();
  });

  it('a shed GET keeps its connection; a shed POST with a body closes it', async () => {
    // Closing every shed GET's connection made each client turned away under load reconnect.
    app = Fastify();
    installProblemHandlers(app);
    installJsonBodyParser(app);
    installLoadShedding(app, { ...DEFAULT_LOAD_LIMITS, maxInFlight: 1 });
    app.get('/slow', () => new Promise<{ ok: boolean }>((r) => release.push(() => r({ ok: true }))));
    app.post('/echo', async (request) => request.body);
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const slow = send(url, 'GET', '/slow');
    await new Promise((r) => setTimeout(r, 100));
    const keepAlive = { connection: 'keep-alive' };
    const shedGet = await send(url, 'GET', '/slow', undefined, keepAlive);
    expect([shedGet.status, shedGet.connection]).toEqual([503, 'keep-alive']);
    const json = { ...keepAlive, 'content-type': 'application/json' };
    const shedPost = await send(url, 'POST', '/echo', '{"a":1}', json);
    expect([shedPost.status, shedPost.connection]).toEqual([503, 'close']);
    for (const r of release.splice(0)) r();
    expect((await slow).status).toBe(200);
  });
});

describe('liveness under unauthenticated garbage (a real node process)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'chancery-overload-'));
  let node: NodeProcess | undefined;
  afterAll(async () => {
    await node?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('many concurrent big and deep bodies: no 5xx, every refusal problem+json, /health/live p99 stays low', async () => {
    node = await startNodeProcess(FIXTURE, dataDir, {});
    const url = node.url;
    const deep = `{"payload":${'['.repeat(30_000)}${']'.repeat(30_000)}}`; // 60 KB, under the 64 KiB limit
    const big = `{"pad":"${'x'.repeat(256 * 1024)}"}`; // 256 KiB, over it
    const deepInString = `{"payload":{"s":"${'['.repeat(60_000)}"}}`;
    const bodies = [deep, big, deepInString];
    const answers: Answer[] = [];
    let stop = false;
    const attacker = async (i: number) => {
      while (!stop) {
        const body = bodies[i % bodies.length]!;
        answers.push(
          await send(url, 'POST', '/v1/certifications', body, { 'content-type': 'application/json' }),
        );
      }
    };
    // Ten at once, as in the finding (which made /health/live take 19.2 s).
    const attackers = Array.from({ length: 10 }, (_, i) => attacker(i));
    const latencies: number[] = [];
    const until = Date.now() + 4_000;
    while (Date.now() < until) {
      const started = performance.now();
      const live = await send(url, 'GET', '/health/live');
      latencies.push(performance.now() - started);
      expect(live.status).toBe(200);
      await new Promise((r) => setTimeout(r, 10));
    }
    stop = true;
    await Promise.all(attackers);
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.floor(latencies.length * 0.99)]!;
    console.log(
      `/health/live under ${answers.length} garbage requests: ${latencies.length} probes, p50 ${latencies[Math.floor(latencies.length / 2)]!.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`,
    );
    expect(answers.length).toBeGreaterThan(50);
    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    for (const a of answers.filter((x) => x.status !== 0)) {
      expect(a.contentType).toMatch(/^application\/problem\+json/);
      expect([400, 413]).toContain(a.status);
    }
    // The target is 50 ms; SLACK (default 10, CHANCERY_LOAD_SLACK) is for a shared 2-core machine that also runs
    // this test's load generator (load average ~20 when this was written). The regression it guards against: 19.2 s.
    const slack = Number(process.env['CHANCERY_LOAD_SLACK'] ?? 10);
    expect(p99).toBeLessThan(50 * slack);
  }, 90_000);
});
