import { UPDATE_FREQUENCIES } from '../../../domain/directory/catalog-metadata.js';
import { EU_LANGUAGE_CODES } from '../../../domain/directory/eu-languages.js';
import type { JsonObject, JsonValue } from '../../../domain/shared/json.js';
import { UsageError } from '../../command-line/cli-errors.js';
import type { CommandArgs, OptionSpec } from '../../command-line/command-spec.js';
import { parseDateArg } from '../../command-line/dates.js';

/**
 * The DCAT-AP coverage flags entries and the catalog share: languages,
 * spatial coverage (a place URI, a label, a bounding box). Each value is
 * checked here, so a mistake is a usage error (exit 2) that names the flag,
 * the value and what is allowed, before anything is signed.
 */
export const COVERAGE_OPTIONS: Record<string, OptionSpec> = {
  language: {
    type: 'string',
    value: 'CODE',
    multiple: true,
    description: 'dct:language, an EU language code (ENG, FRA, DEU, ZHO…; or a comma list)',
  },
  spatial: {
    type: 'string',
    value: 'URI',
    description: 'dct:spatial place, e.g. https://sws.geonames.org/1808520/ or an EU country URI',
  },
  'spatial-label': { type: 'string', value: 'TEXT', description: 'name of the covered area' },
  bbox: {
    type: 'string',
    value: 'W,S,E,N',
    description: 'covered area as a WGS 84 bounding box in degrees: west,south,east,north',
  },
};

export function httpUrl(flag: string, value: string, command: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} ${value}: not a URL (expected e.g. https://example.org/…)`, command);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`${flag} ${value}: only http and https URLs are allowed`, command);
  return value;
}

export function languagesFlag(args: CommandArgs): string[] | undefined {
  if (args.strings('language').length === 0) return undefined;
  const codes = args.list('language').map((c) => c.toUpperCase());
  const unknown = codes.filter((c) => !EU_LANGUAGE_CODES.has(c));
  if (unknown.length > 0) {
    throw new UsageError(
      `--language ${unknown.join(',')}: not an EU language code this node accepts; allowed: ${[...EU_LANGUAGE_CODES].join(', ')}`,
      args.command,
    );
  }
  return [...new Set(codes)];
}

function bboxFlag(value: string, command: string): number[] {
  const parts = value.split(',').map((p) => p.trim());
  const numbers = parts.map(Number);
  const [w, s, e, n] = numbers as [number, number, number, number];
  const bad =
    parts.length !== 4 ||
    parts.some((p) => p === '') ||
    numbers.some((x) => !Number.isFinite(x)) ||
    [w, e].some((x) => x < -180 || x > 180) ||
    [s, n].some((y) => y < -90 || y > 90) ||
    s > n;
  if (bad) {
    throw new UsageError(
      `--bbox ${value}: expected west,south,east,north in degrees (longitudes -180..180, latitudes -90..90, south ≤ north), e.g. 110.35,31.38,116.65,36.37`,
      command,
    );
  }
  return numbers;
}

/** The spatial flags given, over `current` (update keeps what is not given); undefined when none is. */
export function spatialFlags(args: CommandArgs, current?: JsonValue): JsonObject | undefined {
  const uri = args.string('spatial');
  const label = args.string('spatial-label');
  const bbox = args.string('bbox');
  if (uri === undefined && label === undefined && bbox === undefined) return undefined;
  const base = current !== null && typeof current === 'object' && !Array.isArray(current) ? current : {};
  return {
    ...base,
    ...(uri === undefined ? {} : { uri: httpUrl('--spatial', uri, args.command) }),
    ...(label === undefined ? {} : { label }),
    ...(bbox === undefined ? {} : { bbox: bboxFlag(bbox, args.command) }),
  };
}

/** --temporal-start/--temporal-end over `current`; the end may not come before the start. */
export function temporalFlags(args: CommandArgs, current?: JsonValue): JsonObject | undefined {
  const start = args.string('temporal-start');
  const end = args.string('temporal-end');
  if (start === undefined && end === undefined) return undefined;
  const base = current !== null && typeof current === 'object' && !Array.isArray(current) ? current : {};
  const merged: Record<string, JsonValue> = {
    ...base,
    ...(start === undefined ? {} : { start: parseDateArg('--temporal-start', start, args.command) }),
    ...(end === undefined ? {} : { end: parseDateArg('--temporal-end', end, args.command) }),
  };
  if (
    typeof merged['start'] === 'string' &&
    typeof merged['end'] === 'string' &&
    merged['end'] < merged['start']
  )
    throw new UsageError(
      `--temporal-end ${merged['end']} is before the start ${merged['start']}`,
      args.command,
    );
  return merged;
}

export function frequencyFlag(args: CommandArgs): string | undefined {
  const value = args.string('update-frequency');
  if (value === undefined || (UPDATE_FREQUENCIES as readonly string[]).includes(value)) return value;
  throw new UsageError(
    `--update-frequency ${value}: expected one of ${UPDATE_FREQUENCIES.join(', ')}`,
    args.command,
  );
}
