import { OPS_CONNECTION_LIMITS } from '../../api/ops-app.js';
import { describeQuorum } from '../../domain/federation/index.js';
import { maskPassword } from '../../infrastructure/eventstore/eventstoredb/connection-string.js';
import {
  DEFAULT_SCHEMA,
  maskPostgresPassword,
} from '../../infrastructure/eventstore/postgres/connection-string.js';
import { type RunningNode, startNode } from '../../node/chancery-node.js';
import { listenAuthority, OpsListenError } from '../../node/listen-address.js';
import type { LogAuthority } from '../../node/log-authority.js';
import { type NodeConfig, resolveNodeConfig } from '../../node/node-config.js';
import { PACKAGE_VERSION } from '../../node/package-version.js';
import { CliError, UsageError } from '../command-line/cli-errors.js';
import type { CommandArgs, CommandSpec } from '../command-line/command-spec.js';
import { displayPath, fieldLines } from '../command-line/output.js';
import { nextSteps } from '../node-setup/next-steps.js';
import { STORE_OPTIONS } from '../node-setup/store-options.js';
import { jsonNotices } from './start-notices.js';

export const startCommand: CommandSpec = {
  name: 'start',
  summary: 'Run a node. The first start also runs init: it creates the keys and the first log entry.',
  scope: 'server',
  options: {
    data: { type: 'string', value: 'DIR', description: 'data folder (default ./data, env CHANCERY_DATA)' },
    port: {
      type: 'string',
      value: 'N',
      description: 'port to listen on, 0 for any free one (default 8080, env CHANCERY_PORT)',
    },
    host: {
      type: 'string',
      value: 'ADDR',
      description: 'address to bind (default 127.0.0.1, env CHANCERY_HOST)',
    },
    'ops-listen': {
      type: 'string',
      value: 'HOST:PORT',
      description:
        'also serve /health/live, /health/ready and /metrics here, apart from the public connection caps, e.g. 127.0.0.1:9090 or [::1]:9090 (default off, env CHANCERY_OPS_LISTEN)',
    },
    ...STORE_OPTIONS,
    'log-key': {
      type: 'string',
      value: 'FILE',
      description:
        'private key that signs checkpoints, the same on every node of a log (default DATA/node.key, env CHANCERY_LOG_KEY_FILE)',
    },
    role: {
      type: 'string',
      value: 'ROLE',
      description:
        'primary (writes and seals the log, the default) or mirror (verified replica and witness; env CHANCERY_ROLE)',
    },
    upstream: {
      type: 'string',
      multiple: true,
      value: 'URL',
      description:
        'mirror: a node to pull the log from; repeat to fail over between several (env CHANCERY_UPSTREAM)',
    },
    trust: {
      type: 'string',
      value: 'VKEY',
      description: "mirror: the log's verifier key, the replica's trust anchor (env CHANCERY_TRUST)",
    },
    'mirror-sync': {
      type: 'string',
      value: 'HOW',
      description:
        'mirror: tiles (C2SP tlog-tiles, the default) or entries (/v1/log/entries, for upstreams older than tiles; env CHANCERY_MIRROR_SYNC)',
    },
    policy: {
      type: 'string',
      value: 'FILE',
      description: 'C2SP tlog-policy file: witnesses (with URLs) and the quorum (env CHANCERY_POLICY_FILE)',
    },
    witness: {
      type: 'string',
      multiple: true,
      value: 'URL=VKEY',
      description:
        'primary: a witness to ask for cosignatures, instead of a policy file (env CHANCERY_WITNESSES)',
    },
    'witness-quorum': {
      type: 'string',
      value: 'N',
      description: 'how many --witness cosignatures make a checkpoint final (default a majority)',
    },
    'witness-name': {
      type: 'string',
      value: 'NAME',
      description:
        "mirror: this witness's key name (default derived from DATA/witness.key; env CHANCERY_WITNESS_NAME)",
    },
  },
  details: `The banner goes to stderr, starting with a line 'chancery VERSION listening on URL';
request logs, warnings and notices are JSON lines on stdout (level from CHANCERY_LOG_LEVEL, default info),
each warning with a stable "event" name (docs/operations.md).
Other settings: CHANCERY_ORIGIN, CHANCERY_PUBLIC_URL (base of proof URLs), CHANCERY_MAX_SKEW_SECONDS.
If the event store cannot be reached, the node says so in one line, answers 503 NOT_READY and retries
until it can. A node starting on a store that already holds a log joins it (its authority is the log's).
A mirror (--role mirror --upstream URL --trust VKEY) keeps a replica it re-verifies entry by entry,
serves the same reads and proofs, refuses writes, and witnesses (POST /add-checkpoint) with the key in
DATA/witness.key; see docs/federation.md.
SIGINT or SIGTERM closes the node and exits 0.`,
  async run(args) {
    const config = nodeConfigOf(args);
    let node: RunningNode;
    try {
      node = await startNode(config, { notice: jsonNotices(config.logLevel) });
    } catch (error) {
      throw listenFailure(error, config) ?? error;
    }
    const lines = bannerLines(node, config);
    // Store unreachable: the one line that says so, after the banner; the node is not ready and retries.
    const problem = node.startupProblem();
    if (problem !== null) lines.push(`${problem}; not ready, retrying in the background`);
    process.stderr.write(lines.join('\n') + '\n');
    closeOnSignals(node);
    return undefined;
  },
};

