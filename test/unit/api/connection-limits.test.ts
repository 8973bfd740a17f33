import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { clientAddressKey, installConnectionLimits } from '../../../src/api/hardening/connection-limits.js';
import { DEFAULT_LOAD_LIMITS, loadLimitsWith } from '../../../src/api/hardening/load-shedding.js';
import { ConnectionRefusalWarnings } from '../../../src/node/connection-refusals.js';
import { resolveNodeConfig } from '../../../src/node/node-config.js';
import { defaultMaxConnections, OWN_FILE_RESERVE, openFileLimit } from '../../../src/node/open-file-limit.js';
import { OperatorEvents } from '../../../src/node/operator-events.js';

describe('clientAddressKey: whose share of the per-address cap a connection takes', () => {
  it('an IPv4 client is its address, also when the socket is dual-stack', () => {
    expect(clientAddressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('::FFFF:203.0.113.7')).toBe('203.0.113.7');
  });

  it('an IPv6 client is its /64, however the address is written', () => {
    const key = '2001:db8:0:1::/64';
    expect(clientAddressKey('2001:db8:0:1::1')).toBe(key);
    expect(clientAddressKey('2001:0db8:0000:0001:ffff:ffff:ffff:ffff')).toBe(key);
    expect(clientAddressKey('2001:db8::1:0:0:0:9')).toBe(key);
    expect(clientAddressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientAddressKey('::1')).toBe('0:0:0:0::/64');
    expect(clientAddressKey('2001:db8:0:2::1')).not.toBe(key);
  });
});

describe('installConnectionLimits on a real server', () => {
  it('closes a connection past the node cap at accept and names its client as the per-address cap does', async () => {
    const server = createServer((_request, response) => response.end('ok'));
    const refused: [string, string][] = [];
    const counts = installConnectionLimits(
      server,
      { maxConnections: 1, maxConnectionsPerAddress: 0 },
      (reason, address) => refused.push([reason, address]),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const first = connect(port, '127.0.0.1');
    await new Promise((resolve) => first.once('connect', resolve));
    const second = connect(port, '127.0.0.1');
    await new Promise((resolve) => second.once('close', resolve));
    expect(refused).toEqual([['node_limit', '127.0.0.1']]);
    expect(counts.open()).toBe(1);
    first.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

describe('the per-address download cap follows the per-address connection cap', () => {
  it('is 8 downloads per address unless the node is behind a proxy (no per-address connection cap)', () => {
    expect(DEFAULT_LOAD_LIMITS.maxStreamsPerAddress).toBe(8);
    const direct = loadLimitsWith(DEFAULT_LOAD_LIMITS, {
      maxConnections: 4096,
      maxConnectionsPerAddress: 256,
    });
    expect(direct).toEqual(DEFAULT_LOAD_LIMITS);
    expect(loadLimitsWith(DEFAULT_LOAD_LIMITS, undefined)).toEqual(DEFAULT_LOAD_LIMITS);
    const proxied = loadLimitsWith(DEFAULT_LOAD_LIMITS, {
      maxConnections: 4096,
      maxConnectionsPerAddress: 0,
    });
    expect(proxied).toEqual({ ...DEFAULT_LOAD_LIMITS, maxStreamsPerAddress: 0 });
  });
});

describe('installConnectionLimits refuses nonsense caps', () => {
  it.each([
    [{ maxConnections: 0, maxConnectionsPerAddress: 1 }, 'maxConnections must be a positive integer, got 0'],
    [
      { maxConnections: 1.5, maxConnectionsPerAddress: 1 },
      'maxConnections must be a positive integer, got 1.5',
    ],
    [
      { maxConnections: 8, maxConnectionsPerAddress: -1 },
      'maxConnectionsPerAddress must be a non-negative integer (0: no cap), got -1',
    ],
  ])('%j', (limits, message) => {
    expect(() => installConnectionLimits(createServer(), limits)).toThrow(message);
  });
});

describe('the default node cap keeps room for the node’s own files', () => {
  const limits = (soft: string) => () =>
    `Limit                     Soft Limit           Hard Limit           Units     \n` +
    `Max processes             95000                95000                processes \n` +
    `Max open files            ${soft}                1048576              files     \n`;

  it('reads the soft open-file limit', () => {
    expect(openFileLimit(limits('1024'))).toBe(1024);
    expect(openFileLimit(limits('unlimited'))).toBe(Number.MAX_SAFE_INTEGER);
    expect(openFileLimit(() => 'nothing here')).toBeNull();
    expect(
      openFileLimit(() => {
        throw new Error('ENOENT');
      }),
    ).toBeNull();
    // This process's, on Linux (Node raised it to the hard limit as it started).
    expect(openFileLimit()).toBeGreaterThan(0);
  });

  it('is 4096, lowered under a small limit, never below 64', () => {
    expect(defaultMaxConnections(null)).toBe(4096);
    expect(defaultMaxConnections(1_048_576)).toBe(4096);
    expect(defaultMaxConnections(1024)).toBe(1024 - OWN_FILE_RESERVE);
    expect(defaultMaxConnections(256)).toBe(64);
  });

  it('comes from the environment, and a bad value is named with what is allowed', () => {
    const config = resolveNodeConfig(
      {},
      { CHANCERY_MAX_CONNECTIONS: '100', CHANCERY_MAX_CONNECTIONS_PER_ADDRESS: '0' },
    );
    expect(config.connections).toEqual({ maxConnections: 100, maxConnectionsPerAddress: 0 });
    expect(resolveNodeConfig({}, {}).connections.maxConnectionsPerAddress).toBe(256);
    expect(() => resolveNodeConfig({}, { CHANCERY_MAX_CONNECTIONS: '0' })).toThrow(
      'invalid CHANCERY_MAX_CONNECTIONS: 0 (expected an integer 1..1000000)',
    );
    expect(() => resolveNodeConfig({}, { CHANCERY_MAX_CONNECTIONS_PER_ADDRESS: 'many' })).toThrow(
      'invalid CHANCERY_MAX_CONNECTIONS_PER_ADDRESS (0: no per-address cap): many (expected an integer 0..1000000)',
    );
  });
});

describe('ConnectionRefusalWarnings: an attack does not flood the operator’s log', () => {
  function capture() {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    });
    const events = new OperatorEvents();
    events.attach(pino({ level: 'info' }, sink));
    return { events, lines };
  }

  it('warns at the first refusal, then at most once per interval, counting what it stands for', async () => {
    const { events, lines } = capture();
    let now = 1_000_000;
    const warnings = new ConnectionRefusalWarnings(events, () => now, 60_000);
    warnings.refused('address_limit', '198.51.100.4');
    for (let i = 0; i < 999; i++) warnings.refused('address_limit', '198.51.100.4');
    now += 59_999;
    warnings.refused('node_limit', '198.51.100.5');
    now += 1;
    warnings.refused('node_limit', '198.51.100.6');
    await new Promise((r) => setImmediate(r));
    expect(lines.map(({ event, reason, address, refused }) => ({ event, reason, address, refused }))).toEqual(
      [
        { event: 'connections_refused', reason: 'address_limit', address: '198.51.100.4', refused: 1 },
        { event: 'connections_refused', reason: 'node_limit', address: '198.51.100.6', refused: 1001 },
      ],
    );
    expect(lines[1]!['msg']).toBe(
      '1001 connection(s) closed at accept since the last such warning; the latest from 198.51.100.6 by CHANCERY_MAX_CONNECTIONS',
    );
  });
});
