/**
 * `CHANCERY_HOST=localhost` (and `CHANCERY_OPS_LISTEN=localhost:PORT`) must not open a door around the
 * connection caps. Given `localhost`,
 * Fastify binds two servers, 127.0.0.1 and ::1, and the caps (and the send stall timeout) are
 * installed on its one `app.server`: a client over its per-address share on 127.0.0.1 could go on
 * connecting to ::1, where no cap counted it. The node binds the IPv4 loopback only. (Fastify takes
 * the second address from the resolver, so the ::1 half shows the attack only where `localhost`
 * also resolves to ::1, as on most hosts; the configuration and the bound addresses are checked
 * everywhere.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningNode, startNode } from '../../src/node/chancery-node.js';
import { resolveNodeConfig } from '../../src/node/node-config.js';
import { answeredOnce, HeldConnections, requestOnce } from '../e2e/support/held-connections.js';

const tmp = mkdtempSync(join(tmpdir(), 'chancery-localhost-'));
const held = new HeldConnections();
let node: RunningNode | undefined;
afterAll(async () => {
  await held.closeAll();
  await node?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('a node told to listen on localhost', () => {
  it('listens on 127.0.0.1 only, public and operations listeners, where their caps count every connection', async () => {
    const config = resolveNodeConfig(
      { dataDir: join(tmp, 'node'), port: 0, host: 'localhost', opsListen: 'localhost:0' },
      { CHANCERY_MAX_CONNECTIONS_PER_ADDRESS: '1' },
    );
    expect(config.host).toBe('127.0.0.1');
    expect(config.opsListen).toEqual({ host: '127.0.0.1', port: 0 });
    node = await startNode(config, { logging: false });
    const port = new URL(node.url).port;
    expect(node.app.addresses()).toEqual([{ address: '127.0.0.1', family: 'IPv4', port: Number(port) }]);
    expect(await answeredOnce(`http://127.0.0.1:${port}`, '/health/live')).toMatchObject({ status: 200 });
    // The loopback client's one connection, held; past its share, closed at accept.
    expect(await held.hold(`http://127.0.0.1:${port}`)).toBe('served');
    expect(await requestOnce(`http://127.0.0.1:${port}`, '/health/live')).toBe('refused');
    // And nothing answers on ::1 for it to go round the cap.
    await expect(requestOnce(`http://[::1]:${port}`, '/health/live')).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
    // The operations listener too: one server on 127.0.0.1, its own cap counting every connection.
    const opsPort = Number(new URL(node.opsUrl!).port);
    expect(node.ops!.addresses()).toEqual([{ address: '127.0.0.1', family: 'IPv4', port: opsPort }]);
    expect(await answeredOnce(node.opsUrl!, '/health/live')).toMatchObject({ status: 200 });
    await expect(requestOnce(`http://[::1]:${opsPort}`, '/health/live')).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});
