/**
 * The node's runtime notices (event feed lost, a witness failing, a mirror's
 * alert, start-up retries) as pino JSON lines on stdout beside the request
 * logs, each with a stable `event` name (docs/operations.md), instead of
 * plain text. The banner and the signal lines stay plain text on stderr.
 */

import { pino } from 'pino';

type Level = 'error' | 'warn' | 'info';

/** First match wins; the messages are the node's own, so their openings are stable. */
const EVENTS: readonly (readonly [RegExp, string, Level])[] = [
  [/^event feed lost/, 'event_feed_lost', 'warn'],
  [/^event feed reconnected/, 'event_feed_reconnected', 'info'],
  [/^witness /, 'witness_unreachable', 'warn'],
  [/^publishing cosignatures/, 'cosignature_publish_failed', 'warn'],
  [/^federation ALERT/, 'federation_evidence', 'warn'],
  [/^mirror ALERT/, 'mirror_halted', 'warn'],
  [/^mirror: upstream/, 'mirror_upstream_failover', 'warn'],
  [/^mirror: refused the trust policy/, 'mirror_policy_refused', 'warn'],
  [/^mirror: (adopted|follows the changed) trust policy/, 'mirror_policy_followed', 'info'],
  [/^start-up failed/, 'startup_failed', 'error'],
  [/^event store reached/, 'store_reached', 'info'],
];

export function noticeEventOf(line: string): { event: string; level: Level } {
  const match = EVENTS.find(([pattern]) => pattern.test(line));
  return match === undefined ? { event: 'node_notice', level: 'info' } : { event: match[1], level: match[2] };
}

export function jsonNotices(level: string): (line: string) => void {
  const logger = pino({ level });
  return (line) => {
    const { event, level: lineLevel } = noticeEventOf(line);
    logger[lineLevel]({ event }, line);
  };
}
