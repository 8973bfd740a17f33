import { readFileSync } from 'node:fs';
import type { JsonValue } from '../../../domain/shared/json.js';
import { CliError } from '../../command-line/cli-errors.js';
import type { CommandArgs, OptionSpec } from '../../command-line/command-spec.js';
import { describeFsError } from '../../files/fs-errors.js';

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
  'update-frequency': {
    type: 'string',
    value: 'F',
    description: 'daily, weekly, monthly, annual, irregular…',
  },
};

/** Metadata fields from the flags given; absent flags are left out (update keeps the current values). */
export function metadataFlags(args: CommandArgs): Record<string, JsonValue> {
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
  const schema = args.string('schema');
  if (schema !== undefined) put('conformsTo', readJsonFile(schema, 'schema'));
  if (args.strings('format').length > 0)
    put(
      'distributions',
      args.list('format').map((format) => ({ format })),
    );
  const contact = args.string('contact-name');
  const email = args.string('contact-email');
  if (contact !== undefined)
    put('contactPoint', { name: contact, ...(email === undefined ? {} : { email }) });
  put('updateFrequency', args.string('update-frequency'));
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
