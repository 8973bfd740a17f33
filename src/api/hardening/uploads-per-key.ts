import type { FastifyReply } from 'fastify';
import { ProblemError } from '../../application/problems/problem.js';
import { CountsByKey } from './counts-by-key.js';

/**
 * Dataset uploads each key has in flight, capped: one department cannot take
 * every upload the node can stream at once. Only a key whose signature the
 * route has verified may be counted. A key id is public, so counting the key
 * a request merely names would let anyone hold that key's slots with forged
 * requests (a refusal the forger never reads keeps its request open) and lock
 * the key's department out of uploading.
 */
export class UploadsPerKey {
  readonly #counts = new CountsByKey();

  constructor(private readonly max: number) {}

  /**
   * Takes one of `keyId`'s slots until the response closes, whether it
   * finished or the client went away; 429 + Retry-After when all are taken.
   * Call it with a verified key only, before the body is read.
   */
  hold(keyId: string, reply: FastifyReply): void {
    const held = this.#counts.held(keyId);
    if (held >= this.max) {
      throw new ProblemError(
        'UPLOADS_PER_KEY_EXCEEDED',
        `key ${keyId} has ${this.max} uploads in flight; allowed: at most ${this.max} at once; retry after 2 s`,
        { keyId, maxUploadsPerKey: this.max },
        2,
      );
    }
    const release = this.#counts.add(keyId);
    // A response that already closed will not say so again: give its slot back now.
    if (reply.raw.destroyed) release();
    else reply.raw.once('close', release);
  }
}