/** Flags over environment over defaults; a bad value is a usage mistake. */
function nodeConfigOf(args: CommandArgs): NodeConfig {
  try {
    return resolveNodeConfig(
      {
        dataDir: args.string('data'),
        port: args.string('port'),
        host: args.string('host'),
        ...optional('opsListen', args.string('ops-listen')),
        store: args.string('store'),
        esdbUrl: args.string('esdb-url'),
        pgUrl: args.string('pg-url'),
        pgSchema: args.string('pg-schema'),
        logKeyFile: args.string('log-key'),
        federation: {
          ...optional('role', args.string('role')),
          upstream: args.strings('upstream'),
          ...optional('trust', args.string('trust')),
          ...optional('mirrorSync', args.string('mirror-sync')),
          ...optional('policyFile', args.string('policy')),
          witness: args.strings('witness'),
          ...optional('witnessQuorum', args.string('witness-quorum')),
          ...optional('witnessName', args.string('witness-name')),
        },
      },
      args.env,
    );
  } catch (error) {
    throw new UsageError((error as Error).message, args.command);
  }
}

/** Where the events live; connection strings with their passwords masked. */
function storeLine(config: NodeConfig, eventStoreFile: string): string {
  const store = config.store;
  switch (store.kind) {
    case 'sqlite':
      return `sqlite ${displayPath(eventStoreFile)}`;
    case 'postgres':
      return `postgres ${maskPostgresPassword(store.url)} (schema ${store.schema ?? DEFAULT_SCHEMA})`;
    default:
      return `eventstoredb ${maskPassword(store.url)}`;
  }
}

/** The banner on stderr: 'chancery VERSION listening on URL', then what the node runs with. */
function bannerLines(node: RunningNode, config: NodeConfig): string[] {
  const clientUrl = node.url.replace(/^(https?:\/\/)(0\.0\.0\.0|\[::\])(?=[:/]|$)/, '$1127.0.0.1');
  const { identity, layout } = node.init;
  // Read once: it turns up when a late store answers, and the authority line and next steps must agree.
  const authority = node.authority();
  return [
    `chancery ${PACKAGE_VERSION} listening on ${node.url}`,
    ...fieldLines([
      ['data dir', displayPath(layout.dir)],
      ['origin', identity.origin],
      ['store', storeLine(config, layout.eventStoreFile)],
      [
        'log key',
        config.federation.role === 'mirror'
          ? `${node.sequencer.verifierKey} (trusted; this mirror signs nothing under it)`
          : `${node.sequencer.verifierKey} (${displayPath(config.logKeyFile)})`,
      ],
      ['role', roleLine(node, config)],
      ...(node.federation.witness === null
        ? []
        : ([['witness key', node.federation.witness.identity.vkey]] as [string, string][])),
      ['authority', authorityLine(authority, node, config)],
      ['threadpool', threadpoolLine(process.env)],
      ['connections', connectionsLine(config)],
      ...(node.opsUrl === null ? [] : ([['operations', opsLine(node.opsUrl)]] as [string, string][])),
      ['API docs', `${clientUrl}/docs`],
    ]),
    ...(authority?.founded === true
      ? nextSteps({
          dataDir: layout.dir,
          authorityKeyFile: layout.authorityKeyFile,
          url: clientUrl,
          start: false,
        })
      : []),
    ...(authority?.unusedKeyFile
      ? [
          `note: this folder's authority key was never registered in this log; moved to ${displayPath(authority.unusedKeyFile)}`,
        ]
      : []),
  ];
}

