import { isoSeconds } from '../../protocol/iso-seconds.js';
import { UsageError } from './cli-errors.js';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})[Tt ]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/**
 * A validity bound from the command line: YYYY-MM-DD means midnight UTC of
 * that day, anything else must be a full RFC 3339 time with an offset.
 */
export function parseTimeArg(flag: string, value: string, command: string): string {
  const trimmed = value.trim();
  if (DATE.test(trimmed)) {
    if (!isCalendarDate(trimmed)) throw invalid(flag, value, command);
    return `${trimmed}T00:00:00Z`;
  }
  const match = DATE_TIME.exec(trimmed);
  if (match === null || !isCalendarDate(match[1]!)) throw invalid(flag, value, command);
  return trimmed.replace(/^(.{10})[t ]/, '$1T').replace(/z$/, 'Z');
}

/** A calendar date from the command line (temporal coverage): YYYY-MM-DD, checked to exist. */
export function parseDateArg(flag: string, value: string, command: string): string {
  const trimmed = value.trim();
  if (DATE.test(trimmed) && isCalendarDate(trimmed)) return trimmed;
  throw new UsageError(`${flag} ${value}: expected a date, YYYY-MM-DD (2025-01-31)`, command);
}

/** Now in whole seconds, as the signed payloads carry it. */
export function nowSeconds(): string {
  return isoSeconds();
}

/** Date.parse rolls 2025-02-30 over to March; compare the parts instead. */
function isCalendarDate(date: string): boolean {
  const [, y, m, d] = DATE.exec(date) ?? [];
  const parsed = new Date(`${date}T00:00:00Z`);
  return (
    !Number.isNaN(parsed.getTime()) &&
    parsed.getUTCFullYear() === Number(y) &&
    parsed.getUTCMonth() + 1 === Number(m) &&
    parsed.getUTCDate() === Number(d)
  );
}

function invalid(flag: string, value: string, command: string): UsageError {
  return new UsageError(
    `${flag} ${value}: expected a date (2025-01-31) or an RFC 3339 time (2025-01-31T09:00:00Z)`,
    command,
  );
}
