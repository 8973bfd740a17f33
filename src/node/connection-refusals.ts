import type { ConnectionRefusal } from '../api/hardening/connection-limits.js';
import type { OperatorEvents } from './operator-events.js';

/** At most one warning per this long: an attack refuses thousands of connections a second. */
export const REFUSAL_WARNING_INTERVAL_MS = 60_000;

/** Why a connection was closed at accept: one of the public listener's caps, or the operations listener's own. */
export type RefusalReason = ConnectionRefusal | 'ops_limit';

const SETTING: Record<RefusalReason, string> = {
  node_limit: 'CHANCERY_MAX_CONNECTIONS',
  address_limit: 'CHANCERY_MAX_CONNECTIONS_PER_ADDRESS',
  // Fixed, so the hint is where it listens: only the load balancer and Prometheus should reach it.
  ops_limit:
    "the operations listener's own cap (bind CHANCERY_OPS_LISTEN where only probes and scrapes reach it)",
};

/**
 * Tells the operator that connections are being refused: the first refusal at once, then at most
 * one line a minute, counting the refusals it stands for. The metric
 * chancery_http_connections_refused_total (chancery_ops_connections_refused_total for the
 * operations listener, which has an instance of its own) counts every one.
 */
export class ConnectionRefusalWarnings {
  private lastWarnedAt = Number.NEGATIVE_INFINITY;
  private unreported = 0;

  constructor(
    private readonly events: OperatorEvents,
    private readonly clock: () => number,
    private readonly intervalMs = REFUSAL_WARNING_INTERVAL_MS,
  ) {}

  refused(reason: RefusalReason, address: string): void {
    this.unreported++;
    const now = this.clock();
    if (now - this.lastWarnedAt < this.intervalMs) return;
    const refused = this.unreported;
    this.lastWarnedAt = now;
    this.unreported = 0;
    this.events.warn(
      'connections_refused',
      { reason, address, refused },
      `${refused} connection(s) closed at accept since the last such warning; the latest from ${address || 'an unknown address'} ` +
        `by ${SETTING[reason]}`,
    );
  }
}