/**
 * libuv's threadpool, where the node verifies signatures: bin/chancery.cjs sizes it for `chancery start`
 * by the cores unless the environment did. Shown because it is fixed for the process's life and
 * matters on small machines (docs/operations.md).
 */
export function threadpoolLine(env: NodeJS.ProcessEnv): string {
  const size = env['UV_THREADPOOL_SIZE'] ?? '';
  return size === '' ? "4 threads (libuv's default)" : `UV_THREADPOOL_SIZE=${size}`;
}

/** The connection caps: a node behind a proxy sees one address, and its operator should know the cap it hits. */
function connectionsLine(config: NodeConfig): string {
  const { maxConnections, maxConnectionsPerAddress } = config.connections;
  const perAddress =
    maxConnectionsPerAddress === 0
      ? 'no per-address cap'
      : `${maxConnectionsPerAddress} per client address (CHANCERY_MAX_CONNECTIONS_PER_ADDRESS; 0 behind a proxy)`;
  return `${maxConnections} open at most (CHANCERY_MAX_CONNECTIONS), ${perAddress}`;
}

/** Where probes and scrapes go when the public listener is full (docs/operations.md). */
function opsLine(opsUrl: string): string {
  return `${opsUrl} (/health/live, /health/ready, /metrics; ${OPS_CONNECTION_LIMITS.maxConnections} open at most, apart from CHANCERY_MAX_CONNECTIONS)`;
}

/** Who the log's authority is, and where its key is when this node founded the log. */
function authorityLine(authority: LogAuthority | null, node: RunningNode, config: NodeConfig): string {
  const { layout, created } = node.init;
  if (authority === null)
    return config.federation.role === 'mirror'
      ? "not known yet: the mirror has not replayed the log's first entry"
      : 'not known yet: the event store has not answered';
  return authority.founded
    ? `${authority.id}, key ${authority.keyId} in ${displayPath(layout.authorityKeyFile)}` +
        ` (${created ? 'created, ' : ''}mode 0600: keep it secret)`
    : `joined existing log; authority ${authority.id} (key ${authority.keyId}), its key is not on this node`;
}

/** SIGINT or SIGTERM closes the node and exits 0; the node owns the process from here on. */
function closeOnSignals(node: RunningNode): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // A second signal while closing means "now": do not make the operator wait.
    if (stopping) process.exit(1);
    stopping = true;
    process.stderr.write(`${signal}: closing the node\n`);
    node.close().then(
      () => {
        process.stderr.write('stopped\n');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`error while closing: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

function roleLine(node: RunningNode, config: NodeConfig): string {
  const policy = node.federation.policy;
  if (config.federation.role === 'mirror') return `mirror of ${config.federation.upstreams.join(', ')}`;
  const witnesses = policy?.witnesses.length ?? 0;
  return witnesses === 0
    ? 'primary, no witnesses (checkpoints are final when sealed)'
    : `primary, ${witnesses} witness${witnesses === 1 ? '' : 'es'}, quorum: ${policy === null ? '' : describeQuorum(policy)}`;
}

/** A taken or forbidden port is an operator's everyday mistake: say so in one line, no stack. */
function listenFailure(error: unknown, config: NodeConfig): CliError | null {
  if (error instanceof OpsListenError) {
    const setting = '--ops-listen or CHANCERY_OPS_LISTEN';
    return listenFailureLine(error.code, `${listenAuthority(error.address)} for the operations listener`, {
      inUse: `choose another port with ${setting}`,
      host: `check the host of ${setting}`,
    });
  }
  return listenFailureLine((error as { code?: unknown }).code, `${config.host}:${config.port}`, {
    inUse: 'is a node already running? try --port',
    host: 'check --host',
  });
}

function listenFailureLine(
  code: unknown,
  where: string,
  hints: { readonly inUse: string; readonly host: string },
): CliError | null {
  if (code === 'EADDRINUSE')
    return new CliError(`cannot listen on ${where}: the port is in use (${hints.inUse})`);
  if (code === 'EACCES')
    return new CliError(`cannot listen on ${where}: permission denied (try a port above 1023)`);
  if (code === 'EADDRNOTAVAIL')
    return new CliError(`cannot listen on ${where}: no such local address (${hints.host})`);
  return null;
}
