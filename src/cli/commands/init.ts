import { ensureGenesis } from '../../api/commands/genesis.js';
import { openEventStore } from '../../infrastructure/eventstore/open-event-store.js';
import { initDataDir } from '../../infrastructure/node/data-dir.js';
import { resolveNodeConfig } from '../../infrastructure/node/node-config.js';
import { UsageError } from '../cli-errors.js';
import { type CommandSpec, DEFAULT_NODE_URL } from '../command-spec.js';
import { nextSteps } from '../next-steps.js';
import { displayPath, fieldLines } from '../output.js';

export const initCommand: CommandSpec = {
  name: 'init',
  summary: "Create a node's data folder: its key, the root authority's key and the first log entry.",
  scope: 'local',
  options: {
    data: { type: 'string', value: 'DIR', description: 'data folder (default ./data, env CHANCERY_DATA)' },
    origin: {
      type: 'string',
      value: 'NAME',
      description:
        'log origin, e.g. shanxi.gov.example/chancery (default localhost/chancery, env CHANCERY_ORIGIN)',
    },
  },
  details: `Running it again reuses the keys and changes nothing. 'chancery start' runs it on first start.
The authority key (DIR/authority.key, mode 0600) signs registrations and accreditations: keep it secret.
The authority's id and name come from CHANCERY_AUTHORITY_CODE and CHANCERY_AUTHORITY_NAME.`,
  async run(args) {
    let config: ReturnType<typeof resolveNodeConfig>;
    try {
      config = resolveNodeConfig({ dataDir: args.string('data'), origin: args.string('origin') }, args.env);
    } catch (error) {
      throw new UsageError((error as Error).message, args.command);
    }
    const now = new Date();
    const init = initDataDir(config.dataDir, {
      origin: config.origin,
      authorityCode: config.authorityCode,
      authorityName: config.authorityName,
      now,
    });
    const store = await openEventStore({ kind: 'sqlite', path: init.layout.eventStoreFile });
    let genesis: boolean;
    try {
      genesis = await ensureGenesis(
        store,
        {
          identityId: init.identity.authorityId,
          name: init.identity.authorityName,
          keyPair: init.authorityKey,
        },
        now,
      );
    } finally {
      await store.close();
    }

    const { identity, layout } = init;
    const created = init.created || genesis;
    const requestedOrigin = args.string('origin');
    const text = [
      `${created ? 'initialised' : 'already initialised'} ${displayPath(layout.dir)} (origin ${identity.origin})`,
      ...fieldLines([
        ['authority', `${identity.authorityId} (${identity.authorityName})`],
        [
          'authority key',
          `${identity.authorityKeyId} in ${displayPath(layout.authorityKeyFile)} (mode 0600, keep it secret)`,
        ],
        ['node key', `${identity.nodeKeyId} in ${displayPath(layout.nodeKeyFile)}`],
      ]),
    ];
    if (requestedOrigin !== undefined && requestedOrigin !== identity.origin) {
      text.push(
        `note: --origin ${requestedOrigin} ignored: this data folder's log origin is ${identity.origin}`,
      );
    }
    text.push(
      ...nextSteps({
        dataDir: layout.dir,
        authorityKeyFile: layout.authorityKeyFile,
        url: DEFAULT_NODE_URL,
        start: true,
      }),
    );
    return {
      json: {
        created,
        dataDir: layout.dir,
        origin: identity.origin,
        authorityId: identity.authorityId,
        authorityKeyId: identity.authorityKeyId,
        authorityKeyFile: layout.authorityKeyFile,
        nodeKeyId: identity.nodeKeyId,
        nodeKeyFile: layout.nodeKeyFile,
      },
      text,
    };
  },
};
