/**
 * Reading a dataset version: who may read it is decided by the fetch policy
 * against the entry and the presented grant as their streams stand, and a
 * signed read is recorded (DatasetFetched) through the one write pipeline
 * before the first byte leaves. A mirror replaying a recorded fetch judges it
 * with the same entryState and presentedGrant, and the same policy.
 */

import { accessDecider } from '../../domain/directory/access-decider.js';
import { type CatalogEntryState, catalogEntryDecider } from '../../domain/directory/catalog-entry-decider.js';
import { requestIdOfGrant } from '../../domain/directory/directory-ids.js';
import { accessRequestStream, catalogEntryStream, fetchAuditStream } from '../../domain/directory/events.js';
import { authorizeFetch, type FetchAnswer, type FetchQuestion } from '../../domain/directory/fetch-policy.js';
import type { Decider } from '../../domain/shared/decider.js';
import { actorSnapshot } from '../auth/actor-snapshot.js';
import { requestEnvelope, type VerifiedRequest } from '../auth/verify-request.js';
import { domainErrorToProblem } from '../pipeline/error-mapping.js';
import type { CommandHandler, DecidedEvent } from '../pipeline/handle-command.js';
import { signedRequestMetadata } from '../pipeline/write-metadata.js';
import { ProblemError } from '../problems/problem.js';
import { signedTime } from './signed-time.js';

/** A fetch's audit record is decided by the fetch policy; its stream only collects the records, unread. */
export const fetchAuditDecider: Decider<DecidedEvent, DecidedEvent, null> = {
  initialState: () => null,
  evolve: () => null,
  decide: (event) => [event],
};

/** The entry's current state, folded from its stream. */
export async function entryState(streams: StreamFolder, entryId: string): Promise<CatalogEntryState> {
  return (await streams.fold(catalogEntryStream(entryId), catalogEntryDecider)).state;
}

/** A grant with its request stream's current state, as the fetch policy judges it; null for none. */
export async function presentedGrant(streams: StreamFolder, grantId: string | null): Promise<PresentedGrant> {
  if (grantId === null) return null;
  const { state } = await streams.fold(accessRequestStream(requestIdOfGrant(grantId)), accessDecider);
  return { grantId, state };
}

/** What folds a stream's valid events (the write pipeline's CommandHandler). */
type StreamFolder = Pick<CommandHandler, 'fold'>;

type PresentedGrant = FetchQuestion['grant'];

export interface FetchRequest {
  readonly entryId: string;
  readonly version: number | 'latest';
  /** The signed request, or null for an anonymous read. */
  readonly verified: VerifiedRequest | null;
  /** The grant the client named, if any. */
  readonly grantId: string | null;
}

export interface DatasetFetchDeps {
  readonly handler: CommandHandler;
  /** The grants a department holds on an entry, the usable ones first. */
  readonly grantCandidates: (entryId: string, consumerId: string) => readonly string[];
  readonly clock: () => number;
}

export class DatasetFetches {
  constructor(private readonly deps: DatasetFetchDeps) {}

  /** Decides the read and records a signed one; the answer names the version whose bytes may leave. */
  async fetch(request: FetchRequest): Promise<FetchAnswer> {
    const { entryId, verified } = request;
    const entry = await entryState(this.deps.handler, entryId);
    if (verified === null && entry.status !== 'none' && entry.metadata.accessRights !== 'public') {
      throw new ProblemError(
        'SIGNATURE_MISSING',
        `catalog entry ${entryId} is ${entry.metadata.accessRights}: sign the request (RFC 9421) as a grant holder`,
      );
    }
    const answer = await this.firstGrantThatWorks(request, entry);
    if (answer.event !== null && verified !== null) {
      // The audit record is durable before the first byte leaves.
      await this.deps.handler.handle(fetchAuditStream(entryId), fetchAuditDecider, answer.event, {
        metadata: signedRequestMetadata(requestEnvelope(verified)),
        appendOnly: true,
      });
    }
    return answer;
  }

  /** Tries the department's grants in turn (active first); reports why the best one failed if none works. */
  private async firstGrantThatWorks(request: FetchRequest, entry: CatalogEntryState): Promise<FetchAnswer> {
    const consumer = request.verified === null ? null : actorSnapshot(request.verified.actor);
    const at = signedTime(this.deps.clock(), request.verified);
    const grantIds: readonly (string | null)[] =
      request.grantId !== null
        ? [request.grantId]
        : consumer === null
          ? []
          : this.deps.grantCandidates(request.entryId, consumer.identityId);
    let refusal: unknown = null;
    for (const grantId of grantIds.length === 0 ? [null] : grantIds) {
      const grant = await presentedGrant(this.deps.handler, grantId);
      try {
        return authorizeFetch({
          entryId: request.entryId,
          entry,
          version: request.version,
          consumer,
          grant,
          at,
        });
      } catch (error) {
        refusal ??= error;
      }
    }
    throw domainErrorToProblem(refusal);
  }
}
