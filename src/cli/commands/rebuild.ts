import { existsSync } from 'node:fs';
import { encodeBase64 } from '../../domain/log/index.js';
import { startNode } from '../../node/chancery-node.js';
import { dataDirLayout } from '../../node/data-dir.js';
import { type NodeConfig, resolveNodeConfig } from '../../node/node-config.js';
import { CliError, UsageError } from '../command-line/cli-errors.js';
import type { CommandSpec } from '../command-line/command-spec.js';
import { displayPath, fieldLines } from '../command-line/output.js';
import { STORE_OPTIONS } from '../node-setup/store-options.js';

export const rebuildCommand: CommandSpec = {
  name: 'rebuild',
  summary:
    "Drop a node's derived state (read models, Merkle hashes, indexes) and rebuild it from the event store.",
  scope: 'local',
  options: {
    data: { type: 'string', value: 'DIR', description: 'data folder (default ./data, env CHANCERY_DATA)' },
    ...STORE_OPTIONS,
    'log-key': {
      type: 'string',
      value: 'FILE',
      description:
        'the log key, to verify the checkpoints replayed (default DATA/node.key, env CHANCERY_LOG_KEY_FILE)',
    },
  },
  details: `Stop the node first: the rebuild rewrites DATA/node.db, which a running node holds open.
The events are the truth; everything in node.db is derived from them and replayed in order, so the
rebuilt log has the same leaves, hashes and checkpoints. Nothing is written to the event store.`,
  async run(args) {
    let config: NodeConfig;
    try {
      config = resolveNodeConfig(
        {
          dataDir: args.string('data'),
          store: args.string('store'),
          esdbUrl: args.string('esdb-url'),
          pgUrl: args.string('pg-url'),
          pgSchema: args.string('pg-schema'),
          logKeyFile: args.string('log-key'),
        },
        args.env,
      );
    } catch (error) {
      throw new UsageError((error as Error).message, args.command);
    }
    const layout = dataDirLayout(config.dataDir);
    // Rebuilding a folder that never ran a node would only make keys for nothing.
    if (!existsSync(layout.identityFile)) {
      throw new CliError(`no node in ${displayPath(layout.dir)} (no node.json): nothing to rebuild`);
    }
    const started = Date.now();
    const node = await startNode(config, { rebuild: true, listen: false, logging: false });
    try {
      const log = node.sequencer;
      const checkpoint = log.latestCheckpoint();
      const summary = {
        dataDir: layout.dir,
        store: node.store.kind,
        position: node.projector.position?.toString() ?? null,
        logSize: log.sequencedSize(),
        checkpoint:
          checkpoint === null
            ? null
            : { treeSize: checkpoint.treeSize, rootHash: encodeBase64(checkpoint.rootHash) },
        milliseconds: Date.now() - started,
      };
      return {
        json: summary,
        text: [
          `rebuilt ${displayPath(layout.nodeDatabaseFile)} from the ${summary.store} store in ${summary.milliseconds} ms`,
          ...fieldLines([
            ['position', summary.position ?? 'none (the store is empty)'],
            ['log size', String(summary.logSize)],
            [
              'checkpoint',
              summary.checkpoint === null
                ? 'none yet'
                : `size ${summary.checkpoint.treeSize}, root ${summary.checkpoint.rootHash}`,
            ],
          ]),
        ],
      };
    } finally {
      await node.close();
    }
  },
};
