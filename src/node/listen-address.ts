import { isIP, isIPv6 } from 'node:net';

/** Where a listener binds: an address (or a host name) and a port, 0 for any free one. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** A host name a resolver would take: dot-separated labels of letters, digits and hyphens. */
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * Reads `HOST:PORT` (`127.0.0.1:9090`, `[::1]:9090`, `ops.node-1.internal:9090`, port 0 for any free one;
 * `localhost` is 127.0.0.1).
 * An IPv6 address must be in brackets: in `::1:9090` nothing says where the address ends. The
 * host is required: binding every interface is a choice to write down (`0.0.0.0:9090`, `[::]:9090`).
 * `name` is the setting's name (`CHANCERY_OPS_LISTEN`), for the error that names what is allowed.
 */
export function parseListenAddress(value: string, name: string): ListenAddress {
  const refuse = (why: string): Error =>
    new Error(
      `invalid ${name}: ${value} (${why}; expected HOST:PORT, e.g. 127.0.0.1:9090 or [::1]:9090, port 0..65535)`,
    );
  const bracketed = /^\[([^\]]*)\]:([^:]*)$/.exec(value);
  const plain = /^([^:[\]]*):([^:]*)$/.exec(value);
  const match = bracketed ?? plain;
  if (match === null) throw refuse(unreadable(value));
  const [, host = '', portText = ''] = match;
  if (bracketed !== null && !isIPv6(host)) throw refuse('only an IPv6 address goes in brackets');
  if (host === '') throw refuse('no host before the port');
  if (bracketed === null && isIP(host) === 0) {
    // 999.1.1.1 reads as a host name, and would fail only at listen, as a failed DNS look-up.
    if (/^[\d.]+$/.test(host)) throw refuse('not an IPv4 address');
    if (!HOST_NAME.test(host)) throw refuse('not a host name or address');
  }
  // Digits only: Number() would also take ' 9090', '0x2382' and '9e3'.
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw refuse('the port is not 0..65535');
  return { host: listenHost(host), port: Number(portText) };
}

/**
 * The host a listener binds: `localhost` is the IPv4 loopback only, for the public listener
 * (CHANCERY_HOST) and the operations one alike. Given `localhost`, Fastify binds two servers
 * (127.0.0.1 and ::1), and the connection caps and the send stall timeout, installed on its one
 * `app.server`, would guard the first only: a client connecting to ::1 would have none of them.
 * Every other host is bound as written.
 */
export function listenHost(host: string): string {
  return host.toLowerCase() === 'localhost' ? '127.0.0.1' : host;
}

/** Why a value is not HOST:PORT at all, in the words of the likeliest mistake. */
function unreadable(value: string): string {
  if (value.includes('/')) return 'an address to listen on, not a URL';
  if (value.startsWith('[')) return 'no :PORT after the bracketed IPv6 address';
  if (value.split(':').length > 2) return 'an IPv6 address goes in brackets';
  return 'no :PORT after the host';
}

/** The address as a URL's authority: an IPv6 address back in brackets. */
export function listenAuthority(address: ListenAddress): string {
  return `${isIPv6(address.host) ? `[${address.host}]` : address.host}:${address.port}`;
}

/** The operations listener could not bind its address; `code` is the system's (EADDRINUSE, …). */
export class OpsListenError extends Error {
  readonly code: string | undefined;

  constructor(
    readonly address: ListenAddress,
    cause: unknown,
  ) {
    super(
      `cannot listen on ${listenAuthority(address)} for the operations listener: ${(cause as Error).message}`,
      {
        cause,
      },
    );
    this.name = 'OpsListenError';
    this.code = (cause as { code?: string }).code;
  }
}
