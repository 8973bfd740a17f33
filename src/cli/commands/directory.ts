import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { DirectoryClient } from '../../client/directory-client.js';
import { ChanceryProblemError, type Problem, type WriteResult } from '../../client/index.js';
import type { JsonValue } from '../../domain/shared/json.js';
import { isoSeconds } from '../../protocol/iso-seconds.js';
import { CliError, UsageError } from '../command-line/cli-errors.js';
import type { CommandArgs, CommandSpec, OptionSpec } from '../command-line/command-spec.js';
import { type CommandResult, fieldLines } from '../command-line/output.js';
import { describeFsError } from '../files/fs-errors.js';
import { loadPrivateKey } from '../files/key-files.js';
import { connectAs } from '../node-access/actor.js';
import { NodeConnection } from '../node-access/node-connection.js';
import { transferProgress } from '../progress/transfer-progress.js';

const AS: OptionSpec = {
  type: 'string',
  value: 'KEYFILE',
  required: true,
  description: 'private key file to sign with; the node says whose it is',
};

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** 30d, 12h, 90m, 2w, 45s → seconds. */
export function parseDuration(flag: string, value: string, command: string): number {
  const m = /^(\d{1,9})([smhdw])$/.exec(value.trim());
  if (m === null)
    throw new UsageError(`${flag} ${value}: expected a number and a unit, e.g. 30d, 12h, 90m`, command);
  return Number(m[1]) * UNITS[m[2]!]!;
}

