/**
 * Warnings for the operator as pino JSON lines, each with a stable `event`
 * name a log pipeline can match on (docs/operations.md lists them). The node's
 * parts are assembled before its logger exists, so events sent earlier wait
 * for it (bounded) rather than being lost or printed as plain text.
 */

import type { FastifyBaseLogger } from 'fastify';

export type OperatorEventName =
  | 'witness_unreachable'
  | 'witness_recovered'
  | 'quorum_lost'
  | 'quorum_restored'
  | 'mirror_halted'
  | 'mirror_policy_refused'
  | 'seal_slow'
  | 'store_unavailable'
  | 'store_recovered'
  | 'event_feed_lost'
  | 'log_halted'
  | 'checkpoint_stale'
  | 'federation_evidence'
  | 'connections_refused'
  | 'alert_resolved';

type Level = 'warn' | 'info';

interface Pending {
  readonly level: Level;
  readonly event: OperatorEventName;
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

const MAX_PENDING = 100;

export class OperatorEvents {
  private logger: FastifyBaseLogger | null = null;
  private readonly pending: Pending[] = [];

  attach(logger: FastifyBaseLogger): void {
    this.logger = logger;
    for (const p of this.pending.splice(0)) this.emit(p);
  }

  warn(event: OperatorEventName, fields: Record<string, unknown>, message: string): void {
    this.emit({ level: 'warn', event, fields, message });
  }

  info(event: OperatorEventName, fields: Record<string, unknown>, message: string): void {
    this.emit({ level: 'info', event, fields, message });
  }

  private emit(p: Pending): void {
    if (this.logger === null) {
      if (this.pending.length < MAX_PENDING) this.pending.push(p);
      return;
    }
    this.logger[p.level]({ event: p.event, ...p.fields }, p.message);
  }
}
