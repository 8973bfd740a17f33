import { maskPassword } from '../../infrastructure/eventstore/connection-string.js';
import { startNode } from '../../infrastructure/node/chancery-node.js';
import { type NodeConfig, resolveNodeConfig } from '../../infrastructure/node/node-config.js';
import { PACKAGE_VERSION } from '../../infrastructure/node/package-version.js';
import { CliError, UsageError } from '../cli-errors.js';
import type { CommandSpec } from '../command-spec.js';
import { nextSteps } from '../next-steps.js';
import { displayPath, fieldLines } from '../output.js';
import { STORE_OPTIONS } from '../store-options.js';

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
    ...STORE_OPTIONS,
    'log-key': {
      type: 'string',
      value: 'FILE',
      description:
        'private key that signs checkpoints, the same on every node of a log (default DATA/node.key, env CHANCERY_LOG_KEY_FILE)',
    },
  },
  details: `The banner goes to stderr, starting with a line 'chancery VERSION listening on URL';
request logs are JSON lines on stdout (level from CHANCERY_LOG_LEVEL, default info).
Other settings: CHANCERY_ORIGIN, CHANCERY_PUBLIC_URL (base of proof URLs), CHANCERY_MAX_SKEW_SECONDS.
If the event store cannot be reached, the node says so in one line, answers 503 NOT_READY and retries
until it can. A node starting on a store that already holds a log joins it (its authority is the log's).
SIGINT or SIGTERM closes the node and exits 0.`,
  async run(args) {
    let config: NodeConfig;
    try {
      config = resolveNodeConfig(
        {
          dataDir: args.string('data'),
          port: args.string('port'),
          host: args.string('host'),
          store: args.string('store'),
          esdbUrl: args.string('esdb-url'),
          logKeyFile: args.string('log-key'),
        },
        args.env,
      );
    } catch (error) {
      throw new UsageError((error as Error).message, args.command);
    }

    let node: Awaited<ReturnType<typeof startNode>>;
    try {
      node = await startNode(config, { notice: (line) => process.stderr.write(`${line}\n`) });
    } catch (error) {
      throw listenFailure(error, config) ?? error;
    }

    const clientUrl = node.url.replace(/^(https?:\/\/)(0\.0\.0\.0|\[::\])(?=[:/]|$)/, '$1127.0.0.1');
    const { identity, layout, created } = node.init;
    const authority = node.authority();
    const lines = [
      `chancery ${PACKAGE_VERSION} listening on ${node.url}`,
      ...fieldLines([
        ['data dir', displayPath(layout.dir)],
        ['origin', identity.origin],
        [
          'store',
          config.store.kind === 'sqlite'
            ? `sqlite ${displayPath(layout.eventStoreFile)}`
            : `eventstoredb ${maskPassword(config.store.url)}`,
        ],
        ['log key', `${node.sequencer.verifierKey} (${displayPath(config.logKeyFile)})`],
        [
          'authority',
          authority === null
            ? 'not known yet: the event store has not answered'
            : authority.founded
              ? `${authority.id}, key ${authority.keyId} in ${displayPath(layout.authorityKeyFile)}` +
                ` (${created ? 'created, ' : ''}mode 0600: keep it secret)`
              : `joined existing log; authority ${authority.id} (key ${authority.keyId}), its key is not on this node`,
        ],
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
    // Store unreachable: the one line that says so, after the banner; the node is not ready and retries.
    const problem = node.startupProblem();
    if (problem !== null) lines.push(`${problem}; not ready, retrying in the background`);
    process.stderr.write(lines.join('\n') + '\n');

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
    return undefined;
  },
};

/** A taken or forbidden port is an operator's everyday mistake: say so in one line, no stack. */
function listenFailure(error: unknown, config: NodeConfig): CliError | null {
  const code = (error as { code?: unknown }).code;
  const where = `${config.host}:${config.port}`;
  if (code === 'EADDRINUSE')
    return new CliError(
      `cannot listen on ${where}: the port is in use (is a node already running? try --port)`,
    );
  if (code === 'EACCES')
    return new CliError(`cannot listen on ${where}: permission denied (try a port above 1023)`);
  if (code === 'EADDRNOTAVAIL')
    return new CliError(`cannot listen on ${where}: no such local address (check --host)`);
  return null;
}
