import { join } from 'node:path';
import type { EntrySnapshot } from '../../domain/directory/commands.js';
import { BlobStore } from '../../infrastructure/blobs/blob-store.js';
import type { EventStore } from '../../infrastructure/eventstore/port.js';
import { CatalogReadModel } from '../../infrastructure/projections/catalog-read-model.js';
import type { NodeDatabase } from '../../infrastructure/projections/node-database.js';
import type { Projector } from '../../infrastructure/projections/projector.js';
import { SharingReadModel } from '../../infrastructure/projections/sharing-read-model.js';
import type { LogReader } from '../../infrastructure/sequencer/log-reader.js';
import { ReplayCache } from '../auth/replay-cache.js';
import type { SignatureRegistry } from '../auth/verify-request.js';
import type { CommandService } from '../commands/command-service.js';
import type { DirectoryPlanning } from '../commands/directory-plan.js';
import { SignedRequestWriter } from '../commands/signed-request-writer.js';
import { RecordSchemas } from './record-schemas.js';
import { type RecordValidationPool, sharedRecordValidationPool } from './record-validation-pool.js';

/** Upload limits; the defaults let a 1 GB dataset through and keep any single record small. */
export interface DirectoryLimits {
  readonly maxUploadBytes: number;
  readonly maxRecordBytes: number;
}

export const DEFAULT_DIRECTORY_LIMITS: DirectoryLimits = {
  maxUploadBytes: 4 * 1024 ** 3,
  maxRecordBytes: 1024 * 1024,
};

/** Everything the directory routes use. */
export interface DirectoryRouteDeps {
  readonly commands: CommandService;
  readonly catalog: CatalogReadModel;
  readonly sharing: SharingReadModel;
  readonly db: NodeDatabase;
  readonly registry: SignatureRegistry;
  readonly writer: SignedRequestWriter;
  readonly store: EventStore;
  readonly blobs: BlobStore;
  readonly schemas: RecordSchemas;
  /** Worker threads that check large uploads; null checks on the event loop. */
  readonly validationPool: RecordValidationPool | null;
  readonly replay: ReplayCache;
  readonly clock: () => number;
  readonly maxSkewMs: number;
  readonly limits: DirectoryLimits;
  readonly links: { readonly publicUrl: string };
  /** The catalog's own publisher in the DCAT export (the root authority) and its title. */
  readonly catalogInfo: { readonly publisherId: string; readonly title: string };
  /** The Merkle log, for grant proofs. */
  readonly log?: LogReader;
}

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
  readonly planning: DirectoryPlanning;
  routes(bind: {
    commands: CommandService;
    projector: Projector;
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
  const planning: DirectoryPlanning = {
    entry(entryId): EntrySnapshot | null {
      const view = catalog.get(entryId);
      return view === undefined ? null : { entryId, publisherId: view.publisherId, status: view.status };
    },
    entryOfRequest: (requestId) => sharing.get(requestId)?.entryId ?? null,
    schemas,
  };
  return {
    catalog,
    sharing,
    blobs,
    schemas,
    projections: [catalog, sharing],
    planning,
    routes: (bind) => ({
      commands: bind.commands,
      catalog,
      sharing,
      db: options.db,
      registry: bind.registry,
      writer: new SignedRequestWriter(options.store, bind.projector),
      store: options.store,
      blobs,
      schemas,
      validationPool:
        options.validationPool === undefined ? sharedRecordValidationPool() : options.validationPool,
      replay,
      clock: options.clock,
      maxSkewMs: options.maxSkewMs,
      limits: { ...DEFAULT_DIRECTORY_LIMITS, ...options.limits },
      links: bind.links,
      catalogInfo: bind.catalog,
      ...(bind.log === undefined ? {} : { log: bind.log }),
    }),
  };
}
