import type { PackedDigests } from '../../domain/certification/batch-digest-intake.js';
import type { PrecomputedKeys } from '../../infrastructure/crypto/parallel-digest-intake.js';
import type { AnyDecider } from '../pipeline/handle-command.js';
import type { WriteMetadata } from '../pipeline/write-metadata.js';

/** A logged write as the mirror will run it through the pipeline: the same plan and metadata as the primary's. */
export interface ReplayWrite {
  readonly stream: string;
  readonly decider: AnyDecider;
  readonly command: unknown;
  readonly metadata: WriteMetadata;
  readonly streamOfCommand?: boolean;
  readonly appendOnly?: boolean;
  /** The log holds the write as void; the mirror copies it and expects the same verdict. */
  readonly expectVoid?: boolean;
  /** A batch write's digest list, read back from its slices and hashed (its tree offered to the read model). */
  readonly uploaded?: PackedDigests;
  /** The batch's record keys, computed by the worker that hashed `uploaded` (offered with its tree). */
  readonly recordKeys?: PrecomputedKeys;
  /** Lets go of what hashed `uploaded` (its worker thread); called once the write is applied or refused. */
  readonly release?: () => void;
}
