import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installHardening } from '../../src/api/hardening/install-hardening.js';
import { DEFAULT_LOAD_LIMITS } from '../../src/api/hardening/load-shedding.js';
import { installSendStallTimeout } from '../../src/api/hardening/send-stall-timeout.js';
import { installProblemHandlers } from '../../src/api/problems/error-handler.js';
import { requestOnce } from '../e2e/support/held-connections.js';
import { startTestNode, type TestNode } from '../support/test-node.js';

/**
 * The node-wide in-flight cap (503 NODE_OVERLOADED beyond it) must count the
 * work the node does, not how fast clients read. A client that pipelines
 * requests on a keep-alive connection and never reads its socket leaves their
 * answers queued unsent: if an answer held its slot until its bytes reached
 * the kernel, a few such clients would hold every slot and turn everyone else
 * away, without a credential and for a few hundred KB of requests.
 *
 * The attacker needs its socket buffers full before the answers it wants to
 * hold: Node hands the first few MB to the kernel, which frees their slots,
 * and a shed request's 503 closes the connection once it is sent. So each
 * connection first asks for answers the cap does not count (/metrics), then
 * for cheap ones it does.
 */

/** Bytes of unread answers that fill the socket buffers on both ends of a loopback connection (Linux: up to 4 MiB a side). */
const FILLS_SOCKET_BUFFERS = 8 * 1024 * 1024;

const sockets: Socket[] = [];

/** Opens a connection (from `localAddress`: any of 127/8 is this machine) that never reads its answers, and writes `requests` on it in one go. */
async function unreadConnection(url: string, requests: string, localAddress = '127.0.0.1'): Promise<Socket> {
  const socket = connect({ port: Number(new URL(url).port), host: '127.0.0.1', localAddress });
  sockets.push(socket);
  socket.pause();
  await new Promise<void>((done, fail) => socket.once('connect', done).once('error', fail));
  // The node may reset it: that is its right, not the test's failure.
  socket.on('error', () => {});
  socket.write(requests);
  return socket;
}

const get = (path: string) => `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`;

/** A client that pipelines `requests` and reads: resolves with its socket once `answers` 200s have arrived. */
async function pipelinedReader(url: string, requests: string, answers: number): Promise<Socket> {
  const reader = connect(Number(new URL(url).port), '127.0.0.1');
  sockets.push(reader);
  let text = '';
  reader.setEncoding('latin1').on('data', (chunk: string) => {
    text += chunk;
  });
  reader.write(requests);
  while ((text.match(/HTTP\/1\.1 200/g) ?? []).length < answers) await new Promise((r) => setTimeout(r, 20));
  return reader;
}

/** Resolves once `value` has stopped changing for `quietMs`: the node has done all it will for the attack. */
async function settled(value: () => Promise<number>, quietMs = 500): Promise<number> {
  let last = -1;
  for (let now = await value(); now !== last; now = await value()) {
    last = now;
    await new Promise((r) => setTimeout(r, quietMs));
  }
  return last;
}

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
});

/** Two downloads on connections that never read them, holding their slots once the node has started both. */
async function stalledDownloads(url: string): Promise<Socket[]> {
  const stalled = [
    await unreadConnection(url, get('/download')),
    await unreadConnection(url, get('/download')),
  ];
  await new Promise((r) => setTimeout(r, 200));
  return stalled;
}

/** Asks for a small download until it is no longer refused with `refused` (a freed slot is seen an event-loop turn later). */
async function downloadOnceFreed(url: string, refused: number): Promise<Response> {
  let answer = await fetch(`${url}/download?pieces=2`);
  for (let i = 0; answer.status === refused && i < 50; i++) {
    await answer.text();
    await new Promise((r) => setTimeout(r, 20));
    answer = await fetch(`${url}/download?pieces=2`);
  }
  return answer;
}

