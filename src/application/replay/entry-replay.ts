/**
 * How a mirror applies the log entries it pulled: never because upstream sent
 * them, only because its own node, replaying the signed input of each write
 * through the same authenticate → plan → decide → append pipeline the primary
 * ran, against its own state at that point of the log, decides exactly the
 * same events. They are then appended to the mirror's own store, to the same
 * stream with the expected revision the mirror's state implies; the mirror's
 * sequencer then computes the tree from them.
 *
 * One write is one group of consecutive entries sharing a stream and an
 * envelope (an append is atomic and contiguous in commit order). A group
 * whose decided events are longer than what has arrived (a checkpoint cut a
 * large batch) waits for the rest.
 *
 * What is re-verified, per kind of envelope:
 *  - signed commands: the Ed25519 signature against the identity registry as
 *    it stands at that point of the log (key known, registered to the actor,
 *    not retired, actor not revoked), the command id unused, the plan (stream,
 *    accreditations, batch root over the uploaded digest slices) and the
 *    decider's events. Not re-checked: `issuedAt` against a wall clock — a
 *    mirror replays old commands, so their recorded time is the time;
 *  - the genesis (RegisterAuthority): signed by the key it registers, first
 *    entry of the log, decided from the empty state;
 *  - RFC 9421 signed requests (dataset uploads and fetches): see
 *    signed-request-replay.ts. Not re-checked: the dataset bytes themselves
 *    (record count, byte count, schema validity, that they hash to the
 *    digest): a mirror does not receive the blobs.
 */

import type { SignedPayloadTexts } from '../../domain/canonical/signed-payload-texts.js';
import { batchIdFor } from '../../domain/certification/certification-id.js';
import type { SignedEnvelope } from '../../domain/crypto/envelope.js';
import type { Verdict } from '../../domain/log-state/judge-write.js';
import { type LoggedWrite, signerOf } from '../../domain/log-state/logged-write.js';
import type { KeyRecord } from '../../domain/log-state/state-records.js';
import type { EventStore } from '../../infrastructure/eventstore/port.js';
import type { CommandIndex } from '../../infrastructure/projections/command-index.js';
import type { IdentityRegistry } from '../../infrastructure/projections/identity-registry.js';
import type { Projector } from '../../infrastructure/projections/projector.js';
import { actorSnapshot } from '../auth/actor-snapshot.js';
import { authenticate } from '../auth/authenticate.js';
import type { BatchTreeTaker } from '../commands/batch-uploads.js';
import { planGenesis } from '../commands/genesis.js';
import { planSignedCommand } from '../commands/plan-signed-command.js';
import type { PlanContext } from '../pipeline/command-plan.js';
import {
  CommandHandler,
  type DecidedEvent,
  type Handled,
  type WriteVerdicts,
} from '../pipeline/handle-command.js';
import { commandMetadata } from '../pipeline/write-metadata.js';
import { ProblemError } from '../problems/problem.js';
import type { ReplayWrite } from './replay-write.js';
import { replaySignedRequest } from './signed-request-replay.js';
import {
  batchIncomplete,
  batchUpload,
  groupLength,
  isObject,
  type ReadBackList,
  sameEvent,
  type UpstreamEntry,
} from './upstream-entries.js';
import { replayVoidWrite } from './void-replay.js';

export type { UpstreamEntry } from './upstream-entries.js';
export { groupLength } from './upstream-entries.js';

/** An entry the mirror refuses: the write it belongs to does not replay to the same events. */
export class ReplayRejectedError extends Error {
  constructor(
    readonly leafIndex: number,
    message: string,
  ) {
    super(`entry ${leafIndex}: ${message}`);
    this.name = 'ReplayRejectedError';
  }
}

/** The mirror's own ordered state machine, as it stands before the write being replayed, and its verdicts. */
export interface ReplayJudge extends WriteVerdicts {
  judge(write: LoggedWrite): Verdict;
  keyRecord(keyId: string): KeyRecord | null;
}

export interface EntryReplayDeps {
  readonly store: EventStore;
  readonly logState: ReplayJudge;
  readonly projector: Projector;
  readonly registry: IdentityRegistry;
  readonly commands: CommandIndex;
  readonly certifications: PlanContext['certifications'];
  readonly directory: PlanContext['directory'];
  /** The skew the primary allows between a signed request's `created` and its own clock. */
  readonly maxSkewMs: number;
  /** Where a replayed batch's tree is offered (the batch read model), so that it is not hashed twice. */
  readonly trees?: BatchTreeTaker;
  /** Where a verified payload's RFC 8785 text waits for its log leaf (the sequencer's). */
  readonly payloadTexts?: SignedPayloadTexts;
}

