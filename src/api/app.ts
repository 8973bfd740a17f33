import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { CommandService } from '../application/commands/command-service.js';
import type { MetricsRegistry } from '../infrastructure/metrics/metrics-registry.js';
import { type ConsoleRouteDeps, consoleRoutes } from './console/console-routes.js';
import {
  type ConnectionLimits,
  type ConnectionRefusal,
  DEFAULT_CONNECTION_LIMITS,
  installConnectionLimits,
} from './hardening/connection-limits.js';
import { installHardening } from './hardening/install-hardening.js';
import { DEFAULT_LOAD_LIMITS, type LoadLimits, loadLimitsWith } from './hardening/load-shedding.js';
import { UploadsPerKey } from './hardening/uploads-per-key.js';
import { connectionMetrics, installHttpMetrics } from './metrics-http.js';
import { type CertificationRouteDeps, certificationRoutes } from './routes/certification-routes.js';
import { directoryCatalogRoutes } from './routes/directory-catalog-routes.js';
import { directoryDataRoutes } from './routes/directory-data-routes.js';
import { directoryDcatRoutes } from './routes/directory-dcat-routes.js';
import type { DirectoryRouteDeps } from './routes/directory-route-deps.js';
import { directorySharingRoutes } from './routes/directory-sharing-routes.js';
import { type FederationRouteDeps, federationRoutes } from './routes/federation-routes.js';
import { type IdentityRouteDeps, identityRoutes } from './routes/identity-routes.js';
import { type LogRouteDeps, logRoutes } from './routes/log-routes.js';
import { type NodeRouteDeps, nodeRoutes } from './routes/node-routes.js';
import { type ProofRouteDeps, proofRoutes } from './routes/proof-routes.js';
import { type TilesRouteDeps, tilesRoutes } from './routes/tiles-routes.js';
import { createServerBase, type RequestGate } from './server-base.js';
import { landingRoutes } from './web/landing-routes.js';

export interface AppDeps {
  readonly commands: CommandService;
  readonly registry: IdentityRouteDeps['registry'];
  readonly certifications: CertificationRouteDeps['certifications'];
  readonly node: NodeRouteDeps;
  /** The Merkle log the /v1/log routes read. */
  readonly log: LogRouteDeps['log'];
  readonly links: { readonly publicUrl: string };
  readonly version: string;
  /** pino options, or false to stay silent (tests). */
  readonly logger?: FastifyServerOptions['logger'];
  /** Largest accepted request body in bytes. */
  readonly bodyLimit?: number;
  /** The data directory (catalog, sharing, dataset versions); absent in nodes built without it. */
  readonly directory?: DirectoryRouteDeps;
  /** Refuses a request before any route sees it (503 NOT_READY while the node cannot serve), or lets it pass (null). */
  readonly gate?: RequestGate;
  /** Witness add-checkpoint, alerts, trust policy, federation status and /metrics. */
  readonly federation?: FederationRouteDeps;
  /** Proof bundles version 2: the state map's proofs and the authority keys the citizen page pins. */
  readonly proofs?: Pick<ProofRouteDeps, 'state' | 'authorityKeys'>;
  /** The log as C2SP tlog-tiles (/checkpoint, /tile/…), read from the stored hashes and leaves. */
  readonly tiles?: TilesRouteDeps['tiles'];
  /** In-flight caps (overall, uploads per key); defaults in hardening/load-shedding.ts. */
  readonly limits?: LoadLimits;
  /** Connections open at once, overall and per client address; defaults in hardening/connection-limits.ts. */
  readonly connections?: ConnectionLimits;
  /** Told of each connection a cap closed at accept (the operator's log). */
  readonly onConnectionRefused?: (reason: ConnectionRefusal, address: string) => void;
  /** The node's metrics registry: HTTP requests and refusals are counted into it. */
  readonly metrics?: MetricsRegistry;
  /** The operator's view (/v1/operations) and the console (/console). */
  readonly console?: ConsoleRouteDeps;
}

