/**
 * A streamed bulk certification: the signed CertifyBatch command arrives
 * before its digest list (in a request header), so the node knows who sends
 * the list, and how long it may be, before it reads a byte of it. Admission
 * is the one command path's (CommandService.admit: route, issuedAt,
 * signature, key, actor; a retry is answered without the list) plus the
 * batch's own rules (issuer active and accredited, validity window, count).
 * Only then is the body streamed through ParallelDigestIntake (the count
 * checks, the hashing shared with a second core), into a buffer the signed
 * count sizes, hashed as it arrives; the decider then compares
 * the root and count and the write goes through the one pipeline.
 */

import { requireAdmissibleBatch } from '../../domain/certification/batch-decider.js';
import type { PackedDigests } from '../../domain/certification/batch-digest-intake.js';
import { batchIdFor } from '../../domain/certification/certification-id.js';
import type { CertifyBatch } from '../../domain/certification/commands.js';
import { requireActive } from '../../domain/certification/issuer-rules.js';
import type { SignedEnvelope } from '../../domain/crypto/envelope.js';
import { ParallelDigestIntake } from '../../infrastructure/crypto/parallel-digest-intake.js';
import { DeliveryBudget } from '../../infrastructure/eventstore/delivery-budget.js';
import type { OfferedTree } from '../../infrastructure/projections/batch-tree-handoff.js';
import type { WriteResult } from '../../protocol/write-result.js';
import { asIngestProblem } from '../directory/dataset-ingest.js';
import { domainErrorToProblem } from '../pipeline/error-mapping.js';
import { ProblemError } from '../problems/problem.js';
import type { CommandService } from './command-service.js';
import type { WaitFor } from './sealed-write.js';

/** Bytes per digest in a streamed list: raw SHA-256, end to end. */
export const STREAMED_DIGEST_BYTES = 32;

export interface BatchUploadRequest {
  readonly envelope: SignedEnvelope;
  /** The digest list: count × 32 raw bytes, in tree order. */
  readonly body: AsyncIterable<Uint8Array>;
  /** Content-Length when the client sent one. */
  readonly declaredLength: number | null;
  readonly wait?: WaitFor | undefined;
}

const ACCEPTS = ['CertifyBatch'];

/** Where an upload offers the tree it computed (the batch read model), so that it is not computed twice. */
export interface BatchTreeTaker {
  offerBatchTree?(root: string, tree: OfferedTree): () => void;
}

export class BatchUploads {
  constructor(
    private readonly commands: CommandService,
    private readonly trees: BatchTreeTaker = {},
  ) {}

  /**
   * Everything about a CertifyBatch that can be checked without its digest list (who signs, the issuer's
   * standing, the validity window, the count); true when it is a retry of a command already applied.
   */
  async admit(envelope: SignedEnvelope): Promise<boolean> {
    const { retry } = await this.commands.admit(envelope, ACCEPTS, (plan) => {
      const command = plan.command as CertifyBatch;
      requireActive(command.actor);
      requireAdmissibleBatch(command);
    });
    return retry;
  }

  async upload(request: BatchUploadRequest): Promise<WriteResult> {
    const { envelope, wait } = request;
    const retry = await this.admit(envelope);
    const intake = retry ? null : new ParallelDigestIntake(envelope.payload['count'] as number);
    try {
      const digests = intake === null ? undefined : await readDigests(request, intake);
      const stored = digests?.storedHashes;
      // The keys of the batch's records, computed by the intake's worker while the batch is appended.
      const recordKeys = intake?.recordKeys(
        batchIdFor(String(envelope.payload['actor']), String(envelope.payload['commandId'])),
      );
      // Offered only for as long as this upload runs: its projection happens before its answer.
      const withdraw =
        digests === undefined || stored === undefined
          ? undefined
          : this.trees.offerBatchTree?.(digests.root, {
              packed: digests.packed,
              storedHashes: stored,
              ...(recordKeys === undefined ? {} : { recordKeys }),
            });
      try {
        return await this.commands.execute(envelope, ACCEPTS, undefined, {
          wait,
          inputs: digests === undefined ? {} : { digests },
        });
      } finally {
        withdraw?.();
      }
    } finally {
      intake?.close();
    }
  }
}

/** Streams the list in; a Content-Length other than the signed count's is refused before the body is read. */
async function readDigests(
  request: BatchUploadRequest,
  intake: ParallelDigestIntake,
): Promise<PackedDigests> {
  const count = request.envelope.payload['count'] as number;
  const expected = count * STREAMED_DIGEST_BYTES;
  if (request.declaredLength !== null && request.declaredLength !== expected) {
    throw new ProblemError(
      'BATCH_COUNT_MISMATCH',
      `Content-Length is ${request.declaredLength} bytes, but the command certifies ${count} records: ` +
        `allowed exactly ${expected} bytes (${STREAMED_DIGEST_BYTES} per record)`,
    );
  }
  try {
    // Chunks already buffered come one after another without the event loop turning, each hashing
    // up to a block on this thread: a run of them held health checks and other requests ~160 ms.
    const budget = new DeliveryBudget();
    for await (const chunk of request.body) {
      intake.push(chunk);
      if (budget.spent) await budget.pause();
    }
    return await intake.finish();
  } catch (error) {
    throw asIngestProblem(domainErrorToProblem(error), intake.byteCount);
  }
}