export type ReplayResult =
  /** The group was appended; `count` entries were consumed. */
  | { readonly applied: true; readonly count: number; readonly position: bigint }
  /** The group's events are a prefix of what its write decides: wait for more entries. */
  | { readonly applied: false };

/** The group so far is a prefix of what its write decides: nothing is appended yet. */
class AwaitingRest extends Error {}

/** A mirror's read models lag its store only for the instant of a write; a minute means something is wrong. */
const SETTLE_TIMEOUT_MS = 60_000;

export class EntryReplayer {
  private readonly handler: CommandHandler;
  private readonly context: PlanContext;

  constructor(private readonly deps: EntryReplayDeps) {
    this.handler = new CommandHandler({
      store: deps.store,
      projector: deps.projector,
      verdicts: deps.logState,
      settleTimeoutMs: SETTLE_TIMEOUT_MS,
    });
    this.context = {
      identities: deps.registry,
      // get() only: a replayed entry was accepted by the log already, so the duplicate check (latestOfRecord) is not run again.
      certifications: { get: (certificationId) => deps.certifications.get(certificationId) },
      directory: deps.directory,
    };
  }

  /**
   * Replays the write at the head of `entries` (entries[0] must be the next
   * leaf the mirror lacks). A write is known to be whole only when another
   * entry follows it in the list; one that ends the list may continue in
   * entries not pulled yet, and waits when it decides more events than it
   * has. Throws ReplayRejectedError when the write does not replay.
   */
  async replayNext(entries: readonly UpstreamEntry[]): Promise<ReplayResult> {
    const length = groupLength(entries);
    const group = entries.slice(0, length);
    const head = group[0]!;
    const complete = length < entries.length;
    // A batch cut by a checkpoint: its digest slices have not all arrived, so its root cannot be checked yet.
    if (!complete && batchIncomplete(group)) return { applied: false };
    const reject = (message: string) => new ReplayRejectedError(head.leafIndex, message);
    let handled: Handled;
    let withdraw: (() => void) | undefined;
    let write: ReplayWrite | undefined;
    try {
      write = await this.planWrite(group, reject);
      if (write.stream !== head.stream)
        throw reject(`the write belongs to ${write.stream}, not ${head.stream}`);
      // The batch tree just hashed to check the signed root, and its record keys: the read model stores
      // them instead of computing them again (batch-tree-handoff.ts), for as long as this write is applied.
      const uploaded = write.uploaded;
      if (uploaded?.digests.storedHashes !== undefined)
        withdraw = this.deps.trees?.offerBatchTree?.(uploaded.digests.root, {
          packed: uploaded.digests.packed,
          storedHashes: uploaded.digests.storedHashes,
          ...(uploaded.recordKeys === undefined ? {} : { recordKeys: uploaded.recordKeys }),
        });
      handled = await this.handler.handle(write.stream, write.decider, write.command, {
        metadata: write.metadata,
        streamOfCommand: write.streamOfCommand,
        appendOnly: write.appendOnly,
        expectVoid: write.expectVoid,
        // The mirror is its store's only writer: a changed stream is not a race to retry.
        maxAttempts: 1,
        beforeAppend: (events) => compareWithLog(group, events, complete, reject),
      });
    } catch (error) {
      if (error instanceof AwaitingRest) return { applied: false };
      if (error instanceof ReplayRejectedError) throw error;
      const reason =
        error instanceof ProblemError ? `${error.code}: ${error.detail}` : (error as Error).message;
      throw reject(`${head.type} does not replay: ${reason}`);
    } finally {
      withdraw?.();
      write?.uploaded?.release();
    }
    if (handled.kind === 'applied-before') throw reject('the write was applied already');
    if (handled.kind === 'unchanged')
      throw reject(`the write decides 0 events, upstream logged ${group.length}`);
    return { applied: true, count: group.length, position: handled.position };
  }

