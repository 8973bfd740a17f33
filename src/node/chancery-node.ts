import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app.js';
import type { NodeStatus } from '../api/routes/node-routes.js';
import { CommandService } from '../application/commands/command-service.js';
import { createDirectory } from '../application/directory/directory-module.js';
import { ProblemError } from '../application/problems/problem.js';
import { withProofBundle } from '../application/proofs/sealed-proof-bundle.js';
import { type EventStore, StoreUnavailableError } from '../infrastructure/eventstore/port.js';
import { CertificationReadModel } from '../infrastructure/projections/certification-read-model.js';
import { CommandIndex } from '../infrastructure/projections/command-index.js';
import { IdentityRegistry } from '../infrastructure/projections/identity-registry.js';
import { type NodeDatabase, openNodeDatabase } from '../infrastructure/projections/node-database.js';
import { Projector } from '../infrastructure/projections/projector.js';
import { CheckpointSealer } from '../infrastructure/sequencer/checkpoint-sealer.js';
import { ed25519CheckpointSigner } from '../infrastructure/sequencer/checkpoint-signer.js';
import type { LogReader } from '../infrastructure/sequencer/log-reader.js';
import { Sequencer } from '../infrastructure/sequencer/sequencer.js';
import { type KeyPair, readKeyFile } from '../protocol/key-pair.js';
import { type InitResult, initDataDir } from './data-dir.js';
import { Federation } from './federation.js';
import { type LogAuthority, settleAuthority } from './log-authority.js';
import { eventStoreConfigOf, type NodeConfig } from './node-config.js';
import { type EventStoreConfig, openEventStore } from './open-event-store.js';
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
  /** Witnessing, finality, mirroring, alerts and metrics (docs/federation.md). */
  readonly federation: Federation;
  /**
   * Resolves once the node has reached its store, settled who the authority is and caught up: at once
   * when it could at start, later when the store was unreachable then (the node retries meanwhile).
   * Rejects on a failure retrying cannot cure (the node then stays not ready), or when the node is
   * closed before it got there.
   */
  readonly started: Promise<void>;
  /** Why the node is not serving yet (store unreachable at start, retrying), or null once it is. */
  startupProblem(): string | null;
  /** The log's root authority, from the store's genesis; null until the node has reached the store. */
  authority(): LogAuthority | null;
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
  /** An already open store to use instead of opening one (tests wrap a store to cut its connection). */
  readonly eventStore?: EventStore;
  /** `chancery rebuild`: drop the derived state and replay the store into it; no genesis, no sealing. */
  readonly rebuild?: boolean;
  /** One-line notices for the operator after start-up (store reached at last, start-up failed). */
  readonly notice?: (line: string) => void;
}

/** The node was closed while it was still waiting for its store. */
export class NodeClosedError extends Error {
  constructor() {
    super('the node closed before it reached its event store');
    this.name = 'NodeClosedError';
  }
}

/** Retry delays while the store is unreachable at start: doubling from the first to the last. */
const STARTUP_RETRY_FIRST_MS = 1000;
const STARTUP_RETRY_MAX_MS = 30_000;

/**
 * The composition root: open the store and the node's own database, replay the
 * feed into the read models, register the authority on first start, and serve.
 *
 * A store that cannot be reached at start does not stop the node: it listens,
 * answers 503 NOT_READY (readiness false) and retries with backoff until the
 * store answers, then catches up and serves. Anything else that fails at start
 * closes what was opened and throws.
 */
