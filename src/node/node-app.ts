/** The node's HTTP face: the command service and the Fastify app over the node's parts. */

import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app.js';
import { buildOpsApp } from '../api/ops-app.js';
import type { CommandService } from '../application/commands/command-service.js';
import { ProblemError } from '../application/problems/problem.js';
import { withProofBundle } from '../application/proofs/sealed-proof-bundle.js';
import { CertificationSeriesQuery } from '../infrastructure/projections/certification-series.js';
import { TilesSource } from '../infrastructure/sequencer/tiles-source.js';
import { ConnectionRefusalWarnings } from './connection-refusals.js';
import { startIdleMemoryRelief } from './idle-memory-relief.js';
import { MeteredCommandService } from './metrics-commands.js';
import { nodeHealth } from './node-health.js';
import { NodeHistory, startHistorySampling } from './node-history.js';
import type { NodeParts } from './node-parts.js';
import type { NodeStartup } from './node-startup.js';
import { startOperatorWatch } from './operator-watch.js';
import { PACKAGE_VERSION } from './package-version.js';

export interface NodeAppOptions {
  /** false silences request logs (tests); otherwise pino JSON at config.logLevel. */
  readonly logging?: boolean;
  /** How long `?wait=sealed` writes wait for a checkpoint before SEAL_TIMEOUT (default 10 s). */
  readonly sealWaitMs?: number;
}

/** The command service every signed write of this node goes through. */
function commandServiceOf(
  parts: NodeParts,
  links: { publicUrl: string },
  federationRouteDeps: ReturnType<NodeParts['federation']['routeDeps']>,
  options: NodeAppOptions,
): CommandService {
  const { config, store, registry, commands, projector, certifications, directory, sequencer, federation } =
    parts;
  return new MeteredCommandService(
    {
      store,
      registry,
      commands,
      projector,
      clock: parts.clock,
      maxSkewMs: config.maxSkewSeconds * 1000,
      links,
      log: sequencer,
      ...(options.sealWaitMs === undefined ? {} : { sealWaitMs: options.sealWaitMs }),
      certifications,
      directory: directory.planning,
      finality: federation.log,
      finalWaitMs: config.federation.finalWaitMs,
      verdicts: parts.logState,
      payloadTexts: parts.payloadTexts,
      decorateSealed: withProofBundle({
        log: federation.log,
        certifications,
        keys: registry,
        finalCheckpoint: federationRouteDeps.finalCheckpoint,
        policyDigest: federationRouteDeps.policyDigest,
        state: parts.stateMap,
      }),
    },
    parts.metrics,
  );
}

/** Every key the authority ever held (base64), for the citizen page to pin: the registry's, so it follows rotations. */
function authorityKeysOf(parts: NodeParts): () => string[] {
  return () => parts.registry.get(parts.init.identity.authorityId)?.keys.map((k) => k.publicKey) ?? [];
}

/** Until the node has reached its store and caught up, its read models are empty or stale: say so. */
function gateOf(parts: NodeParts, startup: NodeStartup) {
  return (path: string, method: string): ProblemError | null => {
    if (startup.serving) return parts.federation.gate(method, path);
    // Health says why the node is not ready; the metrics show it (chancery_store_up 0) to the operator who must act.
    if (path.startsWith('/health/') || path === '/metrics') return null;
    return new ProblemError('NOT_READY', startup.problem() ?? 'starting', {}, 5);
  };
}

/** The public app, and the operations listener's when the node has one (config.opsListen). */
export interface NodeApps {
  readonly app: FastifyInstance;
  /** Closed with `app` (its onClose hook), so every path that closes the node closes both. */
  readonly ops: FastifyInstance | null;
}

/** The operations listener's app, answering from the same readiness, exposition and gate as `app`. */
function opsAppOf(
  parts: NodeParts,
  app: FastifyInstance,
  shared: {
    health: ReturnType<typeof nodeHealth>;
    gate: ReturnType<typeof gateOf>;
    federationRouteDeps: ReturnType<NodeParts['federation']['routeDeps']>;
  },
  options: NodeAppOptions,
): Promise<FastifyInstance> {
  // Warned apart from the public listener's refusals, so that neither hides the other for a minute.
  const refusals = new ConnectionRefusalWarnings(parts.events, parts.clock);
  return buildOpsApp({
    notReadyReason: shared.health.notReadyReason,
    readiness: shared.health.readiness,
    metrics: shared.federationRouteDeps.metrics,
    gate: shared.gate,
    registry: parts.metrics,
    onConnectionRefused: (address) => refusals.refused('ops_limit', address),
    // Its request lines go where the public app's go, marked as this listener's.
    ...(options.logging === false
      ? { logger: false }
      : { loggerInstance: app.log.child({ listener: 'ops' }) }),
  });
}

export async function buildNodeApp(
  parts: NodeParts,
  startup: NodeStartup,
  links: { publicUrl: string },
  options: NodeAppOptions,
): Promise<NodeApps> {
  const { config, registry, certifications, projector, directory, federation, init } = parts;
  // One set of federation views serves the proof routes and the proof bundles of sealed writes.
  const federationRouteDeps = federation.routeDeps();
  const commands = commandServiceOf(parts, links, federationRouteDeps, options);
  const health = nodeHealth(parts, startup);
  const history = new NodeHistory(config.historyIntervalMs);
  const series = new CertificationSeriesQuery(parts.db);
  const refusals = new ConnectionRefusalWarnings(parts.events, parts.clock);
  const gate = gateOf(parts, startup);
  const app = await buildApp({
    commands,
    registry,
    certifications,
    // Checkpoints are served with the cosignatures the witnesses gave them.
    log: federation.log,
    links,
    version: PACKAGE_VERSION,
    gate,
    directory: directory.routes({
      commands,
      projector,
      verdicts: parts.logState,
      registry,
      links,
      catalog: { publisherId: init.identity.authorityId, title: `${init.identity.origin} data directory` },
      log: federation.log,
    }),
    federation: federationRouteDeps,
    proofs: { state: parts.stateMap, authorityKeys: authorityKeysOf(parts) },
    // Tiles come from the sequencer's stored hashes, bounded by the checkpoint `log` serves.
    tiles: new TilesSource(parts.sequencer.hashes, parts.sequencer),
    logger:
      options.logging === false
        ? false
        : {
            level: config.logLevel,
            // Envelopes carry signatures, never private keys; headers are redacted anyway in case a proxy adds secrets.
            redact: ['req.headers.authorization', 'req.headers.cookie'],
          },
    node: health,
    metrics: parts.metrics,
    connections: config.connections,
    onConnectionRefused: (reason, address) => refusals.refused(reason, address),
    console: {
      operations: health.operations,
      history: () => history.view(),
      certifications: (query) => series.series({ ...query, nowSeconds: parts.clock() / 1000 }),
    },
  });
  // Operator warnings go out as the app's pino JSON lines, from the moment the app exists.
  parts.events.attach(app.log);
  const watch = startOperatorWatch(health.operations, parts.events);
  const sampling = startHistorySampling(history, health.operations);
  const relief = startIdleMemoryRelief();
  const ops =
    config.opsListen === null
      ? null
      : await opsAppOf(parts, app, { health, gate, federationRouteDeps }, options);
  app.addHook('onClose', async () => {
    watch.stop();
    sampling.stop();
    relief.stop();
    await ops?.close();
  });
  return { app, ops };
}
