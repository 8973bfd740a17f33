/**
 * The primary's mirror probe against real HTTP servers: a Chancery mirror's
 * /v1/operations gives its replicated size; a witness that is no Chancery
 * mirror, a broken answer or a dead socket is reported as such, keeping the
 * last size known. A third-party witness (no /v1/operations: 404) is no
 * mirror at all: not listed, and asked again only after a long pause.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MirrorProbe, replicatedSizeOf } from '../../../src/infrastructure/federation/mirror-probe.js';

const servers: Server[] = [];

async function serve(answer: () => { status: number; body: string }): Promise<string> {
  const server = createServer((_request, response) => {
    const { status, body } = answer();
    response.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

describe('replicatedSizeOf', () => {
  it('reads a mirror’s replicated size and refuses anything else', () => {
    expect(replicatedSizeOf({ role: 'mirror', mirror: { replicatedSize: 12 } })).toBe(12);
    expect(replicatedSizeOf({ role: 'primary', mirror: null })).toBe(
      'not a Chancery mirror (its /v1/operations names no mirror role)',
    );
    expect(replicatedSizeOf({ role: 'mirror', mirror: { replicatedSize: -1 } })).toBe(
      'malformed /v1/operations: mirror.replicatedSize is not a size',
    );
    expect(replicatedSizeOf(null)).toMatch(/^not a Chancery mirror/);
  });
});

describe('MirrorProbe', () => {
  it('keeps the last size of each mirror and says why a probe failed', async () => {
    let size = 5;
    let broken = false;
    const mirror = await serve(() =>
      broken
        ? { status: 200, body: 'not json' }
        : { status: 200, body: JSON.stringify({ role: 'mirror', mirror: { replicatedSize: size } }) },
    );
    const thirdParty = await serve(() => ({ status: 404, body: '{}' }));
    // A port that answered once and is closed now: a mirror that went away.
    const gone = await serve(() => ({ status: 200, body: '{}' }));
    await new Promise((r) => servers.pop()!.close(r));
    const probe = new MirrorProbe({
      mirrors: [
        { name: 'm', url: mirror },
        { name: 'w', url: thirdParty },
        { name: 'dead', url: gone },
      ],
      intervalMs: 60_000,
      timeoutMs: 2000,
    });
    await probe.probeAll();
    size = 9;
    await probe.probeAll();
    const [m, dead, ...rest] = probe.status();
    expect(m).toMatchObject({ name: 'm', replicatedSize: 9, error: null, checkedAt: expect.any(String) });
    expect(rest).toEqual([]);
    expect(dead).toMatchObject({ replicatedSize: null, error: 'ECONNREFUSED' });
    broken = true;
    await probe.probeAll();
    expect(probe.status()[0]).toMatchObject({ replicatedSize: 9, error: 'GET /v1/operations: not JSON' });
  });

  it('asks a witness that answers 404 again only after the pause, and lists it once it answers as a mirror', async () => {
    let asked = 0;
    let mirrorNow = false;
    const witness = await serve(() => {
      asked++;
      return mirrorNow
        ? { status: 200, body: JSON.stringify({ role: 'mirror', mirror: { replicatedSize: 3 } }) }
        : { status: 404, body: '404 page not found\n' };
    });
    const probe = new MirrorProbe({
      mirrors: [{ name: 'w', url: witness }],
      intervalMs: 60_000,
      timeoutMs: 2000,
      notServedRecheckMs: 300,
    });
    for (let i = 0; i < 5; i++) await probe.probeAll();
    expect(asked).toBe(1);
    expect(probe.status()).toEqual([]);
    await new Promise((r) => setTimeout(r, 350));
    await probe.probeAll();
    expect(asked).toBe(2);
    expect(probe.status()).toEqual([]);
    mirrorNow = true;
    await new Promise((r) => setTimeout(r, 350));
    await probe.probeAll();
    expect(asked).toBe(3);
    expect(probe.status()).toEqual([
      { name: 'w', url: witness, replicatedSize: 3, checkedAt: expect.any(String), error: null },
    ]);
  });

  it('still reports a 404 from a witness that has answered as a mirror: that is a fault, not what it is', async () => {
    let gone = false;
    const mirror = await serve(() =>
      gone
        ? { status: 404, body: '{}' }
        : { status: 200, body: JSON.stringify({ role: 'mirror', mirror: { replicatedSize: 4 } }) },
    );
    const probe = new MirrorProbe({
      mirrors: [{ name: 'm', url: mirror }],
      intervalMs: 60_000,
      timeoutMs: 2000,
    });
    await probe.probeAll();
    gone = true;
    await probe.probeAll();
    expect(probe.status()).toEqual([
      {
        name: 'm',
        url: mirror,
        replicatedSize: 4,
        checkedAt: expect.any(String),
        error: 'GET /v1/operations: HTTP 404',
      },
    ]);
  });
});
