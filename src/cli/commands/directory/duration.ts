import { UsageError } from '../../command-line/cli-errors.js';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** 30d, 12h, 90m, 2w, 45s → seconds. */
export function parseDuration(flag: string, value: string, command: string): number {
  const m = /^(\d{1,9})([smhdw])$/.exec(value.trim());
  if (m === null)
    throw new UsageError(`${flag} ${value}: expected a number and a unit, e.g. 30d, 12h, 90m`, command);
  return Number(m[1]) * UNITS[m[2]!]!;
}