export async function startNode(config: NodeConfig, options: StartOptions = {}): Promise<RunningNode> {
  const clock = options.clock ?? Date.now;
  // A mirror serves the log it trusts: the trusted key's name is the log's origin.
  const mirror = config.federation.role === 'mirror';
  const trustedOrigin = mirror ? config.federation.trust!.split('+')[0]! : null;
  const init = initDataDir(config.dataDir, {
    origin: trustedOrigin ?? config.origin,
    authorityCode: config.authorityCode,
    authorityName: config.authorityName,
    now: new Date(clock()),
  });
  const logKey = loadLogKey(config, init);
  const store =
    options.eventStore ??
    (await openEventStore(options.store ?? eventStoreConfigOf(config.store, init.layout.eventStoreFile)));
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
  // The log key signs checkpoints under the origin's name (node:crypto inside KeyPair.sign).
  const checkpointSigner = ed25519CheckpointSigner(init.identity.origin, logKey.publicKey, logKey.sign);
  if (trustedOrigin !== null && trustedOrigin !== init.identity.origin) {
    throw new Error(
      `this data folder holds a replica of ${init.identity.origin}, not of ${trustedOrigin} (--trust): use another folder`,
    );
  }
  // A mirror never signs under the log's origin: it checks every checkpoint against the key it trusts.
  const sequencer = new Sequencer(
    db,
    init.identity.origin,
    mirror ? config.federation.trust! : checkpointSigner.verifierKey,
  );
  const federation = new Federation({
    config: config.federation,
    dataDir: init.layout.dir,
    logVerifierKey: sequencer.verifierKey,
    sequencer,
    store,
    clock,
    ...(options.notice === undefined ? {} : { notice: options.notice }),
  });
  // The sequencer goes first: if a checkpoint diverges it throws before any read model applied the event.
  const projector = new Projector(store, db, [
    sequencer,
    federation.log,
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

  if (options.rebuild === true) projector.reset();
  projector.onConnectionChange((lost) =>
    options.notice?.(
      lost === null ? 'event feed reconnected' : `event feed lost: ${lost.message}; reconnecting`,
    ),
  );

  let closed = false;
  let authority: LogAuthority | null = null;
  /** Null once the node serves; otherwise why not. */
  let waiting: string | null = 'starting';
  let fatal: Error | null = null;
  const settle = async (): Promise<void> => {
    // A mirror founds nothing: its store stays empty until it has replayed the log's own genesis.
    if (mirror && (await store.readAll({ maxCount: 1 })).length === 0) return;
    authority = await settleAuthority(store, init, new Date(clock()));
  };
  federation.bind({
    projector,
    registry,
    commands,
    certifications,
    directory: directory.planning,
    maxSkewMs: config.maxSkewSeconds * 1000,
    onGenesis: settle,
  });
  const bringUp = async (): Promise<void> => {
    if (options.rebuild !== true) await settle();
    // A retry still on its way when the node closes must not start anything.
    if (closed) return;
    projector.start();
    const last = await store.lastPosition();
    if (closed) return;
    if (last !== null) await projector.waitFor(last, 10 * 60_000);
    if (options.rebuild !== true && !closed && !mirror) sealer.start();
    if (options.rebuild !== true && !closed) federation.start();
    waiting = null;
  };
  const shutDown = async (): Promise<void> => {
    await federation.stop().catch(() => undefined);
    federation.close();
    await sealer.stop().catch(() => undefined);
    sequencer.close();
    await projector.stop().catch(() => undefined);
    await store.close().catch(() => undefined);
    db.close();
  };

  try {
    await bringUp();
  } catch (error) {
    // Only an unreachable store is waited out; a rebuild is a one-shot command and says why it failed.
    if (!(error instanceof StoreUnavailableError) || options.rebuild === true) {
      await shutDown();
      throw error;
    }
    waiting = `event store unreachable: ${error.message}`;
  }

  const links = { publicUrl: config.publicUrl };
  // One set of federation views serves the proof routes and the proof bundles of sealed writes.
  const federationRouteDeps = federation.routeDeps();
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
    finality: federation.log,
    finalWaitMs: config.federation.finalWaitMs,
    decorateSealed: withProofBundle({
      log: federation.log,
      certifications,
      keys: registry,
      finalCheckpoint: federationRouteDeps.finalCheckpoint,
      policyDigest: federationRouteDeps.policyDigest,
    }),
  });

  const notReadyReason = async (): Promise<string | null> => {
    if (fatal !== null) return `start-up failed: ${fatal.message}`;
    if (waiting !== null) return `${waiting}; retrying`;
    if (projector.error !== null) return `read models stopped: ${projector.error.message}`;
    if (sealer.divergence !== null) return `log sealing halted: ${sealer.divergence.message}`;
    if (projector.disconnected !== null) {
      return `event feed lost: ${projector.disconnected.message}; reconnecting`;
    }
    try {
      await store.lastPosition();
    } catch (error) {
      return `event store unreachable: ${(error as Error).message}`;
    }
    return null;
  };

  const status = async (): Promise<NodeStatus> => {
    const lastPosition = await store.lastPosition();
    const projected = projector.position;
    return {
      name: 'chancery',
      version: PACKAGE_VERSION,
      origin: init.identity.origin,
      store: store.kind,
      authorityId: authority?.id ?? init.identity.authorityId,
      lastPosition: lastPosition === null ? null : lastPosition.toString(),
      projectedPosition: projected === null ? null : projected.toString(),
      identities: registry.size(),
      certifications: certifications.count(),
      ready:
        waiting === null && fatal === null && projector.error === null && projector.disconnected === null,
      logVerifierKey: sequencer.verifierKey,
      role: federation.role,
      witnessVerifierKey: federation.witness?.identity.vkey ?? null,
      ...federation.finality(),
    };
  };

  const app = await buildApp({
    commands: commandService,
    registry,
    certifications,
    // Checkpoints are served with the cosignatures the witnesses gave them.
    log: federation.log,
    links,
    version: PACKAGE_VERSION,
    // Until the node has reached its store and caught up, its read models are empty or stale: say so.
    gate: (path, method) =>
      waiting === null && fatal === null
        ? federation.gate(method, path)
        : path.startsWith('/health/')
          ? null
          : new ProblemError(
              'NOT_READY',
              fatal === null ? `${waiting}; retrying` : `start-up failed: ${fatal.message}`,
              {},
              5,
            ),
    directory: directory.routes({
      commands: commandService,
      projector,
      registry,
      links,
      catalog: { publisherId: init.identity.authorityId, title: `${init.identity.origin} data directory` },
      log: federation.log,
    }),
    federation: federationRouteDeps,
    logger:
      options.logging === false
        ? false
        : {
            level: config.logLevel,
            // Envelopes carry signatures, never private keys; headers are redacted anyway in case a proxy adds secrets.
            redact: ['req.headers.authorization', 'req.headers.cookie'],
          },
    node: { status, notReadyReason },
  });

  let url = links.publicUrl;
  if (options.listen !== false) {
    try {
      url = await app.listen({ host: config.host, port: config.port });
    } catch (error) {
      // Nothing may stay open when the port is taken, the sealer included: the caller reports and exits cleanly.
      closed = true;
      await app.close().catch(() => undefined);
      await shutDown();
      throw error;
    }
    // Port 0 asks the OS for a free port; proof URLs must name the one it gave.
    if (config.port === 0 && !config.publicUrlExplicit) links.publicUrl = url;
    app.log.info(
      { url, origin: sequencer.origin, logVerifierKey: sequencer.verifierKey },
      `chancery node listening; log verifier key ${sequencer.verifierKey}`,
    );
    const witness = federation.witness;
    if (witness !== null) {
      app.log.info(
        { witnessVerifierKey: witness.identity.vkey },
        `witness verifier key ${witness.identity.vkey}`,
      );
    }
  }

  let retryTimer: NodeJS.Timeout | null = null;
  let wakeRetry: (() => void) | null = null;
  const retryBringUp = async (): Promise<void> => {
    for (let delay = STARTUP_RETRY_FIRST_MS; ; delay = Math.min(delay * 2, STARTUP_RETRY_MAX_MS)) {
      await new Promise<void>((resolveWait) => {
        wakeRetry = resolveWait;
        retryTimer = setTimeout(resolveWait, delay);
      });
      if (closed) throw new NodeClosedError();
      try {
        await bringUp();
        if (closed) throw new NodeClosedError();
        const known = authority as LogAuthority | null;
        options.notice?.(
          `event store reached; caught up at position ${projector.position ?? 'none'}` +
            (known === null ? '' : `; authority ${known.id} (key ${known.keyId})`),
        );
        return;
      } catch (error) {
        if (closed) throw new NodeClosedError();
        if (error instanceof StoreUnavailableError) {
          waiting = `event store unreachable: ${error.message}`;
          continue;
        }
        fatal = error instanceof Error ? error : new Error(String(error));
        options.notice?.(`start-up failed: ${fatal.message}`);
        throw fatal;
      }
    }
  };
  const started = waiting === null ? Promise.resolve() : retryBringUp();
  // Reported through readiness and the notice; a caller that never awaits `started` must not crash.
  started.catch(() => undefined);

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
    federation,
    started,
    startupProblem: () => (fatal !== null ? `start-up failed: ${fatal.message}` : waiting),
    authority: () => authority,
    async close() {
      if (closed) return;
      closed = true;
      if (retryTimer !== null) clearTimeout(retryTimer);
      (wakeRetry as (() => void) | null)?.();
      await federation.stop();
      await sealer.stop();
      // Requests waiting for a seal get a 503 now instead of holding app.close() until they time out.
      sequencer.close();
      await app.close();
      // Stopping the projector also ends a start-up retry that waits for the catch-up.
      await projector.stop();
      await started.catch(() => undefined);
      await store.close();
      federation.close();
      db.close();
    },
  };
}

/** The key that signs checkpoints: the node key unless --log-key names a key shared by the cluster. */
function loadLogKey(config: NodeConfig, init: InitResult): KeyPair {
  if (config.logKeyFile === init.layout.nodeKeyFile) return init.nodeKey;
  try {
    return readKeyFile(config.logKeyFile);
  } catch (error) {
    throw new Error(`cannot read the log key ${config.logKeyFile}: ${(error as Error).message}`);
  }
}
