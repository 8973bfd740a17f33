import { existsSync } from 'node:fs';
import { formatVerifierKey, SIGNATURE_TYPE_ED25519 } from '../../domain/log/index.js';
import { type DataDir, initDataDir } from '../../node/data-dir.js';
import { type LogAuthority, settleAuthority } from '../../node/log-authority.js';
import { eventStoreConfigOf, resolveNodeConfig } from '../../node/node-config.js';
import { openEventStore } from '../../node/open-event-store.js';
import { readKeyFile } from '../../protocol/key-pair.js';
import { UsageError } from '../command-line/cli-errors.js';
import { type CommandArgs, type CommandSpec, DEFAULT_NODE_URL } from '../command-line/command-spec.js';
import { displayPath, fieldLines } from '../command-line/output.js';
import { nextSteps } from '../node-setup/next-steps.js';
import { STORE_OPTIONS } from '../node-setup/store-options.js';

/**
 * The log's C2SP verifier key: what `chancery verify --trust`, mirrors and witnesses pin. The log
 * signs with data/node.key unless CHANCERY_LOG_KEY_FILE names another key; null if that file is absent.
 */
function logVerifierKey(origin: string, logKeyFile: string): string | null {
  if (!existsSync(logKeyFile)) return null;
  return formatVerifierKey(origin, SIGNATURE_TYPE_ED25519, readKeyFile(logKeyFile).publicKey);
}

/** The node configuration from init's flags and environment; a bad value is a usage error. */
function initConfig(args: CommandArgs): ReturnType<typeof resolveNodeConfig> {
  try {
    return resolveNodeConfig(
      {
        dataDir: args.string('data'),
        origin: args.string('origin'),
        store: args.string('store'),
        esdbUrl: args.string('esdb-url'),
        pgUrl: args.string('pg-url'),
        pgSchema: args.string('pg-schema'),
      },
      args.env,
    );
  } catch (error) {
    throw new UsageError((error as Error).message, args.command);
  }
}

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
    ...STORE_OPTIONS,
  },
  details: `Running it again reuses the keys and changes nothing. 'chancery start' runs it on first start.
The authority key (DIR/authority.key, mode 0600) signs registrations and accreditations: keep it secret.
The authority's id and name come from CHANCERY_AUTHORITY_CODE and CHANCERY_AUTHORITY_NAME.
On a store that already holds a log (another node founded it) the node joins it: node.json names that
log's authority, and no authority key is kept here.`,
  async run(args) {
    const config = initConfig(args);
    const now = new Date();
    const init = initDataDir(config.dataDir, {
      origin: config.origin,
      authorityCode: config.authorityCode,
      authorityName: config.authorityName,
      now,
    });
    const store = await openEventStore(eventStoreConfigOf(config.store, init.layout.eventStoreFile));
    const lastBefore = await store.lastPosition().catch(async (error: unknown) => {
      await store.close();
      throw error;
    });
    let authority: LogAuthority;
    try {
      authority = await settleAuthority(store, init, now);
    } finally {
      await store.close();
    }

    const { layout } = init;
    const identity = { ...init.identity, authorityId: authority.id, authorityKeyId: authority.keyId };
    if (!authority.founded) return joinedResult(layout, identity, authority);
    const created = init.created || lastBefore === null;
    const requestedOrigin = args.string('origin');
    const logKey = logVerifierKey(identity.origin, config.logKeyFile);
    const text = [
      `${created ? 'initialised' : 'already initialised'} ${displayPath(layout.dir)} (origin ${identity.origin})`,
      ...fieldLines([
        ['authority', `${identity.authorityId} (${identity.authorityName})`],
        [
          'authority key',
          `${identity.authorityKeyId} in ${displayPath(layout.authorityKeyFile)} (mode 0600, keep it secret)`,
        ],
        ['node key', `${identity.nodeKeyId} in ${displayPath(layout.nodeKeyFile)}`],
        ['log key', logKey ?? `unknown: ${displayPath(config.logKeyFile)} is missing`],
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
        logVerifierKey: logKey,
      },
      text,
    };
  },
};

/** A node whose store already holds a log founded elsewhere: it names that log's authority and holds no key of it. */
function joinedResult(
  layout: DataDir,
  identity: { origin: string; authorityId: string; authorityKeyId: string; nodeKeyId: string },
  authority: LogAuthority,
) {
  return {
    json: {
      created: false,
      joined: true,
      dataDir: layout.dir,
      origin: identity.origin,
      authorityId: authority.id,
      authorityKeyId: authority.keyId,
      authorityKeyFile: null,
      nodeKeyId: identity.nodeKeyId,
      nodeKeyFile: layout.nodeKeyFile,
    },
    text: [
      `joined existing log in ${displayPath(layout.dir)} (origin ${identity.origin}); authority ${authority.id} (key ${authority.keyId})`,
      ...fieldLines([
        ['authority key', 'held by the node that founded the log, not here'],
        ['node key', `${identity.nodeKeyId} in ${displayPath(layout.nodeKeyFile)}`],
      ]),
      ...(authority.unusedKeyFile === null
        ? []
        : [
            `note: this folder's own authority key was never registered; moved to ${displayPath(authority.unusedKeyFile)}`,
          ]),
    ],
  };
}
