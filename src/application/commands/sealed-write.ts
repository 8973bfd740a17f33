/**
 * `?wait=sealed` on a write: the answer waits until the entry is in a signed
 * checkpoint and carries its leaf index and that checkpoint. What the answer
 * carries is one function, `SealedDecorator`, so a richer form (the full proof
 * bundle) can replace `withSealedReceipt` without touching the command flow.
 */

import type { LogReader, SealedCheckpoint } from '../../infrastructure/sequencer/log-reader.js';
import { LogClosedError, SealTimeoutError } from '../../infrastructure/sequencer/sequencer.js';
import type { WriteResult } from '../../protocol/write-result.js';
import { ProblemError } from '../problems/problem.js';

/** 'sealed': under a signed checkpoint; 'final': under one the witness quorum cosigned. */
export type WaitFor = 'sealed' | 'final';

/** Where a write ended up in the log, once sealed. */
export interface SealedReceipt {
  readonly leafIndex: number;
  /** The first checkpoint this node published (or adopted) whose tree contains leafIndex. */
  readonly checkpoint: SealedCheckpoint;
}

/** Turns a write result and its receipt into the answer; may read more from the log (proofs). */
export type SealedDecorator = (result: WriteResult, receipt: SealedReceipt, log: LogReader) => WriteResult;

/** The default answer: leafIndex and the checkpoint's size and note. */
export const withSealedReceipt: SealedDecorator = (result, receipt) => ({
  ...result,
  leafIndex: receipt.leafIndex,
  checkpoint: { treeSize: receipt.checkpoint.treeSize, note: receipt.checkpoint.note },
});

/** How long a sealed write waits by default: many seal intervals, yet well inside client timeouts. */
export const DEFAULT_SEAL_WAIT_MS = 10_000;
const SEAL_RETRY_SECONDS = 1;

/**
 * Waits for the entry of the event at `position` to be sealed. The caller has
 * already waited for the projector, so the leaf exists. Throws SEAL_TIMEOUT
 * (503 + Retry-After): the write itself is durable, and retrying the same
 * command answers from the command index without writing again.
 */
export async function awaitSeal(log: LogReader, position: bigint, timeoutMs: number): Promise<SealedReceipt> {
  const leafIndex = log.leafIndexForPosition(position);
  if (leafIndex === null) {
    throw new ProblemError(
      'SEAL_TIMEOUT',
      `event ${position} has no leaf yet; the write is durable, retry the same command to wait again`,
      { position: position.toString() },
      SEAL_RETRY_SECONDS,
    );
  }
  try {
    return { leafIndex, checkpoint: await log.waitForSeal(leafIndex, timeoutMs) };
  } catch (error) {
    if (error instanceof LogClosedError) {
      throw new ProblemError(
        'NOT_READY',
        `the node is shutting down before leaf ${leafIndex} was sealed; the write is durable, retry the same command`,
        { position: position.toString(), leafIndex },
        SEAL_RETRY_SECONDS,
      );
    }
    if (!(error instanceof SealTimeoutError)) throw error;
    throw new ProblemError(
      'SEAL_TIMEOUT',
      `leaf ${leafIndex} was not sealed within ${timeoutMs} ms; the write is durable, retry the same command to wait again`,
      { position: position.toString(), leafIndex },
      SEAL_RETRY_SECONDS,
    );
  }
}

/** What `?wait=final` waits on: the log's finality (the largest checkpoint the witness quorum cosigned). */
export interface Finality {
  /** Resolves with the final tree size once it exceeds leafIndex; rejects on timeout or shutdown. */
  waitForFinal(leafIndex: number, timeoutMs: number): Promise<number>;
  /** The published (cosigned) checkpoint of a tree size. */
  checkpointAt(treeSize: number): SealedCheckpoint | null;
}

/** How long a final write waits by default: witnesses answer in milliseconds, a dead one is waited out. */
export const DEFAULT_FINAL_WAIT_MS = 10_000;

/**
 * Waits until a sealed entry is under a checkpoint the witness quorum
 * cosigned and returns that checkpoint, cosignatures included. Throws
 * FINALITY_TIMEOUT (503 + Retry-After): the write is durable and sealed, and
 * retrying the same command waits again without writing again.
 */
export async function awaitFinal(
  finality: Finality,
  leafIndex: number,
  timeoutMs: number,
): Promise<SealedCheckpoint> {
  let treeSize: number;
  try {
    treeSize = await finality.waitForFinal(leafIndex, timeoutMs);
  } catch (error) {
    throw new ProblemError(
      'FINALITY_TIMEOUT',
      `leaf ${leafIndex} is sealed but not under a checkpoint the witness quorum cosigned within ${timeoutMs} ms ` +
        `(${(error as Error).message}); the write is durable, retry the same command to wait again`,
      { leafIndex },
      SEAL_RETRY_SECONDS,
    );
  }
  const checkpoint = finality.checkpointAt(treeSize);
  if (checkpoint === null) throw new Error(`the final checkpoint of size ${treeSize} is not published`);
  return checkpoint;
}