const list = (args: CommandArgs, name: string) =>
  args
    .strings(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');

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

async function getJson<T>(node: NodeConnection, path: string): Promise<T> {
  return node.call(async () => {
    const res = await fetch(node.url + path, { headers: { accept: 'application/json' } });
    const body = (await res.json().catch(() => null)) as unknown;
    if (!res.ok) {
      if (body !== null && typeof body === 'object' && 'code' in body)
        throw new ChanceryProblemError(body as Problem);
      throw new CliError(`${node.url}${path} answered ${res.status}`);
    }
    return body as T;
  });
}

function written(result: WriteResult, line: string): CommandResult {
  return { json: result, text: [line + (result.replayed ? ' (already done: replayed)' : '')] };
}

const METADATA_OPTIONS: Record<string, OptionSpec> = {
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
function metadataFlags(args: CommandArgs): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  const put = (field: string, value: JsonValue | undefined) => {
    if (value !== undefined) out[field] = value;
  };
  put('title', args.string('title'));
  put('description', args.string('description'));
  if (args.strings('keyword').length > 0) put('keywords', list(args, 'keyword'));
  if (args.strings('theme').length > 0) put('themes', list(args, 'theme'));
  put('accessRights', args.string('access-rights'));
  put('license', args.string('license'));
  const schema = args.string('schema');
  if (schema !== undefined) put('conformsTo', readJsonFile(schema, 'schema'));
  if (args.strings('format').length > 0)
    put(
      'distributions',
      list(args, 'format').map((format) => ({ format })),
    );
  const contact = args.string('contact-name');
  const email = args.string('contact-email');
  if (contact !== undefined)
    put('contactPoint', { name: contact, ...(email === undefined ? {} : { email }) });
  put('updateFrequency', args.string('update-frequency'));
  return out;
}

const publishCommand: CommandSpec = {
  name: 'directory publish',
  summary: 'Publish a catalog entry (DCAT-AP dataset) with its record schema (publisher role).',
  scope: 'client',
  options: {
    as: AS,
    ...METADATA_OPTIONS,
    title: { ...METADATA_OPTIONS['title']!, required: true },
    description: { ...METADATA_OPTIONS['description']!, required: true },
    'access-rights': { ...METADATA_OPTIONS['access-rights']!, required: true },
    license: { ...METADATA_OPTIONS['license']!, required: true },
    schema: { ...METADATA_OPTIONS['schema']!, required: true },
  },
  details: `example:
  chancery directory publish --as transport.key --title 'Traffic counts' --description 'Hourly counts' \\
    --keyword traffic --theme TRAN --access-rights restricted --license CC-BY-4.0 --schema counts.schema.json`,
  async run(args) {
    const fields = metadataFlags(args);
    const node = await connectAs(new NodeConnection(args.url), args.required('as'));
    const result = await node.call((c) =>
      c.submit('/v1/directory/entries', c.sign('PublishCatalogEntry', fields)),
    );
    return written(result, `published ${result.entryId}`);
  },
};

const updateCommand: CommandSpec = {
  name: 'directory update',
  summary: "Replace an entry's metadata (a new metadata version); flags not given keep their current values.",
  scope: 'client',
  positionals: ['ENTRY'],
  options: { as: AS, ...METADATA_OPTIONS },
  async run(args) {
    const entryId = args.positional(0);
    const node = await connectAs(new NodeConnection(args.url), args.required('as'));
    const current = await getJson<Record<string, JsonValue>>(
      node,
      `/v1/directory/entries/${encodeURIComponent(entryId)}`,
    );
    const keep = [
      'title',
      'description',
      'keywords',
      'themes',
      'contactPoint',
      'license',
      'accessRights',
      'updateFrequency',
      'spatial',
      'temporal',
      'distributions',
      'conformsTo',
    ];
    const fields = {
      ...Object.fromEntries(keep.map((k) => [k, current[k] ?? null])),
      ...metadataFlags(args),
      entryId,
    };
    const result = await node.call((c) =>
      c.submit(
        `/v1/directory/entries/${encodeURIComponent(entryId)}/update`,
        c.sign('UpdateCatalogEntry', fields),
      ),
    );
    return written(result, `updated ${entryId}`);
  },
};

const withdrawCommand: CommandSpec = {
  name: 'directory withdraw',
  summary: 'Withdraw an entry: it leaves search and its data can no longer be fetched.',
  scope: 'client',
  positionals: ['ENTRY'],
  options: {
    as: AS,
    reason: { type: 'string', value: 'TEXT', required: true, description: 'why, kept in the log' },
  },
  async run(args) {
    const entryId = args.positional(0);
    const node = await connectAs(new NodeConnection(args.url), args.required('as'));
    const result = await node.call((c) =>
      c.submit(
        `/v1/directory/entries/${encodeURIComponent(entryId)}/withdraw`,
        c.sign('WithdrawCatalogEntry', { entryId, reason: args.required('reason') }),
      ),
    );
    return written(result, `withdrew ${entryId}`);
  },
};

interface SearchResult {
  count: number;
  results: {
    entryId: string;
    title: string;
    publisherId: string;
    accessRights: string;
    latestVersion: { version: number } | null;
  }[];
  facets: Record<string, { name: string; count: number }[]>;
  nextCursor: string | null;
}

const searchCommand: CommandSpec = {
  name: 'directory search',
  summary: 'Search the catalog (CKAN-style query) and show facet counts.',
  scope: 'client',
  optionalPositionals: ['QUERY'],
  options: {
    publisher: { type: 'string', value: 'ID', multiple: true, description: 'only this publisher' },
    theme: { type: 'string', value: 'T', multiple: true, description: 'only this theme' },
    'access-rights': { type: 'string', value: 'R', description: 'public, restricted or non-public' },
    license: { type: 'string', value: 'L', description: 'only this licence' },
    format: { type: 'string', value: 'F', description: 'only this distribution format' },
    sort: {
      type: 'string',
      value: 'S',
      description: "e.g. 'score desc', 'title_string asc', 'metadata_modified desc'",
    },
    rows: { type: 'string', value: 'N', description: 'results per page (default 20)' },
    start: { type: 'string', value: 'N', description: 'offset of the first result' },
  },
  details: `QUERY: words, "phrases", OR, -exclude, prefix*, field:value (title, tags, publisher, license, format…)
example:
  chancery directory search 'traffic -draft' --theme TRAN`,
  async run(args) {
    const params = new URLSearchParams();
    const q = args.positionals[0];
    if (q !== undefined) params.set('q', q);
    for (const p of args.strings('publisher')) params.append('publisher', p.toUpperCase());
    for (const th of args.strings('theme')) params.append('theme', th);
    for (const [flag, name] of [
      ['access-rights', 'accessRights'],
      ['license', 'license'],
      ['format', 'format'],
      ['sort', 'sort'],
      ['rows', 'rows'],
      ['start', 'start'],
    ] as const) {
      const value = args.string(flag);
      if (value !== undefined) params.set(name, value);
    }
    const node = new NodeConnection(args.url);
    const result = await getJson<SearchResult>(node, `/v1/directory/search?${params}`);
    const lines = [`${result.count} entr${result.count === 1 ? 'y' : 'ies'}`];
    for (const r of result.results) {
      lines.push(
        `  ${r.entryId}  ${r.title}  (${r.publisherId}, ${r.accessRights}${r.latestVersion === null ? '' : `, v${r.latestVersion.version}`})`,
      );
    }
    for (const [facet, values] of Object.entries(result.facets)) {
      if (values.length > 0)
        lines.push(`${facet}: ${values.map((v) => `${v.name} (${v.count})`).join(', ')}`);
    }
    return { json: result, text: lines };
  },
};

const requestCommand: CommandSpec = {
  name: 'directory request',
  summary: "Ask an entry's publisher for access, with a purpose and a duration.",
  scope: 'client',
  positionals: ['ENTRY'],
  options: {
    as: AS,
    purpose: {
      type: 'string',
      value: 'TEXT',
      required: true,
      description: 'why the data is needed (kept in the log)',
    },
    duration: { type: 'string', value: '30d', description: 'how long access is asked for (default 30d)' },
  },
  async run(args) {
    const entryId = args.positional(0);
    const durationSeconds = parseDuration('--duration', args.string('duration') ?? '30d', args.command);
    const node = await connectAs(new NodeConnection(args.url), args.required('as'));
    const result = await node.call((c) =>
      c.submit(
        `/v1/directory/entries/${encodeURIComponent(entryId)}/requests`,
        c.sign('RequestAccess', { entryId, purpose: args.required('purpose'), durationSeconds }),
      ),
    );
    return written(result, `requested access to ${entryId}: ${result.requestId}`);
  },
};

const grantCommand: CommandSpec = {
  name: 'directory grant',
  summary: 'Grant a pending request (the publisher), with an expiry and a scope.',
  scope: 'client',
  positionals: ['REQUEST'],
  options: {
    as: AS,
    'expires-in': { type: 'string', value: '7d', description: 'default: the full requested duration' },
    versions: {
      type: 'string',
      value: 'all|latest|1,2',
      description: 'which versions the grant covers (default all)',
    },
  },
  async run(args) {
    const requestId = args.positional(0);
    const versionsArg = args.string('versions') ?? 'all';
    const versions: JsonValue =
      versionsArg === 'all' || versionsArg === 'latest'
        ? versionsArg
        : versionsArg.split(',').map((v) => {
            const n = Number(v.trim());
            if (!Number.isInteger(n) || n < 1)
              throw new UsageError(`--versions ${versionsArg}: all, latest or numbers`, args.command);
            return n;
          });
    const node = await connectAs(new NodeConnection(args.url), args.required('as'));
    const now = Math.floor(Date.now() / 1000) * 1000;
    const expiresIn = args.string('expires-in');
    const seconds =
      expiresIn === undefined
        ? (
            await getJson<{ durationSeconds: number }>(
              node,
              `/v1/directory/requests/${encodeURIComponent(requestId)}`,
            )
          ).durationSeconds
        : parseDuration('--expires-in', expiresIn, args.command);
    const result = await node.call((c) =>
      c.submit(
        `/v1/directory/requests/${encodeURIComponent(requestId)}/grant`,
        c.sign(
          'GrantAccess',
          { requestId, scope: { versions }, expiresAt: isoSeconds(now + seconds * 1000) },
          { issuedAt: isoSeconds(now) },
        ),
      ),
    );
    return written(result, `granted ${result.grantId} until ${isoSeconds(now + seconds * 1000)}`);
  },
};

const denyCommand: CommandSpec = {
  name: 'directory deny',
  summary: 'Deny a pending request (the publisher).',
  scope: 'client',
  positionals: ['REQUEST'],
  options: { as: AS, reason: { type: 'string', value: 'TEXT', description: 'why (kept in the log)' } },
  async run(args) {
    const requestId = args.positional(0);
    const reason = args.string('reason');
    const node = await connectAs(new NodeConnection(args.url), args.required('as'));
    const result = await node.call((c) =>
      c.submit(
        `/v1/directory/requests/${encodeURIComponent(requestId)}/deny`,
        c.sign('DenyAccess', { requestId, ...(reason === undefined ? {} : { reason }) }),
      ),
    );
    return written(result, `denied ${requestId}`);
  },
};

const revokeCommand: CommandSpec = {
  name: 'directory revoke',
  summary: 'Revoke a grant (the publisher or the authority); fetches under it are refused from now on.',
  scope: 'client',
  positionals: ['GRANT'],
  options: {
    as: AS,
    reason: { type: 'string', value: 'TEXT', description: 'why (default: revoked by the owner)' },
  },
  async run(args) {
    const grantId = args.positional(0);
    const node = await connectAs(new NodeConnection(args.url), args.required('as'));
    const result = await node.call((c) =>
      c.submit(
        `/v1/directory/grants/${encodeURIComponent(grantId)}/revoke`,
        c.sign('RevokeGrant', { grantId, reason: args.string('reason') ?? 'revoked by the owner' }),
      ),
    );
    return written(result, `revoked ${grantId}`);
  },
};

function directoryClient(args: CommandArgs): DirectoryClient {
  return new DirectoryClient(args.url, loadPrivateKey(args.required('as')));
}

const uploadCommand: CommandSpec = {
  name: 'directory upload',
  summary: 'Upload FILE (.json array or .ndjson) as a new dataset version, streamed and RFC 9421-signed.',
  scope: 'client',
  positionals: ['ENTRY', 'FILE'],
  options: { as: AS },
  details: `Every record is checked against the entry's schema; if any fails, nothing is stored and
the first errors are listed with their record index and JSON pointer.`,
  async run(args) {
    const entryId = args.positional(0);
    const file = args.positional(1);
    const ext = extname(file).toLowerCase();
    const mediaType =
      ext === '.json'
        ? 'application/json'
        : ext === '.ndjson' || ext === '.jsonl'
          ? 'application/x-ndjson'
          : null;
    if (mediaType === null)
      throw new UsageError(`${file}: name a .json (array) or .ndjson file`, args.command);
    const client = directoryClient(args);
    const hashing = transferProgress('hashing  ');
    const sending = transferProgress('uploading');
    const node = new NodeConnection(args.url);
    const result = await node
      .call(() =>
        client.upload(entryId, file, mediaType, {
          hashing: (d, t) => hashing.update(d, t),
          sending: (d, t) => {
            hashing.done();
            sending.update(d, t);
          },
        }),
      )
      .finally(() => sending.done());
    return {
      json: result,
      text: [
        `${result.replayed ? 'already the latest version' : 'published'} ${entryId} version ${result.version}`,
        ...fieldLines([
          ['records', String(result.recordCount)],
          ['bytes', String(result.byteCount)],
          ['sha256', result.digest],
          ['schema sha256', result.schemaDigest],
        ]),
      ],
    };
  },
};

const fetchCommand: CommandSpec = {
  name: 'directory fetch',
  summary: 'Fetch a dataset version to a file, signed (RFC 9421); the fetch is recorded in the log.',
  scope: 'client',
  positionals: ['ENTRY'],
  options: {
    as: AS,
    out: { type: 'string', value: 'FILE', required: true, description: 'where to write the data' },
    version: { type: 'string', value: 'V', description: 'version number (default: latest)' },
    grant: {
      type: 'string',
      value: 'GRANT',
      description: 'which of your grants to use (default: the node picks)',
    },
  },
  async run(args) {
    const entryId = args.positional(0);
    const out = args.required('out');
    const bar = transferProgress('downloading');
    const result = await new NodeConnection(args.url)
      .call(() =>
        directoryClient(args).fetch(
          entryId,
          args.string('version') ?? 'latest',
          out,
          args.string('grant'),
          (d, t) => bar.update(d, t),
        ),
      )
      .finally(() => bar.done());
    return {
      json: { entryId, out, ...result },
      text: [
        `fetched ${entryId} version ${result.version} → ${out} (${result.byteCount} bytes, sha256 ${result.digest})`,
      ],
    };
  },
};

interface AuditPage {
  entryId: string;
  items: { version: number; consumerId: string; grantId: string | null; fetchedAt: string }[];
  nextCursor: string | null;
}

const auditCommand: CommandSpec = {
  name: 'directory audit',
  summary: 'List who fetched which version of your entry, and when.',
  scope: 'client',
  positionals: ['ENTRY'],
  options: { as: AS },
  async run(args) {
    const entryId = args.positional(0);
    const client = directoryClient(args);
    const node = new NodeConnection(args.url);
    const items: AuditPage['items'] = [];
    let cursor: string | null = null;
    do {
      const page: AuditPage = await node.call(() =>
        client.getSigned<AuditPage>(
          `/v1/directory/entries/${encodeURIComponent(entryId)}/audit?limit=500${cursor === null ? '' : `&cursor=${cursor}`}`,
        ),
      );
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return {
      json: { entryId, items },
      text: [
        `${items.length} fetch${items.length === 1 ? '' : 'es'} of ${entryId}`,
        ...items.map(
          (i) => `  ${i.fetchedAt}  ${i.consumerId}  version ${i.version}  ${i.grantId ?? '(no grant)'}`,
        ),
      ],
    };
  },
};

export const directoryCommands: readonly CommandSpec[] = [
  publishCommand,
  updateCommand,
  withdrawCommand,
  searchCommand,
  requestCommand,
  grantCommand,
  denyCommand,
  revokeCommand,
  uploadCommand,
  fetchCommand,
  auditCommand,
];
