import type { CommandPayload } from '../../domain/crypto/envelope.js';
import { ProblemError } from '../problems/problem.js';

const WAIT_TIMEOUTS = new Set(['SEAL_TIMEOUT', 'FINALITY_TIMEOUT']);

/**
 * A wait that timed out left a durable write behind. Saying "retry the same
 * command" is only useful if the client can: the command index answers a
 * repeat from what was stored when the commandId AND the payload are the same,
 * so a re-run that signs afresh (new commandId, new issuedAt) would write a
 * duplicate. The problem names both values and the CLI flags that reuse them.
 */
export async function withRetryAdvice<T>(
  payload: CommandPayload,
  maxSkewMs: number,
  wait: () => Promise<T>,
): Promise<T> {
  try {
    return await wait();
  } catch (error) {
    if (!(error instanceof ProblemError) || !WAIT_TIMEOUTS.has(error.code)) throw error;
    const { commandId, issuedAt } = payload;
    throw new ProblemError(
      error.code,
      `${error.detail.replace(/; the write is durable.*$/, '')}; the write is durable. To wait again without writing twice, ` +
        `send the same signed command again (same commandId ${commandId} and issuedAt ${issuedAt}) within ` +
        `${Math.round(maxSkewMs / 1000)} s of issuedAt; with the CLI, repeat it with ` +
        `--command-id ${commandId} --issued-at ${issuedAt}`,
      { ...error.extensions, commandId, issuedAt },
      error.retryAfterSeconds,
    );
  }
}
