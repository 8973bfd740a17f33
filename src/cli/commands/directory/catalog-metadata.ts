import { readFileSync } from 'node:fs';
import type { JsonObject, JsonValue } from '../../../domain/shared/json.js';
import { CliError, UsageError } from '../../command-line/cli-errors.js';
import type { CommandArgs, OptionSpec } from '../../command-line/command-spec.js';
import { describeFsError } from '../../files/fs-errors.js';
import {
  COVERAGE_OPTIONS,
  frequencyFlag,
  httpUrl,
  languagesFlag,
  spatialFlags,
  temporalFlags,
} from './coverage-flags.js';

/** The DCAT-AP fields of a catalog entry as flags, shared by publish (some required) and update. */
export const METADATA_OPTIONS: Record<string, OptionSpec> = {
  title: { type: 'string', value: 'T', description: 'dct:title' },
  description: { type: 'string', value: 'D', description: 'dct:description' },
  keyword: { type: 'string', value: 'K', multiple: true, description: 'dcat:keyword (or a comma list)' },
  theme: {
    type: 'string',
    value: 'T',
    multiple: true,
    description: 'dcat:theme: an EU data-theme code (TRAN, HEAL…), a URI or a label',
  },
  'access-rights': { type: 'string', value: 'public|restricted|non-public', description: 'dct:accessRights' },
  license: { type: 'string', value: 'L', description: 'licence URI or SPDX id, e.g. CC-BY-4.0' },
  schema: {
    type: 'string',
    value: 'SCHEMA.json',
    description: 'JSON Schema (2020-12) of the records (dct:conformsTo)',
  },
  format: {
    type: 'string',
    value: 'F',
    multiple: true,
    description: 'distribution formats, e.g. CSV, NDJSON',
  },
  'contact-name': { type: 'string', value: 'NAME', description: 'dcat:contactPoint name' },
  'contact-email': { type: 'string', value: 'EMAIL', description: 'dcat:contactPoint email' },
  'contact-url': { type: 'string', value: 'URL', description: 'dcat:contactPoint web page or form' },
  'update-frequency': {
    type: 'string',
    value: 'F',
    description: 'daily, weekly, monthly, annual, irregular…',
  },
  ...COVERAGE_OPTIONS,
  'temporal-start': {
    type: 'string',
    value: 'DATE',
    description: 'dct:temporal: first day covered (YYYY-MM-DD)',
  },
  'temporal-end': {
    type: 'string',
    value: 'DATE',
    description: 'dct:temporal: last day covered (YYYY-MM-DD)',
  },
};

const asObject = (value: JsonValue | undefined): JsonObject =>
  value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value) ? value : {};

/** The contact flags over `current`; a contact point needs a name, given now or before. */
function contactFlags(
  args: CommandArgs,
  current: JsonValue | undefined,
  needName: boolean,
): JsonObject | undefined {
  const name = args.string('contact-name');
  const email = args.string('contact-email');
  const url = args.string('contact-url');
  if (name === undefined && email === undefined && url === undefined) return undefined;
  const merged = {
    ...asObject(current),
    ...(name === undefined ? {} : { name }),
    ...(email === undefined ? {} : { email }),
    ...(url === undefined ? {} : { url: httpUrl('--contact-url', url, args.command) }),
  };
  if (needName && typeof merged['name'] !== 'string')
    throw new UsageError('--contact-email and --contact-url need --contact-name', args.command);
  return merged;
}

/**
 * Metadata fields from the flags given; absent flags are left out (update
 * keeps the current values). Contact, spatial and temporal flags change only
 * their part of `current` (the entry's current metadata, on update).
 */
export function metadataFlags(
  args: CommandArgs,
  current: JsonObject = {},
  /** False only to check the flags before the current metadata is known (update). */
  complete = true,
): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  const put = (field: string, value: JsonValue | undefined) => {
    if (value !== undefined) out[field] = value;
  };
  put('title', args.string('title'));
  put('description', args.string('description'));
  if (args.strings('keyword').length > 0) put('keywords', args.list('keyword'));
  if (args.strings('theme').length > 0) put('themes', args.list('theme'));
  put('accessRights', args.string('access-rights'));
  put('license', args.string('license'));
  if (args.strings('format').length > 0)
    put(
      'distributions',
      args.list('format').map((format) => ({ format })),
    );
  put('contactPoint', contactFlags(args, current['contactPoint'], complete));
  put('updateFrequency', frequencyFlag(args));
  put('languages', languagesFlag(args));
  put('spatial', spatialFlags(args, current['spatial']));
  put('temporal', temporalFlags(args, current['temporal']));
  // Last: every flag is checked before a file is read.
  const schema = args.string('schema');
  if (schema !== undefined && complete) put('conformsTo', readJsonFile(schema, 'schema'));
  return out;
}

function readJsonFile(path: string, what: string): JsonValue {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${what} ${path}: ${describeFsError(error)}`);
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new CliError(`${what} ${path} is not JSON: ${(error as Error).message}`);
  }
}
