import { isoSeconds } from '../../protocol/iso-seconds.js';

/**
 * The time a signed request takes effect: the later of the node's clock and the signature's
 * `created`, so a signer cannot backdate a request into a grant's lifetime. A mirror checks that
 * the recorded time lies between created and created plus the allowed skew.
 */
export function signedTime(nowMs: number, verified: { readonly createdMs: number } | null): string {
  return isoSeconds(Math.max(nowMs, verified?.createdMs ?? 0));
}