  private async planWrite(
    group: readonly UpstreamEntry[],
    reject: (message: string) => Error,
  ): Promise<ReplayWrite> {
    const head = group[0]!;
    const envelope = head.envelope;
    if (!isObject(envelope)) throw reject('the entry carries no signed input');
    // Judged in log order first, as the primary's state machine judged it: a void write is copied, not decided.
    const signer = signerOf(envelope);
    const write = {
      leafIndex: head.leafIndex,
      signer,
      events: [{ type: head.type, data: head.data, leafIndex: head.leafIndex }],
    };
    const { logState } = this.deps;
    if (!logState.judge(write).valid)
      return replayVoidWrite(group, envelope, signer, (keyId) => logState.keyRecord(keyId), reject);
    if (envelope['scheme'] === 'rfc9421')
      return replaySignedRequest(group, envelope, { ...this.deps, streams: this.handler }, reject);
    if (!isObject(envelope['payload']) || !isObject(envelope['signature']))
      throw reject('the envelope is neither a signed command nor a signed request');
    const signed = envelope as unknown as SignedEnvelope;
    if (signed.payload.type === 'RegisterAuthority') return this.planGenesis(group, signed, reject);
    return this.planCommand(group, signed, reject);
  }

  /** The log's first write: the root authority registers itself with the key that signs the registration. */
  private async planGenesis(
    group: readonly UpstreamEntry[],
    envelope: SignedEnvelope,
    reject: (message: string) => Error,
  ): Promise<ReplayWrite> {
    if (group[0]!.leafIndex !== 0 || (await this.deps.store.lastPosition()) !== null)
      throw reject('a RegisterAuthority that is not the first entry of the log');
    let genesis: ReturnType<typeof planGenesis>;
    try {
      genesis = planGenesis(envelope);
    } catch (error) {
      throw reject((error as Error).message);
    }
    return { ...genesis.plan, metadata: genesis.metadata, streamOfCommand: true };
  }

  private async planCommand(
    group: readonly UpstreamEntry[],
    envelope: SignedEnvelope,
    reject: (message: string) => Error,
  ): Promise<ReplayWrite> {
    const { payload } = envelope;
    // The recorded issuedAt is the time: a mirror cannot re-check wall-clock skew for a command signed long ago.
    const auth = await authenticate(
      envelope,
      this.deps.registry,
      Date.parse(payload.issuedAt),
      1,
      this.deps.payloadTexts,
    );
    if (this.deps.commands.get(payload.actor, payload.commandId) !== undefined)
      throw reject(`command ${payload.commandId} of ${payload.actor} was already applied`);
    const list = await uploadOf(group, payload, reject);
    const inputs = list === undefined ? {} : { digests: list.digests, sliceEncoding: list.encoding };
    let plan: ReturnType<typeof planSignedCommand>;
    try {
      plan = planSignedCommand(payload, actorSnapshot(auth.actor), this.context, inputs);
    } catch (error) {
      list?.release();
      throw error;
    }
    return {
      ...plan,
      streamOfCommand: plan.streamOfCommand === true,
      metadata: commandMetadata(envelope, auth.payloadDigest),
      ...(list === undefined ? {} : { uploaded: list }),
    };
  }
}

/** What a batch write uploaded beside its command, read back from its slices; nothing for other writes. */
async function uploadOf(
  group: readonly UpstreamEntry[],
  payload: SignedEnvelope['payload'],
  reject: (message: string) => Error,
): Promise<ReadBackList | undefined> {
  if (payload.type !== 'CertifyBatch') return undefined;
  const upload = await batchUpload(group, batchIdFor(payload.actor, payload.commandId));
  if ('malformed' in upload) throw reject(`CertifyBatch does not replay: ${upload.malformed}`);
  return upload;
}

/**
 * Refuses a write whose decided events are not what the log holds: each event the same, no more
 * events logged than decided, and as many as decided once the group is known whole. A group that is
 * a prefix of its write waits (AwaitingRest).
 */
function compareWithLog(
  group: readonly UpstreamEntry[],
  events: readonly DecidedEvent[],
  complete: boolean,
  reject: (message: string) => Error,
): void {
  const prefix = Math.min(group.length, events.length);
  for (let i = 0; i < prefix; i++) {
    if (!sameEvent(group[i]!, events[i]!)) {
      throw new ReplayRejectedError(
        group[i]!.leafIndex,
        `upstream says ${group[i]!.type}, replaying the write decides ${events[i]!.type} with other data`,
      );
    }
  }
  if (group.length > events.length || (complete && group.length < events.length))
    throw reject(`the write decides ${events.length} events, upstream logged ${group.length}`);
  if (group.length < events.length) throw new AwaitingRest();
}
