/**
 * Publishing a dataset version: the publisher's RFC 9421-signed upload is
 * checked for ownership and schema before a byte of the body is read, then
 * streamed through ingest (digest, record validation, blob) and recorded as
 * DatasetVersionPublished through the one write pipeline. A mirror replaying
 * the upload builds the same command with datasetVersionCommand.
 */

import type { Readable } from 'node:stream';
import {
  assertUploadable,
  type CatalogEntryState,
  catalogEntryDecider,
} from '../../domain/directory/catalog-entry-decider.js';
import type { PublishDatasetVersion } from '../../domain/directory/commands.js';
import { catalogEntryStream, type DatasetMediaType } from '../../domain/directory/events.js';
import type { ActorSnapshot } from '../../domain/shared/decider.js';
import type { BlobStore } from '../../infrastructure/blobs/blob-store.js';
import type {
  CatalogReadModel,
  DatasetVersionView,
} from '../../infrastructure/projections/catalog-read-model.js';
import { actorSnapshot } from '../auth/actor-snapshot.js';
import { requestEnvelope, type VerifiedRequest } from '../auth/verify-request.js';
import { domainErrorToProblem } from '../pipeline/error-mapping.js';
import type { CommandHandler } from '../pipeline/handle-command.js';
import { signedRequestMetadata } from '../pipeline/write-metadata.js';
import { ingestDataset } from './dataset-ingest.js';
import type { RecordSchemas } from './record-schemas.js';
import type { RecordValidationPool } from './record-validation-pool.js';
import { signedTime } from './signed-time.js';

/** Upload limits; the defaults let a 1 GB dataset through and keep any single record small. */
export interface DirectoryLimits {
  readonly maxUploadBytes: number;
  readonly maxRecordBytes: number;
}

export const DEFAULT_DIRECTORY_LIMITS: DirectoryLimits = {
  maxUploadBytes: 4 * 1024 ** 3,
  maxRecordBytes: 1024 * 1024,
};

/** What an upload's dataset is, as the signed request and ingest established it. */
export interface DatasetFacts {
  readonly digest: string;
  readonly mediaType: DatasetMediaType;
  readonly recordCount: number;
  readonly byteCount: number;
  readonly schemaDigest: string;
}

/** The command an upload decides with, on the primary and on a mirror replaying it. */
export function datasetVersionCommand(
  actor: ActorSnapshot,
  at: string,
  entryId: string,
  facts: DatasetFacts,
): PublishDatasetVersion {
  return { type: 'PublishDatasetVersion', actor, at, entryId, ...facts };
}

export interface UploadRequest {
  readonly entryId: string;
  readonly verified: VerifiedRequest;
  readonly body: Readable;
  readonly mediaType: DatasetMediaType;
  /** The signed Content-Digest (sha-256). */
  readonly expectedDigest: Uint8Array;
  /** Content-Length when the client sent one. */
  readonly expectedLength: number | null;
  /** How many invalid records to list before validation stops. */
  readonly maxErrors: number;
}

export interface UploadResult {
  readonly version: DatasetVersionView;
  /** The same bytes were already the entry's version: nothing was written. */
  readonly replayed: boolean;
}

export interface DatasetUploadDeps {
  readonly handler: CommandHandler;
  readonly catalog: CatalogReadModel;
  readonly schemas: RecordSchemas;
  readonly blobs: BlobStore;
  /** Worker threads that check large uploads; null checks on the event loop. */
  readonly validationPool: RecordValidationPool | null;
  readonly limits: DirectoryLimits;
  readonly clock: () => number;
}

export class DatasetUploads {
  constructor(private readonly deps: DatasetUploadDeps) {}

  async upload(request: UploadRequest): Promise<UploadResult> {
    const { entryId, verified } = request;
    const { limits } = this.deps;
    const actor = actorSnapshot(verified.actor);
    const stream = catalogEntryStream(entryId);
    // Check ownership and the schema before reading the body: a refusal should not cost a gigabyte.
    const { state } = await this.deps.handler.fold(stream, catalogEntryDecider);
    try {
      assertUploadable(state, actor, entryId);
    } catch (error) {
      throw domainErrorToProblem(error);
    }
    const schema = this.deps.schemas.check(state.metadata.conformsTo);
    const ingested = await ingestDataset(request.body, {
      mediaType: request.mediaType,
      schema,
      pool: this.deps.validationPool,
      blobs: this.deps.blobs,
      expectedDigest: request.expectedDigest,
      expectedLength: request.expectedLength,
      maxBytes: limits.maxUploadBytes,
      maxRecordBytes: limits.maxRecordBytes,
      maxErrors: request.maxErrors,
    });
    const command = datasetVersionCommand(actor, signedTime(this.deps.clock(), verified), entryId, {
      ...ingested,
      mediaType: request.mediaType,
      schemaDigest: schema.digest,
    });
    const handled = await this.deps.handler.handle(stream, catalogEntryDecider, command, {
      metadata: signedRequestMetadata(requestEnvelope(verified)),
    });
    return this.answer(entryId, handled);
  }

  private answer(entryId: string, handled: Awaited<ReturnType<CommandHandler['handle']>>): UploadResult {
    let number: number;
    if (handled.kind === 'appended') number = (handled.events[0]!.data as { version: number }).version;
    else if (handled.kind === 'unchanged') {
      const before = handled.state as CatalogEntryState;
      number = before.status === 'none' ? 0 : before.versions.length;
    } else throw new Error(`an upload to ${entryId} was applied before, yet its request is unique`);
    const version = this.deps.catalog.version(entryId, number);
    if (version === undefined) throw new Error(`version of ${entryId} missing from the read model`);
    return { version, replayed: handled.kind !== 'appended' };
  }
}