/** Signed commands are small; anything bigger than this is refused before parsing. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = createServer(deps);
  // Swagger collects routes as they are added, so it comes first.
  await registerOpenApi(app, deps.version);
  await registerRoutes(app, deps);
  return app;
}

/** The Fastify instance with its validators, hooks, problem rendering and bounds, before any route. */
function createServer(deps: AppDeps): FastifyInstance {
  const app = createServerBase({
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
    ...(deps.gate === undefined ? {} : { gate: deps.gate }),
  });
  if (deps.metrics !== undefined) installHttpMetrics(app, deps.metrics);
  installHardening(app, loadLimitsWith(deps.limits ?? DEFAULT_LOAD_LIMITS, deps.connections));
  installConnections(app, deps);
  return app;
}

/** The connection caps, counted on /metrics and told to the node. */
function installConnections(app: FastifyInstance, deps: AppDeps): void {
  let count: ((reason: ConnectionRefusal) => void) | undefined;
  const counts = installConnectionLimits(
    app.server,
    deps.connections ?? DEFAULT_CONNECTION_LIMITS,
    (reason, address) => {
      count?.(reason);
      deps.onConnectionRefused?.(reason, address);
    },
  );
  if (deps.metrics !== undefined) count = connectionMetrics(deps.metrics, counts);
}

/** OpenAPI 3.1 of every route, at /docs. */
async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Chancery API',
        version,
        description:
          'Signed commands for identities and certifications. Every write is an envelope { payload, signature } ' +
          'whose Ed25519 signature covers the RFC 8785 canonical form of the payload. Errors are RFC 9457 problem+json.',
      },
      tags: [
        { name: 'identities', description: 'Departments, their keys and accreditations' },
        { name: 'certifications', description: 'Records certified by digest, and their status' },
        { name: 'node', description: 'Node status' },
        {
          name: 'log',
          description: 'The Merkle log: entries, signed checkpoints, inclusion and consistency proofs',
        },
        { name: 'proofs', description: 'Proof bundles and the citizen verification page' },
        {
          name: 'directory',
          description:
            'Data directory: DCAT-AP catalog entries, search, access requests and grants, dataset versions (RFC 9421-signed)',
        },
        { name: 'health', description: 'Liveness and readiness' },
        {
          name: 'federation',
          description:
            'Witnessing (C2SP tlog-witness add-checkpoint), the trust policy, finality, mirror status and alerts',
        },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}

async function registerRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  await app.register(async (scope) =>
    identityRoutes(scope, { commands: deps.commands, registry: deps.registry }),
  );
  await app.register(async (scope) =>
    certificationRoutes(scope, {
      commands: deps.commands,
      certifications: deps.certifications,
      links: deps.links,
      log: deps.log,
    }),
  );
  await app.register(async (scope) => nodeRoutes(scope, deps.node));
  await app.register(async (scope) => landingRoutes(scope, { origin: deps.log.origin }));
  await app.register(async (scope) => logRoutes(scope, { log: deps.log }));
  const { tiles } = deps;
  if (tiles !== undefined) await app.register(async (scope) => tilesRoutes(scope, { log: deps.log, tiles }));
  const { federation } = deps;
  await app.register(async (scope) =>
    proofRoutes(scope, {
      log: deps.log,
      links: deps.links,
      certifications: deps.certifications,
      keys: deps.registry,
      ...deps.proofs,
      ...(federation === undefined
        ? {}
        : {
            finalCheckpoint: federation.finalCheckpoint,
            policyDigest: federation.policyDigest,
            policyText: federation.policyText,
          }),
    }),
  );
  if (federation !== undefined) await app.register(async (scope) => federationRoutes(scope, federation));
  const consoleDeps = deps.console;
  if (consoleDeps !== undefined) await app.register(async (scope) => consoleRoutes(scope, consoleDeps));
  const { directory } = deps;
  if (directory !== undefined) {
    const uploadsPerKey = new UploadsPerKey((deps.limits ?? DEFAULT_LOAD_LIMITS).maxUploadsPerKey);
    for (const routes of [
      directoryCatalogRoutes,
      directorySharingRoutes,
      (scope: FastifyInstance, data: DirectoryRouteDeps) => directoryDataRoutes(scope, data, uploadsPerKey),
      directoryDcatRoutes,
    ])
      await app.register(async (scope) => routes(scope, directory));
  }
}
