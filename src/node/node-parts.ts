/**
 * The wiring of a node: the store, the node's own database and its read
 * models, the Merkle log (sequencer and sealer), federation and the
 * directory, connected to one projector. Nothing runs yet: start-up
 * (node-startup.ts) starts them once the store answers.
 */

import { SignedPayloadTexts } from '../domain/canonical/signed-payload-texts.js';
import { ed25519NoteSigner } from '../domain/log/index.js';
import type { StateView } from '../domain/log-state/judge-write.js';
import type { EventStore } from '../infrastructure/eventstore/port.js';
import { LogStateProjection } from '../infrastructure/log-state/log-state-projection.js';
import type { MetricsRegistry } from '../infrastructure/metrics/metrics-registry.js';
import { CertificationReadModel } from '../infrastructure/projections/certification-read-model.js';
import { CommandIndex } from '../infrastructure/projections/command-index.js';
import { IdentityRegistry } from '../infrastructure/projections/identity-registry.js';
import { type NodeDatabase, openNodeDatabase } from '../infrastructure/projections/node-database.js';
import { Projector } from '../infrastructure/projections/projector.js';
import { CheckpointSealer } from '../infrastructure/sequencer/checkpoint-sealer.js';
import { ed25519CheckpointSigner } from '../infrastructure/sequencer/checkpoint-signer.js';
import { LeafTileBackfill } from '../infrastructure/sequencer/leaf-tile-backfill.js';
import { Sequencer } from '../infrastructure/sequencer/sequencer.js';
import { StateMapStore } from '../infrastructure/state-map/state-map-store.js';
import { UnauthenticatedStateMap } from '../infrastructure/state-map/unauthenticated-state-map.js';
import { type KeyPair, readKeyFile } from '../protocol/key-pair.js';
import { type InitResult, initDataDir } from './data-dir.js';
import { type DataFolderLock, lockDataFolder } from './data-folder-lock.js';
import { createDirectory, type Directory } from './directory-wiring.js';
import { Federation } from './federation.js';
import { createNodeMetrics, registerNodeMetrics } from './metrics-node.js';
import { meteredStore } from './metrics-store.js';
import { eventStoreConfigOf, type NodeConfig } from './node-config.js';
import { type EventStoreConfig, openEventStore } from './open-event-store.js';
import { OperatorEvents } from './operator-events.js';
import { SealWatch } from './seal-watch.js';
import { keepStateProvable, stateCommitment } from './state-retention.js';

export interface NodeParts {
  readonly config: NodeConfig;
  readonly clock: () => number;
  readonly init: InitResult;
  readonly store: EventStore;
  readonly db: NodeDatabase;
  readonly registry: IdentityRegistry;
  readonly certifications: CertificationReadModel;
  readonly commands: CommandIndex;
  readonly directory: Directory;
  readonly sequencer: Sequencer;
  /** Payload texts the signature checks wrote, for the leaves the sequencer writes next. */
  readonly payloadTexts: SignedPayloadTexts;
  /** The ordered state machine: verdicts in log order and the state map the checkpoints commit to. */
  readonly logState: LogStateProjection;
  readonly stateMap: StateMapStore;
  readonly federation: Federation;
  readonly projector: Projector;
  readonly sealer: CheckpointSealer;
  /** Writes the one-row copy of full tiles completed before node.db kept them; started once the node serves. */
  readonly tileBackfill: LeafTileBackfill;
  /** A mirror serves a log it trusts and never seals it. */
  readonly mirror: boolean;
  /** Held for the node's lifetime: one node per data folder. */
  readonly folderLock: DataFolderLock;
  /** This node's own Prometheus registry (never the process-wide default). */
  readonly metrics: MetricsRegistry;
  /** Seal latency and checkpoint age, on real time. */
  readonly seal: SealWatch;
  /** Warnings for the operator as pino JSON lines with stable event names. */
  readonly events: OperatorEvents;
}

export interface AssembleOptions {
  readonly clock: () => number;
  /** Overrides the store (default: sqlite in the data folder). */
  readonly store?: EventStoreConfig;
  /** An already open store to use instead of opening one. */
  readonly eventStore?: EventStore;
  readonly notice?: (line: string) => void;
  /**
   * Benchmarks only (bench/state.bench.ts's baseline): judge writes in log order over a plain key-value
   * table instead of the authenticated state map; checkpoints then carry no map root. Never set otherwise.
   */
  readonly withoutStateMap?: boolean;
}

