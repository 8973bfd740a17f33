import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { isIPv6 } from 'node:net';
import { CountsByKey } from './counts-by-key.js';

export interface ConnectionLimits {
  /**
   * Connections open at once, all clients together (Node's `server.maxConnections`): past it a new
   * connection is closed as soon as it is accepted. It keeps file descriptors for the node's own
   * files (the stores, dataset blobs, witnesses) however many connections clients open.
   */
  readonly maxConnections: number;
  /**
   * Connections open at once from one client address (an IPv6 client counts by its /64, which one
   * subscriber usually holds whole); 0 for no such cap (a node behind a proxy sees one address).
   */
  readonly maxConnectionsPerAddress: number;
}

/**
 * Without a connection cap, idle connections were bounded only by the file-descriptor limit: one
 * client that opened them faster than the headers timeout closed them left the node unable to open
 * a file. 256 per address matches the in-flight cap: a client with more connections than that
 * cannot have more requests served at once anyway.
 */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 4096,
  maxConnectionsPerAddress: 256,
};

/** Why a connection was closed at accept: the node's cap, or its address's. */
export type ConnectionRefusal = 'node_limit' | 'address_limit';

export interface ConnectionCounts {
  /** Connections open now, as counted at accept and close. */
  open(): number;
}

/** One client's share of the per-address cap: its IPv4 address, or its IPv6 address's /64. */
export function clientAddressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const zoneless = address.split('%')[0]!;
  const [head = '', tail] = zoneless.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups =
    tail === undefined ? headGroups : [...headGroups, ...Array(missing).fill('0'), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * Caps the connections a server keeps open, overall and per client address. A refused connection is
 * closed at once, before any byte of it is read, and reported to `onRefused` (metrics, the operator's
 * log). Browsers and HTTP client pools open a handful of connections per host; a client that opens
 * hundreds is either a load generator or an attack.
 */
export function installConnectionLimits(
  server: Server,
  limits: ConnectionLimits,
  onRefused: (reason: ConnectionRefusal, address: string) => void = () => {},
): ConnectionCounts {
  checkLimits(limits);
  server.maxConnections = limits.maxConnections;
  // Named as the per-address cap names it: an IPv4 address, or an IPv6 client's /64.
  server.on('drop', (data?: { remoteAddress?: string }) =>
    onRefused('node_limit', data?.remoteAddress === undefined ? '' : clientAddressKey(data.remoteAddress)),
  );
  const perAddress = new CountsByKey();
  let open = 0;
  server.on('connection', (socket: Socket) => {
    // A socket already closed by its peer has no address; nothing is counted for it.
    const address = socket.remoteAddress;
    if (address === undefined) return;
    const key = clientAddressKey(address);
    if (limits.maxConnectionsPerAddress > 0 && perAddress.held(key) >= limits.maxConnectionsPerAddress) {
      socket.destroy();
      onRefused('address_limit', key);
      return;
    }
    const release = perAddress.add(key);
    open++;
    socket.once('close', () => {
      open--;
      release();
    });
  });
  return { open: () => open };
}

function checkLimits(limits: ConnectionLimits): void {
  if (!Number.isSafeInteger(limits.maxConnections) || limits.maxConnections < 1) {
    throw new RangeError(`maxConnections must be a positive integer, got ${limits.maxConnections}`);
  }
  if (!Number.isSafeInteger(limits.maxConnectionsPerAddress) || limits.maxConnectionsPerAddress < 0) {
    throw new RangeError(
      `maxConnectionsPerAddress must be a non-negative integer (0: no cap), got ${limits.maxConnectionsPerAddress}`,
    );
  }
}
