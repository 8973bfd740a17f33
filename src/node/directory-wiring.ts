import { join } from 'node:path';
import type { DirectoryRouteDeps } from '../api/routes/directory-route-deps.js';
import { ReplayCache } from '../application/auth/replay-cache.js';
import type { SignatureRegistry } from '../application/auth/verify-request.js';
import type { CommandService } from '../application/commands/command-service.js';
import { DatasetFetches } from '../application/directory/dataset-fetches.js';
import {
  DatasetUploads,
  DEFAULT_DIRECTORY_LIMITS,
  type DirectoryLimits,
} from '../application/directory/dataset-uploads.js';
import { RecordSchemas } from '../application/directory/record-schemas.js';
import {
  type RecordValidationPool,
  sharedRecordValidationPool,
} from '../application/directory/record-validation-pool.js';
import type { PlanContext } from '../application/pipeline/command-plan.js';
import { CommandHandler, type WriteVerdicts } from '../application/pipeline/handle-command.js';
import { BlobStore } from '../infrastructure/blobs/blob-store.js';
import type { EventStore } from '../infrastructure/eventstore/port.js';
import { CatalogReadModel } from '../infrastructure/projections/catalog-read-model.js';
import type { NodeDatabase } from '../infrastructure/projections/node-database.js';
import type { Projector } from '../infrastructure/projections/projector.js';
import { SharingReadModel } from '../infrastructure/projections/sharing-read-model.js';
import type { LogReader } from '../infrastructure/sequencer/log-reader.js';

/**
 * The directory capability's parts, made before the projector (its read
 * models are projections) and bound to the command service and projector
 * once those exist.
 */
export interface Directory {
  readonly catalog: CatalogReadModel;
  readonly sharing: SharingReadModel;
  readonly blobs: BlobStore;
  readonly schemas: RecordSchemas;
  readonly projections: readonly [CatalogReadModel, SharingReadModel];
  /** What planning a directory command reads from the read models (the primary's and a mirror's alike). */
  readonly planning: PlanContext['directory'];
  routes(bind: {
    commands: CommandService;
    projector: Projector;
    /** The ordered state machine's verdicts: uploads and fetches are refused once void, like commands. */
    verdicts: WriteVerdicts;
    registry: SignatureRegistry;
    links: { readonly publicUrl: string };
    catalog: { readonly publisherId: string; readonly title: string };
    log?: LogReader;
  }): DirectoryRouteDeps;
}

export function createDirectory(options: {
  db: NodeDatabase;
  store: EventStore;
  dataDir: string;
  clock: () => number;
  maxSkewMs: number;
  limits?: Partial<DirectoryLimits>;
  /** Default: the process's shared pool (one worker per core, started on the first large upload). */
  validationPool?: RecordValidationPool | null;
}): Directory {
  const catalog = new CatalogReadModel(options.db);
  const sharing = new SharingReadModel(options.db);
  const blobs = new BlobStore(join(options.dataDir, 'blobs'));
  // Uploads cut off by a crash leave temporary files only; nothing refers to them.
  blobs.sweepTemporaryFiles();
  const schemas = new RecordSchemas();
  // created may lie up to maxSkew in the past or the future: remember signatures for both halves.
  const replay = new ReplayCache(2 * options.maxSkewMs + 1000);
  const limits = { ...DEFAULT_DIRECTORY_LIMITS, ...options.limits };
  const planning: PlanContext['directory'] = {
    entry(entryId) {
      const view = catalog.get(entryId);
      return view === undefined ? null : { entryId, publisherId: view.publisherId, status: view.status };
    },
    entryOfRequest: (requestId) => sharing.get(requestId)?.entryId ?? null,
    checkSchema: (schema) => schemas.check(schema),
  };
  return {
    catalog,
    sharing,
    blobs,
    schemas,
    projections: [catalog, sharing],
    planning,
    routes: (bind) => {
      const handler = new CommandHandler({
        store: options.store,
        projector: bind.projector,
        verdicts: bind.verdicts,
      });
      const validationPool =
        options.validationPool === undefined ? sharedRecordValidationPool() : options.validationPool;
      return {
        commands: bind.commands,
        catalog,
        sharing,
        db: options.db,
        registry: bind.registry,
        uploads: new DatasetUploads({
          handler,
          catalog,
          schemas,
          blobs,
          validationPool,
          limits,
          clock: options.clock,
        }),
        fetches: new DatasetFetches({
          handler,
          grantCandidates: (entryId, consumerId) => sharing.grantCandidates(entryId, consumerId),
          clock: options.clock,
        }),
        blobs,
        replay,
        clock: options.clock,
        maxSkewMs: options.maxSkewMs,
        limits,
        links: bind.links,
        catalogInfo: bind.catalog,
        ...(bind.log === undefined ? {} : { log: bind.log }),
      };
    },
  };
}
