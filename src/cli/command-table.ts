import { type CommandSpec, DEFAULT_NODE_URL, usageLine } from './command-line/command-spec.js';

/**
 * Every command the CLI knows, with the one-line summary the root help shows.
 * Modules load on use, so `chancery status` does not pay for loading the server.
 */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  /** Loaded on use: `status` should not pay for loading the server. */
  load(): Promise<CommandSpec>;
}

const identity = async (name: string) =>
  pick((await import('./commands/identity.js')).identityCommands, name);
const certification = async (name: string) =>
  pick((await import('./commands/certification.js')).certificationCommands, name);

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'init',
    summary: 'create the data folder, keys and first log entry',
    load: async () => (await import('./commands/init.js')).initCommand,
  },
  {
    name: 'start',
    summary: 'run a node (the first start also runs init)',
    load: async () => (await import('./commands/start.js')).startCommand,
  },
  {
    name: 'rebuild',
    summary: "drop a node's derived state and rebuild it from the event store",
    load: async () => (await import('./commands/rebuild.js')).rebuildCommand,
  },
  {
    name: 'keygen',
    summary: 'make an Ed25519 key pair for a department',
    load: async () => (await import('./commands/keygen.js')).keygenCommand,
  },
  {
    name: 'identity register',
    summary: 'register a department (authority)',
    load: () => identity('identity register'),
  },
  {
    name: 'identity accredit',
    summary: 'accredit an issuer for record types (authority)',
    load: () => identity('identity accredit'),
  },
  {
    name: 'identity update-roles',
    summary: "add or remove a department's roles (authority)",
    load: () => identity('identity update-roles'),
  },
  {
    name: 'identity rotate-key',
    summary: "replace an identity's keys",
    load: () => identity('identity rotate-key'),
  },
  {
    name: 'identity revoke',
    summary: 'revoke an identity (authority)',
    load: () => identity('identity revoke'),
  },
  { name: 'identity show', summary: 'show an identity', load: () => identity('identity show') },
  {
    name: 'certify',
    summary: 'certify a file by its SHA-256 digest',
    load: async () => (await import('./commands/certification.js')).certifyCommand,
  },
  {
    name: 'certify-bulk',
    summary: 'certify every file of a folder or manifest in one signed batch',
    load: async () => (await import('./commands/certify-bulk/certify-bulk.js')).certifyBulkCommand,
  },
  {
    name: 'export-tiles',
    summary: 'write the log as static C2SP tlog-tiles files for a web server or CDN',
    load: async () => (await import('./commands/export-tiles.js')).exportTilesCommand,
  },
  {
    name: 'certification show',
    summary: 'show a certification and its history',
    load: () => certification('certification show'),
  },
  {
    name: 'certification suspend',
    summary: 'suspend a certification',
    load: () => certification('certification suspend'),
  },
  {
    name: 'certification reinstate',
    summary: 'reinstate a suspended certification',
    load: () => certification('certification reinstate'),
  },
  {
    name: 'certification revoke',
    summary: 'revoke a certification',
    load: () => certification('certification revoke'),
  },
  {
    name: 'verify',
    summary: 'verify a proof bundle offline against trusted log keys',
    load: async () => (await import('./commands/verify.js')).verifyCommand,
  },
  {
    name: 'directory publish',
    summary: 'publish a catalog entry (publisher role)',
    load: async () => (await import('./commands/directory/publish.js')).publishCommand,
  },
  {
    name: 'directory update',
    summary: "replace an entry's metadata (new metadata version)",
    load: async () => (await import('./commands/directory/update.js')).updateCommand,
  },
  {
    name: 'directory withdraw',
    summary: 'withdraw a catalog entry',
    load: async () => (await import('./commands/directory/withdraw.js')).withdrawCommand,
  },
  {
    name: 'directory describe-catalog',
    summary: 'describe the catalog as a whole: languages, licence, coverage (authority)',
    load: async () => (await import('./commands/directory/describe-catalog.js')).describeCatalogCommand,
  },
  {
    name: 'directory search',
    summary: 'search the catalog, with facet counts',
    load: async () => (await import('./commands/directory/search.js')).searchCommand,
  },
  {
    name: 'directory request',
    summary: 'ask for access to a dataset',
    load: async () => (await import('./commands/directory/request.js')).requestCommand,
  },
  {
    name: 'directory requests',
    summary: 'list the access requests on your entries (pending by default)',
    load: async () => (await import('./commands/directory/requests.js')).requestsCommand,
  },
  {
    name: 'directory grant',
    summary: 'grant an access request (publisher)',
    load: async () => (await import('./commands/directory/grant.js')).grantCommand,
  },
  {
    name: 'directory deny',
    summary: 'deny an access request (publisher)',
    load: async () => (await import('./commands/directory/deny.js')).denyCommand,
  },
  {
    name: 'directory revoke',
    summary: 'revoke a grant (publisher or authority)',
    load: async () => (await import('./commands/directory/revoke.js')).revokeCommand,
  },
  {
    name: 'directory upload',
    summary: 'upload a dataset version (.json or .ndjson), streamed',
    load: async () => (await import('./commands/directory/upload.js')).uploadCommand,
  },
  {
    name: 'directory fetch',
    summary: 'fetch a dataset version you may read',
    load: async () => (await import('./commands/directory/fetch.js')).fetchCommand,
  },
  {
    name: 'directory audit',
    summary: 'list who fetched your dataset',
    load: async () => (await import('./commands/directory/audit.js')).auditCommand,
  },
  {
    name: 'status',
    summary: "show the node's status",
    load: async () => (await import('./commands/status.js')).statusCommand,
  },
  {
    name: 'audit',
    summary: 'list authority actions from the log, with their proofs',
    load: async () => (await import('./commands/audit.js')).auditCommand,
  },
];

export const GROUPS = new Set(COMMANDS.filter((c) => c.name.includes(' ')).map((c) => c.name.split(' ')[0]!));

function pick(specs: readonly CommandSpec[], name: string): CommandSpec {
  const spec = specs.find((s) => s.name === name);
  if (spec === undefined) throw new Error(`command table out of step: no ${name}`);
  return spec;
}

export function rootHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: chancery <command> [options]',
    '',
    'Chancery: certify records by digest in a verifiable, append-only log.',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `options of the commands that talk to a node: --url URL (default ${DEFAULT_NODE_URL}, env CHANCERY_URL), --json`,
    "run 'chancery <command> --help' for a command's options; 'chancery --version' prints the version.",
    '',
  ].join('\n');
}

export async function groupHelp(group: string): Promise<string> {
  const specs = await Promise.all(
    COMMANDS.filter((c) => c.name.startsWith(`${group} `)).map((c) => c.load()),
  );
  return [
    `usage: chancery ${group} <${specs.map((s) => s.name.slice(group.length + 1)).join('|')}> ...`,
    '',
    ...specs.map((s) => `  ${usageLine(s)}`),
    '',
    `run 'chancery ${group} <subcommand> --help' for its options.`,
    '',
  ].join('\n');
}
