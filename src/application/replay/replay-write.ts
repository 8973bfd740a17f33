import type { AnyDecider } from '../pipeline/handle-command.js';
import type { WriteMetadata } from '../pipeline/write-metadata.js';
import type { ReadBackList } from './upstream-entries.js';

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
  /**
   * A batch write's digest list, read back from its slices and hashed: its tree and record keys are
   * offered to the read model, and it is released once the write is applied or refused.
   */
  readonly uploaded?: ReadBackList;
}