describe('answers a client never reads (a real node over TCP)', () => {
  let t: TestNode;
  beforeAll(async () => {
    t = await startTestNode({ listen: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Cheap requests the node has answered or shed, from its /metrics (never shed, so it answers under the attack). */
  async function answeredOrShed(): Promise<number> {
    const text = await (await fetch(new URL('/metrics', t.node.url))).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('chancery_http_requests_total{route="/v1/log/entries"'));
    const refused = text
      .split('\n')
      .find((l) => l.startsWith('chancery_refusals_total{code="NODE_OVERLOADED"}'));
    return Number(line?.split(' ').pop() ?? 0) + Number(refused?.split(' ').pop() ?? 0);
  }

  it('three connections pipelining cheap GETs they never read do not turn an honest client away', async () => {
    // The log's first entry: unauthenticated, shed like any route, about 1 KB of JSON for 63 bytes asked.
    const cheap = '/v1/log/entries?start=0&end=1';
    const metrics = (await (await fetch(new URL('/metrics', t.node.url))).text()).length;
    const filler = get('/metrics').repeat(Math.ceil(FILLS_SOCKET_BUFFERS / metrics));
    for (let i = 0; i < 3; i++) {
      await unreadConnection(t.node.url, filler + get(cheap).repeat(DEFAULT_LOAD_LIMITS.maxInFlight / 2));
    }
    await settled(answeredOrShed);
    const honest = await fetch(new URL('/v1/log', t.node.url));
    const body = await honest.text();
    expect(honest.status, body).toBe(200);
  }, 60_000);
});

describe('unread answers against the hardening hooks (a Fastify instance over real HTTP)', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  /** Large enough that three fill a loopback connection's socket buffers. */
  const big = 'x'.repeat(FILLS_SOCKET_BUFFERS / 2);
  const huge = 'x'.repeat(4 * FILLS_SOCKET_BUFFERS);

  async function serve(limits: Partial<typeof DEFAULT_LOAD_LIMITS>, stallMs?: number) {
    const served = { small: 0 };
    app = Fastify();
    installProblemHandlers(app);
    installHardening(app, { ...DEFAULT_LOAD_LIMITS, ...limits });
    if (stallMs !== undefined) installSendStallTimeout(app.server, stallMs);
    // Never shed, so it fills a connection's socket buffers without taking an in-flight slot.
    app.get('/health/live', async () => big);
    app.get('/small', async () => {
      served.small++;
      return { ok: true, pad: 'y'.repeat(1000) };
    });
    app.get('/big', async () => big);
    // Four times what the socket buffers take: never all sent to a client that does not read.
    app.get('/huge', async () => huge);
    // Like a dataset download: a file read in 64 KiB pieces, 8 MiB unless asked (twice what the socket buffers take).
    const stream = async (
      request: FastifyRequest<{ Querystring: { pieces?: string } }>,
      reply: FastifyReply,
    ) => {
      const pieces = Number(request.query.pieces ?? 128);
      return reply.type('application/octet-stream').send(
        Readable.from(
          (function* () {
            for (let i = 0; i < pieces; i++) yield Buffer.alloc(64 * 1024, i);
          })(),
        ),
      );
    };
    app.get('/stream', stream);
    // The same, marked as the dataset download route is: its own cap while it streams.
    app.get('/download', { config: { streamedAnswer: true } }, stream);
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    return { url, served };
  }

  it('answers queued behind unread ones hold no in-flight slot: an honest request is still served', async () => {
    const { url, served } = await serve({ maxInFlight: 8 });
    // Two connections, 6 requests each (under the per-connection cap): 8 cheap answers queued unsent.
    for (let i = 0; i < 2; i++)
      await unreadConnection(url, get('/health/live').repeat(2) + get('/small').repeat(4));
    await settled(async () => served.small);
    expect(served.small).toBe(8);
    const honest = await fetch(`${url}/small`);
    expect(honest.status, await honest.text()).toBe(200);
  }, 30_000);

  it('a connection past its cap of unanswered requests is closed, and the node starts no more of them', async () => {
    const { url, served } = await serve({ maxUnansweredPerConnection: 4 });
    const socket = await unreadConnection(url, get('/health/live') + get('/small').repeat(200));
    await new Promise<void>((done) => socket.once('close', () => done()).resume());
    // The first request and three small ones were under the cap; the fifth closed the connection.
    expect(served.small).toBeLessThanOrEqual(3);
    // A client that pipelines within the cap, and reads, gets every answer.
    const reader = await pipelinedReader(url, get('/small').repeat(3), 3);
    expect(reader.destroyed).toBe(false);
  }, 30_000);

  it('answers waiting behind unsent ones are bounded over all connections: a connection past it is closed', async () => {
    // Within the per-connection cap, 16 unread answers of up to 630 KB on each of any number of connections.
    const { url } = await serve({ maxQueuedAnswerBytes: 1024 * 1024 });
    // One unread answer per connection waits behind nothing: such a connection is never closed for it.
    const singleOnServer = new Promise<Socket>((done) => app!.server.once('connection', done));
    const single = await unreadConnection(url, get('/huge'));
    // The small answers would wait behind 32 MiB this client does not read, past the 1 MiB the node allows.
    const piped = await unreadConnection(url, get('/huge') + get('/small').repeat(3));
    // Its small answers were computed (the per-connection cap bounds that), but not kept: it is closed.
    await new Promise<void>((done) => piped.once('close', () => done()).resume());
    expect(single.destroyed).toBe(false);
    // A client that asks once it has its answer, as browsers and phones do, is served meanwhile.
    for (let i = 0; i < 3; i++) {
      const honest = await fetch(`${url}/small`);
      expect(honest.status, await honest.text()).toBe(200);
    }
    // Once the connection that holds 32 MiB is gone too, a client that pipelines (and reads) is served.
    const serverSide = await singleOnServer;
    const gone = new Promise<void>((done) => serverSide.once('close', () => setImmediate(done)));
    single.destroy();
    await gone;
    const reader = await pipelinedReader(url, get('/small').repeat(3), 3);
    expect(reader.destroyed).toBe(false);
  }, 30_000);

  it('downloads nobody reads hold download slots, not the API: beyond their cap 503, and the rest is served', async () => {
    // Public datasets download without a credential: 16 connections of 16 pipelined downloads held all 256 slots.
    const { url } = await serve({ maxInFlight: 2, maxStreamsInFlight: 2 });
    const stalled = await stalledDownloads(url);
    const third = await fetch(`${url}/download`);
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toBe('1');
    expect(await third.json()).toEqual({
      type: 'urn:chancery:problem:node-overloaded',
      title: 'The node has too many requests in flight; retry later',
      status: 503,
      code: 'NODE_OVERLOADED',
      detail: '2 downloads are being sent; allowed: at most 2; retry after 1 s',
      instance: '/download',
      maxStreamsInFlight: 2,
    });
    // Both in-flight slots are free: the downloads gave them back once their streams were handed over.
    const [a, b] = await Promise.all([fetch(`${url}/small`), fetch(`${url}/small`)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await a.text();
    await b.text();
    // A download that ends (here, its reader went away) gives its slot back.
    stalled[0]!.destroy();
    const again = await downloadOnceFreed(url, 503);
    expect(again.status).toBe(200);
    expect((await again.arrayBuffer()).byteLength).toBe(2 * 64 * 1024);
    // The server closes only once its connections have.
    stalled[1]!.destroy();
  }, 30_000);

  it('one client address cannot hold every download slot: past its share 429, and other addresses are served', async () => {
    // Read just fast enough, a download never meets the stall timeout: one address could hold all 64 slots for ever.
    const { url } = await serve({ maxStreamsInFlight: 4, maxStreamsPerAddress: 2 });
    const stalled = await stalledDownloads(url);
    const third = await fetch(`${url}/download`);
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('2');
    expect(await third.json()).toEqual({
      type: 'urn:chancery:problem:downloads-per-address-exceeded',
      title: 'This client address has too many downloads being sent; retry later',
      status: 429,
      code: 'DOWNLOADS_PER_ADDRESS_EXCEEDED',
      detail:
        'client address 127.0.0.1 has 2 downloads being sent; allowed: at most 2 at once per client address; retry after 2 s',
      instance: '/download',
      maxStreamsPerAddress: 2,
    });
    // Another client is served while the first holds its share: two node-wide slots are still free.
    const other = await requestOnce(url, '/download?pieces=2', { localAddress: '127.0.0.2' });
    expect(other === 'refused' ? other : [other.status, other.body.length]).toEqual([200, 2 * 64 * 1024]);
    // A held download that ends gives its address's slot back.
    stalled[0]!.destroy();
    const again = await downloadOnceFreed(url, 429);
    expect(again.status).toBe(200);
    expect((await again.arrayBuffer()).byteLength).toBe(2 * 64 * 1024);
    stalled[1]!.destroy();
  }, 30_000);

  it('with no per-address cap (behind a proxy, all clients one address) one address may take every download slot', async () => {
    const { url } = await serve({ maxStreamsInFlight: 3, maxStreamsPerAddress: 0 });
    const stalled = await stalledDownloads(url);
    const third = await fetch(`${url}/download?pieces=2`);
    expect(third.status).toBe(200);
    expect((await third.arrayBuffer()).byteLength).toBe(2 * 64 * 1024);
    for (const socket of stalled) socket.destroy();
  }, 30_000);

  it('a streamed answer read to its end gives its slot back', async () => {
    const { url } = await serve({ maxInFlight: 1 });
    const download = await fetch(`${url}/stream`);
    expect((await download.arrayBuffer()).byteLength).toBe(8 * 1024 * 1024);
    const after = await fetch(`${url}/small`);
    expect(after.status, await after.text()).toBe(200);
  }, 30_000);

  it('an answer nobody reads is cut off once it has made no progress for the stall timeout; its slot comes back', async () => {
    const { url } = await serve({ maxInFlight: 1 }, 400);
    const closed: number[] = [];
    const opened = Date.now();
    app!.server.once('connection', (s: Socket) => s.once('close', () => closed.push(Date.now() - opened)));
    // A streamed answer holds its slot until its stream ends, which it never does for a reader that does not read.
    await unreadConnection(url, get('/stream'));
    await new Promise((r) => setTimeout(r, 200));
    const shed = await fetch(`${url}/small`);
    expect(shed.status, await shed.text()).toBe(503);
    while (closed.length === 0) await new Promise((r) => setTimeout(r, 20));
    // Between the stall timeout and 1.5 times it after the last progress (plus this machine's noise).
    expect(closed[0]).toBeGreaterThanOrEqual(400);
    expect(closed[0]).toBeLessThan(3_000);
    const after = await fetch(`${url}/small`);
    expect(after.status, await after.text()).toBe(200);
  }, 30_000);

  it('a slow reader that keeps reading is never cut off, however long the answer takes', async () => {
    // Progress is a write the kernel took in full, and Linux wakes a writer once a third of the socket's send
    // buffer is free: on loopback, where that buffer grows to 4 MiB, about every 1.3 MiB read, some 0.4 s at
    // the pace read here. 2 s leaves room for a loaded machine; the default (120 s) is for readers far slower.
    const stallMs = 2_000;
    const { url } = await serve({}, stallMs);
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    sockets.push(socket);
    socket.pause();
    await new Promise<void>((done) => socket.once('connect', done));
    socket.write(get('/stream?pieces=384'));
    // At most 64 KiB every 20 ms (3.2 MB/s): past what the socket buffers took at once, the 24 MiB answer
    // takes several times the stall timeout.
    let received = 0;
    const startedAt = Date.now();
    while (!socket.readableEnded && received < 24 * 1024 * 1024) {
      await new Promise((r) => setTimeout(r, 20));
      received += (socket.read() as Buffer | null)?.length ?? 0;
    }
    const took = Date.now() - startedAt;
    expect(received).toBeGreaterThan(24 * 1024 * 1024);
    expect(took).toBeGreaterThan(3 * stallMs);
  }, 60_000);
});