/** Locks the data folder (a second node on it fails at once), then opens and connects every part. */
export async function assembleNode(config: NodeConfig, options: AssembleOptions): Promise<NodeParts> {
  const folderLock = lockDataFolder(config.dataDir);
  try {
    return { ...(await assembleLocked(config, options)), folderLock };
  } catch (error) {
    folderLock.release();
    throw error;
  }
}

/** Opens the data folder, the store and the node's database, and connects every part. */
async function assembleLocked(
  config: NodeConfig,
  options: AssembleOptions,
): Promise<Omit<NodeParts, 'folderLock'>> {
  const { clock } = options;
  // A mirror serves the log it trusts: the trusted key's name is the log's origin.
  const mirror = config.federation.role === 'mirror';
  const trustedOrigin = mirror ? config.federation.trust!.split('+')[0]! : null;
  const init = initDataDir(config.dataDir, {
    origin: trustedOrigin ?? config.origin,
    authorityCode: config.authorityCode,
    authorityName: config.authorityName,
    now: new Date(clock()),
  });
  // Checked before anything is opened, so a refusal leaves nothing open behind it.
  if (trustedOrigin !== null && trustedOrigin !== init.identity.origin) {
    throw new Error(
      `this data folder holds a replica of ${init.identity.origin}, not of ${trustedOrigin} (--trust): use another folder`,
    );
  }
  const logKey = loadLogKey(config, init);
  const metrics = createNodeMetrics();
  const store = meteredStore(
    options.eventStore ??
      (await openEventStore(options.store ?? eventStoreConfigOf(config.store, init.layout.eventStoreFile))),
    metrics,
  );
  const db = openNodeDatabase(init.layout.nodeDatabaseFile);
  try {
    return connect(config, options, { init, logKey, store, db, mirror, metrics });
  } catch (error) {
    db.close();
    await store.close().catch(() => undefined);
    throw error;
  }
}

interface Opened {
  readonly init: InitResult;
  readonly logKey: KeyPair;
  readonly store: EventStore;
  readonly db: NodeDatabase;
  readonly mirror: boolean;
  readonly metrics: MetricsRegistry;
}

/** The log key also signs a primary's trust policy, as a note that cannot be read as a checkpoint. */
function policySigner(init: InitResult, logKey: KeyPair) {
  return ed25519NoteSigner(init.identity.origin, logKey.publicKey, logKey.sign);
}

/**
 * What the state machine reads from the certification read model: a batch record's batch, and the
 * issuer's latest single certification of a record (the duplicate rule). The projector applies every
 * read model to an event before the next event is judged, so both are as of the entry before it.
 */
function certificationLookups(
  certifications: CertificationReadModel,
): Pick<StateView, 'batchOfRecord' | 'latestOfRecord'> {
  return {
    batchOfRecord: (certificationId) => certifications.get(certificationId)?.batch ?? null,
    latestOfRecord: (issuerId, recordType, recordDigest) =>
      certifications.latestOfRecord(issuerId, recordType, recordDigest)?.certificationId ?? null,
  };
}

/**
 * The sequencer, and the ordered state machine that runs right after it: every event has its leaf
 * index when it is judged in log order. Without the map (a benchmark's baseline) the state machine
 * still judges, over an unauthenticated map.
 */
function orderedLog(
  db: NodeDatabase,
  origin: string,
  verifierKey: string,
  stateMap: StateMapStore | null,
  certifications: CertificationReadModel,
): Pick<NodeParts, 'sequencer' | 'payloadTexts' | 'logState'> {
  const payloadTexts = new SignedPayloadTexts();
  const sequencer = new Sequencer(
    db,
    origin,
    verifierKey,
    stateMap === null ? null : stateCommitment(stateMap),
    payloadTexts,
  );
  const logState = new LogStateProjection({
    map: stateMap ?? new UnauthenticatedStateMap(db),
    leafIndexOfLatest: () => sequencer.sequencedSize() - 1,
    ...certificationLookups(certifications),
  });
  return { sequencer, payloadTexts, logState };
}

