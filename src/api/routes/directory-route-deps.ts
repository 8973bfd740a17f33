import type { ReplayCache } from '../../application/auth/replay-cache.js';
import type { SignatureRegistry } from '../../application/auth/verify-request.js';
import type { CommandService } from '../../application/commands/command-service.js';
import type { DatasetFetches } from '../../application/directory/dataset-fetches.js';
import type { DatasetUploads, DirectoryLimits } from '../../application/directory/dataset-uploads.js';
import type { BlobStore } from '../../infrastructure/blobs/blob-store.js';
import type { CatalogReadModel } from '../../infrastructure/projections/catalog-read-model.js';
import type { NodeDatabase } from '../../infrastructure/projections/node-database.js';
import type { SharingReadModel } from '../../infrastructure/projections/sharing-read-model.js';
import type { LogReader } from '../../infrastructure/sequencer/log-reader.js';

/** Everything the directory routes use. */
export interface DirectoryRouteDeps {
  readonly commands: CommandService;
  readonly catalog: CatalogReadModel;
  readonly sharing: SharingReadModel;
  readonly db: NodeDatabase;
  readonly registry: SignatureRegistry;
  readonly uploads: DatasetUploads;
  readonly fetches: DatasetFetches;
  readonly blobs: BlobStore;
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
