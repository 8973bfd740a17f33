/**
 * CHANCERY_OPS_LISTEN / --ops-listen: the operations listener's HOST:PORT. An operator's typo must
 * stop the node at start with the setting's name and what is allowed, never bind somewhere else
 * (a bare IPv6 address read as host and port, a number read as a host name) or clash with the
 * public listener at listen time.
 */
import { describe, expect, it } from 'vitest';
import { listenAuthority, parseListenAddress } from '../../../src/node/listen-address.js';
import { resolveNodeConfig } from '../../../src/node/node-config.js';

const ALLOWED = 'expected HOST:PORT, e.g. 127.0.0.1:9090 or [::1]:9090, port 0..65535';

describe('parseListenAddress', () => {
  it.each([
    ['127.0.0.1:9090', { host: '127.0.0.1', port: 9090 }],
    ['0.0.0.0:9090', { host: '0.0.0.0', port: 9090 }],
    ['[::1]:9090', { host: '::1', port: 9090 }],
    ['[::]:0', { host: '::', port: 0 }],
    ['[2001:db8::7]:65535', { host: '2001:db8::7', port: 65535 }],
    ['ops.node-1.example:9090', { host: 'ops.node-1.example', port: 9090 }],
    // One address, as CHANCERY_HOST=localhost: Fastify would bind ::1 too, outside the listener's cap.
    ['localhost:9090', { host: '127.0.0.1', port: 9090 }],
    ['LocalHost:0', { host: '127.0.0.1', port: 0 }],
  ])('reads %s', (value, address) => {
    expect(parseListenAddress(value, 'CHANCERY_OPS_LISTEN')).toEqual(address);
  });

  it.each([
    ['9090', 'no :PORT after the host'],
    ['127.0.0.1', 'no :PORT after the host'],
    ['::1:9090', 'an IPv6 address goes in brackets'],
    ['[::1]', 'no :PORT after the bracketed IPv6 address'],
    ['[127.0.0.1]:9090', 'only an IPv6 address goes in brackets'],
    ['[::1]9090', 'no :PORT after the bracketed IPv6 address'],
    [':9090', 'no host before the port'],
    ['127.0.0.1:', 'the port is not 0..65535'],
    ['127.0.0.1:65536', 'the port is not 0..65535'],
    ['127.0.0.1:-1', 'the port is not 0..65535'],
    ['127.0.0.1:0x2382', 'the port is not 0..65535'],
    ['127.0.0.1: 9090', 'the port is not 0..65535'],
    ['127.0.0.1:9e3', 'the port is not 0..65535'],
    ['999.1.1.1:9090', 'not an IPv4 address'],
    ['10.0.0:9090', 'not an IPv4 address'],
    ['bad_host:9090', 'not a host name or address'],
    ['localhost:', 'the port is not 0..65535'],
    ['-ops:9090', 'not a host name or address'],
    ['http://127.0.0.1:9090', 'an address to listen on, not a URL'],
  ])('refuses %s: %s', (value, why) => {
    expect(() => parseListenAddress(value, 'CHANCERY_OPS_LISTEN')).toThrow(
      new Error(`invalid CHANCERY_OPS_LISTEN: ${value} (${why}; ${ALLOWED})`),
    );
  });

  it('writes an IPv6 address back in brackets for a URL', () => {
    expect(listenAuthority({ host: '::1', port: 9090 })).toBe('[::1]:9090');
    expect(listenAuthority({ host: '127.0.0.1', port: 9090 })).toBe('127.0.0.1:9090');
  });
});

describe('the operations listener in the node configuration', () => {
  it('is off by default, and an empty value is unset', () => {
    expect(resolveNodeConfig({}, {}).opsListen).toBeNull();
    expect(resolveNodeConfig({}, { CHANCERY_OPS_LISTEN: '' }).opsListen).toBeNull();
  });

  it('comes from the environment, and the flag wins over it', () => {
    expect(resolveNodeConfig({}, { CHANCERY_OPS_LISTEN: '[::1]:9090' }).opsListen).toEqual({
      host: '::1',
      port: 9090,
    });
    expect(
      resolveNodeConfig({ opsListen: '127.0.0.1:9091' }, { CHANCERY_OPS_LISTEN: 'nonsense' }).opsListen,
    ).toEqual({ host: '127.0.0.1', port: 9091 });
  });

  it('names the flag when the flag gave the bad value, the variable otherwise', () => {
    expect(() => resolveNodeConfig({ opsListen: '9090' }, {})).toThrow(
      new Error(`invalid --ops-listen: 9090 (no :PORT after the host; ${ALLOWED})`),
    );
    expect(() => resolveNodeConfig({}, { CHANCERY_OPS_LISTEN: '9090' })).toThrow(
      new Error(`invalid CHANCERY_OPS_LISTEN: 9090 (no :PORT after the host; ${ALLOWED})`),
    );
  });

  it("refuses the public listener's port, on any host; port 0 on both is two free ports", () => {
    expect(() => resolveNodeConfig({ port: '8080' }, { CHANCERY_OPS_LISTEN: '10.0.0.5:8080' })).toThrow(
      new Error(
        "invalid CHANCERY_OPS_LISTEN: 10.0.0.5:8080 (the public listener's port is 8080; expected another port)",
      ),
    );
    expect(() => resolveNodeConfig({}, { CHANCERY_OPS_LISTEN: '127.0.0.1:8080' })).toThrow(
      "the public listener's port is 8080",
    );
    expect(resolveNodeConfig({ port: '0' }, { CHANCERY_OPS_LISTEN: '127.0.0.1:0' }).opsListen).toEqual({
      host: '127.0.0.1',
      port: 0,
    });
  });
});
