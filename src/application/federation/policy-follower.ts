/**
 * How a mirror without a policy of its own follows upstream's as it changes:
 * it fetches the log-signed policy note every round and adopts it only if it
 * verifies under the log key the mirror pins, names that log and a policy
 * listing its key, and carries a higher sequence than the version it follows.
 *
 * Anything else is refused: the mirror keeps the policy it has, says why in
 * its status (an open alert, a pino warning `mirror_policy_refused` once per
 * reason) and goes on replicating, since the log itself is verified apart
 * from the policy; only which cosignatures count is at stake. The unsigned
 * text form (/v1/federation/policy) is never read: anyone on the path could
 * have rewritten it.
 */

import { policyUpdate, readSignedPolicy, type SignedPolicy } from '../../domain/federation/index.js';
import type { NoteVerifier } from '../../domain/log/index.js';
import type { UpstreamClient } from '../../infrastructure/federation/upstream-client.js';

export interface PolicyRefusal {
  /** Why the last policy upstream offered was refused. */
  readonly reason: string;
  /** The upstream that offered it. */
  readonly upstream: string;
  readonly at: string;
}

export interface PolicyFollowerOptions {
  readonly logKey: string;
  readonly logVerifier: NoteVerifier;
  /** The version followed before a restart, or null. */
  readonly followed: SignedPolicy | null;
  /** A version was adopted: persist it, and read cosignatures with it from now on. */
  readonly adopt: (signed: SignedPolicy) => void;
  readonly clock?: () => number;
  readonly notice?: (line: string) => void;
}

export class PolicyFollower {
  private current: SignedPolicy | null;
  private refusal: PolicyRefusal | null = null;

  constructor(private readonly options: PolicyFollowerOptions) {
    this.current = options.followed;
  }

  /** The signed policy followed now, served on unchanged; null before the first. */
  get signed(): SignedPolicy | null {
    return this.current;
  }

  /** Why upstream's last offer was refused; null once an offer is accepted (or is the one followed). */
  get refused(): PolicyRefusal | null {
    return this.refusal;
  }

  /** One round: fetch upstream's signed policy, adopt it, keep the current one, or refuse it. */
  async follow(client: UpstreamClient): Promise<void> {
    const note = await client.policyNote();
    if (note === null) return;
    const decision = this.decide(note);
    if (decision !== 'same' && 'refused' in decision) return this.refuse(client.url, decision.refused);
    this.refusal = null;
    if (decision === 'same') return;
    const before = this.current;
    this.current = decision;
    this.options.adopt(decision);
    this.options.notice?.(
      `mirror: ${before === null ? 'adopted' : 'follows the changed'} trust policy of ${client.url} ` +
        `(sequence ${decision.sequence})`,
    );
  }

  private decide(note: string): SignedPolicy | 'same' | { refused: string } {
    let offered: SignedPolicy;
    try {
      offered = readSignedPolicy(note, this.options.logVerifier, this.options.logKey);
    } catch (error) {
      return { refused: `not a policy signed by the log key: ${(error as Error).message}` };
    }
    const update = policyUpdate(this.current, offered);
    return update === 'adopt' ? offered : update;
  }

  private refuse(upstream: string, reason: string): void {
    const repeated = this.refusal?.reason === reason && this.refusal.upstream === upstream;
    if (repeated) return;
    const at = new Date(this.options.clock?.() ?? Date.now()).toISOString();
    this.refusal = { reason, upstream, at };
    this.options.notice?.(
      `mirror: refused the trust policy of ${upstream}: ${reason}; it keeps ` +
        (this.current === null ? 'none' : `sequence ${this.current.sequence}`),
    );
  }
}
