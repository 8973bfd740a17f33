import { createHash } from 'node:crypto';
import type { Decider } from '../../domain/shared/decider.js';
import {
  type EventStore,
  type RecordedEvent,
  WrongExpectedRevisionError,
} from '../../infrastructure/eventstore/port.js';
import type { Projector } from '../../infrastructure/projections/projector.js';
import { requestEnvelope, type VerifiedRequest } from '../auth/verify-request.js';
import { ProblemError } from '../problems/problem.js';
import { domainErrorToProblem, storeErrorToProblem } from './error-mapping.js';

const MAX_ATTEMPTS = 5;
const STREAM_PAGE = 500;

export interface Appended {
  readonly position: bigint;
  readonly revision: bigint;
}

/**
 * Event metadata for a write caused by an RFC 9421-signed request rather than
 * a signed command envelope. The log leaf carries `envelope` as it does for
 * commands; here it holds the signature base and the signature, so the leaf
 * stays verifiable with the signer's key alone. The command id is derived
 * from the signature base, which is unique per request (created + nonce).
 */
export function signedRequestMetadata(verified: VerifiedRequest) {
  const digest = createHash('sha256').update(verified.signatureBase).digest('hex');
  return {
    commandId: `rfc9421:${digest.slice(0, 32)}`,
    actor: verified.actor.identityId,
    keyId: verified.key.keyId,
    payloadDigest: digest,
    envelope: requestEnvelope(verified),
  };
}

export async function readWholeStream(store: EventStore, stream: string): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readStream(stream, { fromRevision: BigInt(out.length), maxCount: STREAM_PAGE });
    out.push(...page);
    if (page.length < STREAM_PAGE) return out;
  }
}

export async function foldStream<S>(
  store: EventStore,
  stream: string,
  decider: Pick<Decider<unknown, { type: string; data: unknown }, S>, 'initialState' | 'evolve'>,
): Promise<{ state: S; revision: bigint | null }> {
  const history = await readWholeStream(store, stream);
  let state = decider.initialState();
  for (const e of history) state = decider.evolve(state, { type: e.type, data: e.data });
  return { state, revision: history.length === 0 ? null : history[history.length - 1]!.revision };
}

/**
 * Writes the events of a signed request (a dataset upload, a fetch) the way
 * the command service writes commands: decide against the stream's current
 * state, append with the expected revision, retry a lost race, and answer
 * only once the read models show the write.
 */
export class SignedRequestWriter {
  constructor(
    private readonly store: EventStore,
    private readonly projector: Projector,
  ) {}

  async decideAndAppend<C, E extends { type: string; data: unknown }, S>(
    stream: string,
    decider: Decider<C, E, S>,
    command: C,
    metadata: ReturnType<typeof signedRequestMetadata>,
  ): Promise<{ events: E[]; appended: Appended | null; state: S }> {
    for (let attempt = 1; ; attempt++) {
      const { state, revision } = await foldStream(this.store, stream, decider);
      let events: E[];
      try {
        events = decider.decide(command, state);
      } catch (error) {
        throw domainErrorToProblem(error);
      }
      if (events.length === 0) return { events, appended: null, state };
      try {
        const result = await this.store.append(
          stream,
          events.map((e) => ({ type: e.type, data: e.data as never, metadata: metadata as never })),
          revision ?? 'no_stream',
        );
        await this.projector.waitFor(result.position);
        return {
          events,
          appended: { position: result.position, revision: result.nextExpectedRevision },
          state,
        };
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError && attempt < MAX_ATTEMPTS) continue;
        if (error instanceof WrongExpectedRevisionError)
          throw new ProblemError('WRITE_CONFLICT', `stream ${stream} kept changing; retry the request`);
        throw storeErrorToProblem(error);
      }
    }
  }

  /** Appends events that no state decides about (fetch records), in any order with other writers. */
  async append(
    stream: string,
    events: readonly { type: string; data: unknown }[],
    metadata: ReturnType<typeof signedRequestMetadata>,
  ): Promise<Appended> {
    try {
      const result = await this.store.append(
        stream,
        events.map((e) => ({ type: e.type, data: e.data as never, metadata: metadata as never })),
        'any',
      );
      await this.projector.waitFor(result.position);
      return { position: result.position, revision: result.nextExpectedRevision };
    } catch (error) {
      throw storeErrorToProblem(error);
    }
  }
}
