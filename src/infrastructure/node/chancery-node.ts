import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app.js';
import { CommandService } from '../../api/commands/command-service.js';
import { ensureGenesis } from '../../api/commands/genesis.js';
import { createDirectory } from '../../api/directory/directory-module.js';
import type { NodeStatus } from '../../api/routes/node-routes.js';
import { type EventStoreConfig, openEventStore } from '../eventstore/open-event-store.js';
import type { EventStore } from '../eventstore/port.js';
import { CertificationReadModel } from '../projections/certification-read-model.js';
import { CommandIndex } from '../projections/command-index.js';
import { IdentityRegistry } from '../projections/identity-registry.js';
import { type NodeDatabase, openNodeDatabase } from '../projections/node-database.js';
import { Projector } from '../projections/projector.js';
import { CheckpointSealer } from '../sequencer/checkpoint-sealer.js';
import { ed25519CheckpointSigner } from '../sequencer/checkpoint-signer.js';
import type { LogReader } from '../sequencer/log-reader.js';
import { Sequencer } from '../sequencer/sequencer.js';
import { type InitResult, initDataDir } from './data-dir.js';
import type { NodeConfig } from './node-config.js';
import { PACKAGE_VERSION } from './package-version.js';

export interface RunningNode {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly init: InitResult;
  readonly store: EventStore;
  readonly projector: Projector;
  readonly db: NodeDatabase;
  /** The Merkle log: entries, proofs and signed checkpoints. */
  readonly log: LogReader;
  readonly sequencer: Sequencer;
  readonly sealer: CheckpointSealer;
  close(): Promise<void>;
}

export interface StartOptions {
  /** false silences request logs (tests); otherwise pino JSON at config.logLevel. */
  readonly logging?: boolean;
  readonly clock?: () => number;
  /** Overrides the store (default: sqlite in the data folder). */
  readonly store?: EventStoreConfig;
  /** Build the app without listening on a socket (tests use app.inject). */
  readonly listen?: boolean;
  /** How long `?wait=sealed` writes wait for a checkpoint before SEAL_TIMEOUT (default 10 s). */
  readonly sealWaitMs?: number;
}

/**
 * The composition root: open the store and the node's own database, replay the
 * feed into the read models, register the authority on first start, and serve.
 */
export async function startNode(config: NodeConfig, options: StartOptions = {}): Promise<RunningNode> {
  const clock = options.clock ?? Date.now;
  const init = initDataDir(config.dataDir, {
    origin: config.origin,
    authorityCode: config.authorityCode,
    authorityName: config.authorityName,
    now: new Date(clock()),
  });
  const store = await openEventStore(options.store ?? { kind: 'sqlite', path: init.layout.eventStoreFile });
  const db = openNodeDatabase(init.layout.nodeDatabaseFile);
  const registry = new IdentityRegistry(db);
  const certifications = new CertificationReadModel(db);
  const commands = new CommandIndex(db);
  const directory = createDirectory({
    db,
    store,
    dataDir: init.layout.dir,
    clock,
    maxSkewMs: config.maxSkewSeconds * 1000,
  });
  // The node key signs checkpoints under the origin's name (node:crypto inside KeyPair.sign).
  const checkpointSigner = ed25519CheckpointSigner(
    init.identity.origin,
    init.nodeKey.publicKey,
    init.nodeKey.sign,
  );
  const sequencer = new Sequencer(db, init.identity.origin, checkpointSigner.verifierKey);
  // The sequencer goes first: if a checkpoint diverges it throws before any read model applied the event.
  const projector = new Projector(store, db, [
    sequencer,
    registry,
    certifications,
    commands,
    ...directory.projections,
  ]);
  const sealer = new CheckpointSealer({
    store,
    sequencer,
    signer: checkpointSigner,
    sealIntervalMs: config.sealIntervalMs,
    maxLeavesPerSeal: config.sealMaxLeaves,
  });

  await ensureGenesis(
    store,
    { identityId: init.identity.authorityId, name: init.identity.authorityName, keyPair: init.authorityKey },
    new Date(clock()),
  );
  projector.start();
  const last = await store.lastPosition();
  if (last !== null) await projector.waitFor(last, 10 * 60_000);
  sealer.start();

  const links = { publicUrl: config.publicUrl };
  const commandService = new CommandService({
    store,
    registry,
    commands,
    projector,
    clock,
    maxSkewMs: config.maxSkewSeconds * 1000,
    links,
    log: sequencer,
    ...(options.sealWaitMs === undefined ? {} : { sealWaitMs: options.sealWaitMs }),
    directory: directory.planning,
  });

  const status = async (): Promise<NodeStatus> => {
    const lastPosition = await store.lastPosition();
    const projected = projector.position;
    return {
      name: 'chancery',
      version: PACKAGE_VERSION,
      origin: init.identity.origin,
      store: store.kind,
      authorityId: init.identity.authorityId,
      lastPosition: lastPosition === null ? null : lastPosition.toString(),
      projectedPosition: projected === null ? null : projected.toString(),
      identities: registry.size(),
      certifications: certifications.count(),
      ready: projector.error === null,
      logVerifierKey: sequencer.verifierKey,
    };
  };

  const app = await buildApp({
    commands: commandService,
    registry,
    certifications,
    log: sequencer,
    links,
    version: PACKAGE_VERSION,
    directory: directory.routes({
      commands: commandService,
      projector,
      registry,
      links,
      catalog: { publisherId: init.identity.authorityId, title: `${init.identity.origin} data directory` },
      log: sequencer,
    }),
    logger:
      options.logging === false
        ? false
        : {
            level: config.logLevel,
            // Envelopes carry signatures, never private keys; headers are redacted anyway in case a proxy adds secrets.
            redact: ['req.headers.authorization', 'req.headers.cookie'],
          },
    node: {
      status,
      notReadyReason: async () => {
        if (projector.error !== null) return `read models stopped: ${projector.error.message}`;
        if (sealer.divergence !== null) return `log sealing halted: ${sealer.divergence.message}`;
        try {
          await store.lastPosition();
        } catch (error) {
          return `event store unreachable: ${(error as Error).message}`;
        }
        return null;
      },
    },
  });

  let url = links.publicUrl;
  if (options.listen !== false) {
    url = await app.listen({ host: config.host, port: config.port });
    // Port 0 asks the OS for a free port; proof URLs must name the one it gave.
    if (config.port === 0 && !config.publicUrlExplicit) links.publicUrl = url;
    app.log.info(
      { url, origin: sequencer.origin, logVerifierKey: sequencer.verifierKey },
      `chancery node listening; log verifier key ${sequencer.verifierKey}`,
    );
  }

  let closed = false;
  return {
    app,
    url,
    init,
    store,
    projector,
    db,
    log: sequencer,
    sequencer,
    sealer,
    async close() {
      if (closed) return;
      closed = true;
      await sealer.stop();
      // Requests waiting for a seal get a 503 now instead of holding app.close() until they time out.
      sequencer.close();
      await app.close();
      await projector.stop();
      await store.close();
      db.close();
    },
  };
}
