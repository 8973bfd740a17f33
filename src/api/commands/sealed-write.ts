/**
 * `?wait=sealed` on a write: the answer waits until the entry is in a signed
 * checkpoint and carries its leaf index and that checkpoint. What the answer
 * carries is one function, `SealedDecorator`, so a richer form (the full proof
 * bundle) can replace `withSealedReceipt` without touching the command flow.
 */

import type { LogReader, SealedCheckpoint } from '../../infrastructure/sequencer/log-reader.js';
import { LogClosedError, SealTimeoutError } from '../../infrastructure/sequencer/sequencer.js';
import { ProblemError } from '../problems/problem.js';
import type { WriteResult } from './write-result.js';

export type WaitFor = 'sealed';

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
