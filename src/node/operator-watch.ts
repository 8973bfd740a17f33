/**
 * Turns the alerts open on a node into operator warnings as they open and
 * close: one pino JSON line per change, with a stable `event` name, so a dead
 * witness is reported once when it stops answering and once when it is back,
 * not as a stream of retries.
 */

import type { OpenAlert, OperationsStatus } from '../protocol/operations-status.js';
import type { OperatorEventName, OperatorEvents } from './operator-events.js';

const EVENT_OF: Record<OpenAlert['kind'], OperatorEventName> = {
  'quorum-lost': 'quorum_lost',
  'witness-down': 'witness_unreachable',
  'mirror-halted': 'mirror_halted',
  'policy-refused': 'mirror_policy_refused',
  'store-unavailable': 'store_unavailable',
  'event-feed-lost': 'event_feed_lost',
  'log-halted': 'log_halted',
  'checkpoint-stale': 'checkpoint_stale',
  'split-view': 'federation_evidence',
  inconsistent: 'federation_evidence',
  'federation-evidence': 'federation_evidence',
};

export const WATCH_INTERVAL_MS = 1000;

export interface OperatorWatch {
  stop(): void;
}

export function startOperatorWatch(
  operations: () => Promise<OperationsStatus>,
  events: OperatorEvents,
  intervalMs = WATCH_INTERVAL_MS,
): OperatorWatch {
  let open = new Map<string, OpenAlert>();
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const now = new Map((await operations()).alerts.map((a) => [a.id, a]));
      for (const [id, a] of now)
        if (!open.has(id))
          events.warn(
            EVENT_OF[a.kind],
            alertFields(a),
            `${a.kind}${a.subject === null ? '' : ` ${a.subject}`}: ${a.detail}`,
          );
      for (const [id, a] of open)
        if (!now.has(id))
          events.info(
            'alert_resolved',
            alertFields(a),
            `resolved: ${a.kind}${a.subject === null ? '' : ` ${a.subject}`}`,
          );
      open = now;
    } catch {
      // The next tick tries again; a failing probe shows up as an alert of its own.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

function alertFields(a: OpenAlert): Record<string, unknown> {
  return {
    alert: a.id,
    kind: a.kind,
    severity: a.severity,
    ...(a.subject === null ? {} : { subject: a.subject }),
  };
}