function connect(
  config: NodeConfig,
  options: AssembleOptions,
  opened: Opened,
): Omit<NodeParts, 'folderLock'> {
  const { init, logKey, store, db, mirror, metrics } = opened;
  const { clock } = options;
  const registry = new IdentityRegistry(db);
  const certifications = new CertificationReadModel(db);
  const commands = new CommandIndex();
  const stateMap = new StateMapStore(db);
  const directory = createDirectory({
    db,
    store,
    dataDir: init.layout.dir,
    clock,
    maxSkewMs: config.maxSkewSeconds * 1000,
  });
  // The log key signs checkpoints under the origin's name (node:crypto inside KeyPair.sign).
  const checkpointSigner = ed25519CheckpointSigner(init.identity.origin, logKey.publicKey, logKey.sign);
  // A mirror never signs under the log's origin: it checks every checkpoint against the key it trusts.
  const { sequencer, payloadTexts, logState } = orderedLog(
    db,
    init.identity.origin,
    mirror ? config.federation.trust! : checkpointSigner.verifierKey,
    options.withoutStateMap === true ? null : stateMap,
    certifications,
  );
  const federation = new Federation({
    config: config.federation,
    dataDir: init.layout.dir,
    logVerifierKey: sequencer.verifierKey,
    sequencer,
    store,
    clock,
    metrics,
    ...(mirror ? {} : { logSigner: policySigner(init, logKey) }),
    ...(options.notice === undefined ? {} : { notice: options.notice }),
  });
  // The sequencer goes first: if a checkpoint diverges it throws before any read model applied the event.
  // Read models see only writes the state machine judged valid in log order.
  const projector = new Projector(
    store,
    db,
    [sequencer, logState, federation.log, registry, certifications, commands, ...directory.projections],
    logState,
  );
  if (options.withoutStateMap !== true) keepStateProvable(stateMap, sequencer, federation, db);
  const sealer = new CheckpointSealer({
    store,
    sequencer,
    signer: checkpointSigner,
    sealIntervalMs: config.sealIntervalMs,
    maxLeavesPerSeal: config.sealMaxLeaves,
  });
  const tileBackfill = backfillTiles(db, sequencer, options.notice);
  return {
    ...observe(metrics, { sequencer, certifications, projector, store, config }),
    config,
    clock,
    init,
    store,
    db,
    registry,
    certifications,
    commands,
    directory,
    sequencer,
    payloadTexts,
    logState,
    stateMap,
    federation,
    projector,
    sealer,
    tileBackfill,
    mirror,
  };
}

/** The one-row copies of full tiles a node.db written before them lacks, said in the notices when written. */
function backfillTiles(
  db: NodeDatabase,
  sequencer: Sequencer,
  notice: ((line: string) => void) | undefined,
): LeafTileBackfill {
  return new LeafTileBackfill(db, sequencer.hashes, {
    onFound: () =>
      notice?.(
        'writing the one-row copy of full tiles completed before it was kept, in the background; until then those tiles are served more slowly',
      ),
    onDone: (written) => {
      if (written > 0)
        notice?.(`wrote the one-row copy of ${written} full tiles completed before it was kept`);
    },
    onError: (error) =>
      notice?.(`stopped writing the one-row copies of old tiles (they are still served): ${error.message}`),
  });
}

/** Metrics and operator warnings over the connected parts; they only read, so the order of wiring is free. */
function observe(
  metrics: MetricsRegistry,
  parts: Pick<NodeParts, 'sequencer' | 'certifications' | 'projector' | 'store' | 'config'>,
): Pick<NodeParts, 'metrics' | 'seal' | 'events'> {
  const events = new OperatorEvents();
  const seal = new SealWatch({
    sequencer: parts.sequencer,
    metrics,
    slowAfterMs: Math.max(5000, 10 * parts.config.sealIntervalMs),
    onSlow: (waitedMs, treeSize) =>
      events.warn(
        'seal_slow',
        { waitedMs, treeSize },
        `a leaf waited ${waitedMs} ms for checkpoint ${treeSize}`,
      ),
  });
  registerNodeMetrics(metrics, { ...parts, seal });
  return { metrics, seal, events };
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

/** Stops and closes every part, in the order that lets in-flight work finish or fail cleanly. */
export async function shutDownParts(parts: NodeParts): Promise<void> {
  await parts.federation.stop().catch(() => undefined);
  parts.federation.close();
  await parts.sealer.stop().catch(() => undefined);
  parts.tileBackfill.stop();
  parts.sequencer.close();
  await parts.projector.stop().catch(() => undefined);
  await parts.store.close().catch(() => undefined);
  parts.db.close();
  parts.folderLock.release();
}
