/**
 * The composition root: assemble the node's parts (node-parts.ts), bring
 * them up (node-startup.ts), serve them over HTTP (node-app.ts), and close
 * them in order.
 *
 * A store that cannot be reached at start does not stop the node: it
 * listens, answers 503 NOT_READY (readiness false) and retries with backoff
 * until the store answers, then catches up and serves. Anything else that
 * fails at start closes what was opened and throws.
 */

import type { FastifyInstance } from 'fastify';
import type { EventStore } from '../infrastructure/eventstore/port.js';
import type { NodeDatabase } from '../infrastructure/projections/node-database.js';
import type { Projector } from '../infrastructure/projections/projector.js';
import type { CheckpointSealer } from '../infrastructure/sequencer/checkpoint-sealer.js';
import type { LogReader } from '../infrastructure/sequencer/log-reader.js';
import type { Sequencer } from '../infrastructure/sequencer/sequencer.js';
import type { InitResult } from './data-dir.js';
import type { Federation } from './federation.js';
import { OpsListenError } from './listen-address.js';
import type { LogAuthority } from './log-authority.js';
import { buildNodeApp, type NodeApps } from './node-app.js';
import type { NodeConfig } from './node-config.js';
import { assembleNode, type NodeParts, shutDownParts } from './node-parts.js';
import { NodeStartup } from './node-startup.js';
import type { EventStoreConfig } from './open-event-store.js';

export { NodeClosedError } from './node-startup.js';

export interface RunningNode {
  readonly app: FastifyInstance;
  readonly url: string;
  /** The operations listener (/health/*, /metrics; CHANCERY_OPS_LISTEN), or null when it is off. */
  readonly ops: FastifyInstance | null;
  /** Its URL once it listens; null when it is off or the node was built without listening. */
  readonly opsUrl: string | null;
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
  /** Benchmarks only: the node without its authenticated state map (see AssembleOptions.withoutStateMap). */
  readonly withoutStateMap?: boolean;
}

export async function startNode(config: NodeConfig, options: StartOptions = {}): Promise<RunningNode> {
  const parts = await assembleNode(config, {
    clock: options.clock ?? Date.now,
    ...(options.store === undefined ? {} : { store: options.store }),
    ...(options.eventStore === undefined ? {} : { eventStore: options.eventStore }),
    ...(options.notice === undefined ? {} : { notice: options.notice }),
    ...(options.withoutStateMap === true ? { withoutStateMap: true } : {}),
  });
  const startup = new NodeStartup(parts, {
    rebuild: options.rebuild === true,
    ...(options.notice === undefined ? {} : { notice: options.notice }),
  });
  prepareFeed(parts, options);
  parts.federation.bind({
    projector: parts.projector,
    registry: parts.registry,
    commands: parts.commands,
    certifications: parts.certifications,
    directory: parts.directory.planning,
    logState: parts.logState,
    maxSkewMs: config.maxSkewSeconds * 1000,
    payloadTexts: parts.payloadTexts,
    onGenesis: startup.settle,
  });
  try {
    await startup.first();
  } catch (error) {
    await shutDownParts(parts);
    throw error;
  }
  const links = { publicUrl: config.publicUrl };
  const apps = await buildNodeApp(parts, startup, links, options);
  const urls =
    options.listen === false
      ? { url: links.publicUrl, opsUrl: null }
      : await listen(apps, parts, startup, links);
  const started = startup.untilServing();
  // Reported through readiness and the notice; a caller that never awaits `started` must not crash.
  started.then(
    () => parts.tileBackfill.start(),
    () => undefined,
  );
  return runningNode(parts, startup, apps, urls, started);
}

/** A rebuild starts the feed from nothing; every node says when its feed drops and comes back. */
function prepareFeed(parts: NodeParts, options: StartOptions): void {
  if (options.rebuild === true) parts.projector.reset();
  parts.projector.onConnectionChange((lost) =>
    options.notice?.(
      lost === null ? 'event feed reconnected' : `event feed lost: ${lost.message}; reconnecting`,
    ),
  );
}

async function listen(
  { app, ops }: NodeApps,
  parts: NodeParts,
  startup: NodeStartup,
  links: { publicUrl: string },
): Promise<{ url: string; opsUrl: string | null }> {
  const { config, sequencer, federation } = parts;
  let url: string;
  let opsUrl: string | null = null;
  try {
    url = await app.listen({ host: config.host, port: config.port });
    if (ops !== null && config.opsListen !== null) opsUrl = await listenOps(ops, config.opsListen);
  } catch (error) {
    // Nothing may stay open when a port is taken, the sealer included: the caller reports and exits cleanly.
    startup.close();
    // Closing the public app closes the operations listener too (node-app.ts).
    await app.close().catch(() => undefined);
    await shutDownParts(parts);
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
  if (opsUrl !== null) app.log.info({ opsUrl }, `operations listener on ${opsUrl} (/health/*, /metrics)`);
  return { url, opsUrl };
}

/** Binds the operations listener; a failure says it was this listener's address, not the public one's. */
async function listenOps(ops: FastifyInstance, address: { host: string; port: number }): Promise<string> {
  try {
    return await ops.listen({ host: address.host, port: address.port });
  } catch (error) {
    throw new OpsListenError(address, error);
  }
}

function runningNode(
  parts: NodeParts,
  startup: NodeStartup,
  { app, ops }: NodeApps,
  { url, opsUrl }: { url: string; opsUrl: string | null },
  started: Promise<void>,
): RunningNode {
  let closed = false;
  return {
    app,
    url,
    ops,
    opsUrl,
    init: parts.init,
    store: parts.store,
    projector: parts.projector,
    db: parts.db,
    log: parts.sequencer,
    sequencer: parts.sequencer,
    sealer: parts.sealer,
    federation: parts.federation,
    started,
    startupProblem: () =>
      startup.fatal !== null ? `start-up failed: ${startup.fatal.message}` : startup.waiting,
    authority: () => startup.authority(),
    async close() {
      if (closed) return;
      closed = true;
      startup.close();
      await parts.federation.stop();
      await parts.sealer.stop();
      parts.tileBackfill.stop();
      // Requests waiting for a seal get a 503 now instead of holding app.close() until they time out.
      parts.sequencer.close();
      // Closes the operations listener too (node-app.ts): probes are refused once the node is going.
      await app.close();
      // Stopping the projector also ends a start-up retry that waits for the catch-up.
      await parts.projector.stop();
      await started.catch(() => undefined);
      await parts.store.close();
      parts.federation.close();
      parts.db.close();
      // Last: the folder is free only once nothing of this node has it open.
      parts.folderLock.release();
    },
  };
}
