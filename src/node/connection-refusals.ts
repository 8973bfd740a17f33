import type { ConnectionRefusal } from '../api/hardening/connection-limits.js';
import type { OperatorEvents } from './operator-events.js';

/** At most one warning per this long: an attack refuses thousands of connections a second. */
export const REFUSAL_WARNING_INTERVAL_MS = 60_000;

const SETTING: Record<ConnectionRefusal, string> = {
  node_limit: 'CHANCERY_MAX_CONNECTIONS',
  address_limit: 'CHANCERY_MAX_CONNECTIONS_PER_ADDRESS',
};

/**
 * Tells the operator that connections are being refused: the first refusal at once, then at most
 * one line a minute, counting the refusals it stands for. The metric
 * chancery_http_connections_refused_total counts every one.
 */
export class ConnectionRefusalWarnings {
  private lastWarnedAt = Number.NEGATIVE_INFINITY;
  private unreported = 0;

  constructor(
    private readonly events: OperatorEvents,
    private readonly clock: () => number,
    private readonly intervalMs = REFUSAL_WARNING_INTERVAL_MS,
  ) {}

  refused(reason: ConnectionRefusal, address: string): void {
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
