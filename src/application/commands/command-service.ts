import type { CommandPayload, SignedEnvelope } from '../../domain/crypto/envelope.js';
import type { ActorSnapshot } from '../../domain/shared/decider.js';
import {
  type AppendResult,
  type EventStore,
  type JsonValue,
  type RecordedEvent,
  WrongExpectedRevisionError,
} from '../../infrastructure/eventstore/port.js';
import type { CommandIndex } from '../../infrastructure/projections/command-index.js';
import type { IdentityRegistry } from '../../infrastructure/projections/identity-registry.js';
import { eventMetadata } from '../../infrastructure/projections/projection.js';
import type { Projector } from '../../infrastructure/projections/projector.js';
import type { LogReader } from '../../infrastructure/sequencer/log-reader.js';
import type { WriteResult } from '../../protocol/write-result.js';
import { type Authenticated, authenticate } from '../auth/authenticate.js';
import { ProblemError } from '../problems/problem.js';
import { type CommandPlan, planCommand } from './command-plan.js';
import type { DirectoryPlanning } from './directory-plan.js';
import { domainErrorToProblem, storeErrorToProblem } from './error-mapping.js';
import {
  awaitFinal,
  awaitSeal,
  DEFAULT_FINAL_WAIT_MS,
  DEFAULT_SEAL_WAIT_MS,
  type Finality,
  type SealedDecorator,
  type WaitFor,
  withSealedReceipt,
} from './sealed-write.js';

export interface CommandServiceOptions {
  readonly store: EventStore;
  readonly registry: IdentityRegistry;
  readonly commands: CommandIndex;
  readonly projector: Projector;
  readonly clock: () => number;
  readonly maxSkewMs: number;
  /** Where citizens reach this node; proof URLs are `${publicUrl}/p/${id}`. Read at each use: a node on port 0 learns its URL late. */
  readonly links: { readonly publicUrl: string };
  /** The Merkle log, for `?wait=sealed`. */
  readonly log?: LogReader;
  /** How long `?wait=sealed` waits before SEAL_TIMEOUT. */
  readonly sealWaitMs?: number;
  /** What a sealed write answers (default: leafIndex and checkpoint); the proof bundle plugs in here. */
  readonly decorateSealed?: SealedDecorator;
  /** Read-model facts directory commands are planned with (the entry behind a request, record schemas). */
  readonly directory?: DirectoryPlanning;
  /** The witness quorum's finality, for `?wait=final`. */
  readonly finality?: Finality;
  /** How long `?wait=final` waits before FINALITY_TIMEOUT. */
  readonly finalWaitMs?: number;
}

export interface ExecuteOptions {
  /** 'sealed': answer once the entry is in a signed checkpoint. */
  readonly wait?: WaitFor;
  /**
   * Plans the command in place of planCommand when it returns a plan: for
   * commands that need more than the signed payload (a bulk certification's
   * uploaded digests, the batch behind a bulk record's status change).
   */
  readonly plan?: Planner;
}

/** A route's own planning of a verified payload; null leaves it to planCommand. */
export type Planner = (payload: CommandPayload, actor: ActorSnapshot) => CommandPlan | null;

/** A write conflicts only under a race on the same stream; a few retries settle it. */
const MAX_ATTEMPTS = 5;
const STREAM_PAGE = 500;

/**
 * Runs a signed command: authenticate, answer retries, decide against the
 * stream's current state, append with the expected revision, and wait until
 * the read models show the write, so the caller can read it back at once.
 */
export class CommandService {
  private readonly inFlight = new Map<string, { digest: string; result: Promise<WriteResult> }>();

  constructor(private readonly options: CommandServiceOptions) {}

  async execute(
    envelope: SignedEnvelope,
    accepts: readonly string[],
    pathId?: { field: string; value: string },
    options: ExecuteOptions = {},
  ): Promise<WriteResult> {
    const result = await this.executeDurably(envelope, accepts, pathId, options.plan);
    if (options.wait === 'final') return this.final(await this.sealed(result));
    return options.wait === 'sealed' ? this.sealed(result) : result;
  }

  /** Waits until the sealed write is under a checkpoint the witness quorum cosigned, and answers with that one. */
  private async final(result: WriteResult): Promise<WriteResult> {
    if (result.leafIndex === undefined) return result;
    const { finality } = this.options;
    if (finality === undefined)
      throw new Error("wait=final needs the log's finality, and this service has none");
    const checkpoint = await awaitFinal(
      finality,
      result.leafIndex,
      this.options.finalWaitMs ?? DEFAULT_FINAL_WAIT_MS,
    );
    return { ...result, checkpoint: { treeSize: checkpoint.treeSize, note: checkpoint.note } };
  }

  /** Waits until the write's last event is in a signed checkpoint; a write that changed nothing answers at once. */
  private async sealed(result: WriteResult): Promise<WriteResult> {
    const { log } = this.options;
    if (result.position === null) return result;
    if (log === undefined) throw new Error('wait=sealed needs the Merkle log, and this service has none');
    const receipt = await awaitSeal(
      log,
      BigInt(result.position),
      this.options.sealWaitMs ?? DEFAULT_SEAL_WAIT_MS,
    );
    return (this.options.decorateSealed ?? withSealedReceipt)(result, receipt, log);
  }

  private async executeDurably(
    envelope: SignedEnvelope,
    accepts: readonly string[],
    pathId?: { field: string; value: string },
    planner?: Planner,
  ): Promise<WriteResult> {
    const { payload } = envelope;
    if (!accepts.includes(payload.type)) {
      throw new ProblemError(
        'COMMAND_TYPE_MISMATCH',
        `this route accepts ${accepts.join(' or ')}, not ${payload.type}`,
      );
    }
    if (pathId !== undefined && payload[pathId.field] !== pathId.value) {
      throw new ProblemError(
        'PATH_MISMATCH',
        `payload.${pathId.field} must equal the id in the path (${pathId.value})`,
      );
    }
    const auth = await authenticate(
      envelope,
      this.options.registry,
      this.options.clock(),
      this.options.maxSkewMs,
    );

    const applied = this.options.commands.get(payload.actor, payload.commandId);
    if (applied !== undefined) {
      if (applied.payloadDigest !== auth.payloadDigest) throw reused(payload.commandId);
      return this.withLinks({
        commandId: applied.commandId,
        type: applied.type,
        stream: applied.stream,
        position: applied.position.toString(),
        streamRevision: applied.streamRevision.toString(),
        events: applied.events,
        ...this.plan(payload, auth, planner).resourceIds,
        replayed: true,
      });
    }

    // Concurrent retries of one command share one execution instead of racing each other.
    const key = `${payload.actor}\u0000${payload.commandId}`;
    const running = this.inFlight.get(key);
    if (running !== undefined) {
      if (running.digest !== auth.payloadDigest) throw reused(payload.commandId);
      return { ...(await running.result), replayed: true };
    }
    const result = this.run(envelope, auth, planner);
    this.inFlight.set(key, { digest: auth.payloadDigest, result });
    try {
      return await result;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private plan(payload: CommandPayload, auth: Authenticated, planner?: Planner): CommandPlan {
    return (
      planner?.(payload, snapshot(auth)) ??
      planCommand(payload, snapshot(auth), this.options.registry, this.options.directory)
    );
  }

  private async run(envelope: SignedEnvelope, auth: Authenticated, planner?: Planner): Promise<WriteResult> {
    const { payload } = envelope;
    const plan = this.plan(payload, auth, planner);
    const metadata = {
      commandId: payload.commandId,
      actor: payload.actor,
      keyId: payload.keyId,
      payloadDigest: auth.payloadDigest,
      envelope: envelope as unknown as Record<string, never>,
    };
    for (let attempt = 1; ; attempt++) {
      if (attempt === 1 && plan.streamOfCommand === true) {
        const written = await this.appendToNewStream(payload, plan, metadata);
        if (written !== null) return written;
        continue;
      }
      const history = await this.readStream(plan.stream);
      const earlier = history.filter((e) => {
        const m = eventMetadata(e);
        return m !== null && m.actor === payload.actor && m.commandId === payload.commandId;
      });
      // Another node (or a crashed run) already applied this command: answer as a retry.
      if (earlier.length > 0) {
        if (eventMetadata(earlier[0]!)!.payloadDigest !== auth.payloadDigest) throw reused(payload.commandId);
        const last = earlier[earlier.length - 1]!;
        await this.options.projector.waitFor(last.position);
        return this.result(
          payload.commandId,
          payload.type,
          plan,
          earlier.map((e) => e.type),
          last,
          true,
        );
      }
      let state = plan.decider.initialState();
      for (const e of history) state = plan.decider.evolve(state, { type: e.type, data: e.data });
      let events: { type: string; data: unknown }[];
      try {
        events = plan.decider.decide(plan.command, state);
      } catch (error) {
        throw domainErrorToProblem(error);
      }
      if (events.length === 0) {
        return this.withLinks({
          commandId: payload.commandId,
          type: payload.type,
          stream: plan.stream,
          position: null,
          streamRevision: history.length === 0 ? null : history[history.length - 1]!.revision.toString(),
          events: [],
          ...plan.resourceIds,
          replayed: false,
        });
      }
      const expected = history.length === 0 ? 'no_stream' : history[history.length - 1]!.revision;
      try {
        const appended = await this.options.store.append(
          plan.stream,
          events.map((e) => ({ type: e.type, data: e.data as never, metadata })),
          expected,
        );
        await this.options.projector.waitFor(appended.position);
        return this.appended(payload, plan, events, appended);
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError) {
          if (attempt < MAX_ATTEMPTS) continue;
          throw new ProblemError('WRITE_CONFLICT', `stream ${plan.stream} kept changing; retry the command`);
        }
        throw storeErrorToProblem(error);
      }
    }
  }

  /**
   * A command whose stream is named after it, which the command index has not seen: its stream is
   * new unless another node or a crashed run applied it, so it is decided against the initial state
   * and appended with 'no_stream', without reading the stream. null sends it down the reading path:
   * when the stream exists after all (the retry is answered from what it holds), and when the
   * decider refuses or has nothing to do (the answer then comes from the stream as it really is).
   */
  private async appendToNewStream(
    payload: CommandPayload,
    plan: CommandPlan,
    metadata: JsonValue,
  ): Promise<WriteResult | null> {
    let events: { type: string; data: unknown }[];
    try {
      events = plan.decider.decide(plan.command, plan.decider.initialState());
    } catch {
      return null;
    }
    if (events.length === 0) return null;
    try {
      const appended = await this.options.store.append(
        plan.stream,
        events.map((e) => ({ type: e.type, data: e.data as never, metadata })),
        'no_stream',
      );
      await this.options.projector.waitFor(appended.position);
      return this.appended(payload, plan, events, appended);
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) return null;
      throw storeErrorToProblem(error);
    }
  }

  private appended(
    payload: CommandPayload,
    plan: CommandPlan,
    events: readonly { type: string }[],
    appended: AppendResult,
  ): WriteResult {
    return this.withLinks({
      commandId: payload.commandId,
      type: payload.type,
      stream: plan.stream,
      position: appended.position.toString(),
      streamRevision: appended.nextExpectedRevision.toString(),
      events: events.map((e) => e.type),
      ...plan.resourceIds,
      replayed: false,
    });
  }

  private async readStream(stream: string): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    for (;;) {
      const page = await this.options.store.readStream(stream, {
        fromRevision: BigInt(out.length),
        maxCount: STREAM_PAGE,
      });
      out.push(...page);
      if (page.length < STREAM_PAGE) return out;
    }
  }

  private result(
    commandId: string,
    type: string,
    plan: CommandPlan,
    events: string[],
    last: RecordedEvent,
    replayed: boolean,
  ): WriteResult {
    return this.withLinks({
      commandId,
      type,
      stream: plan.stream,
      position: last.position.toString(),
      streamRevision: last.revision.toString(),
      events,
      ...plan.resourceIds,
      replayed,
    });
  }

  private withLinks(result: WriteResult): WriteResult {
    if (result.certificationId === undefined) return result;
    return { ...result, proofUrl: `${this.options.links.publicUrl}/p/${result.certificationId}` };
  }
}

function snapshot(auth: Authenticated): ActorSnapshot {
  return {
    identityId: auth.actor.identityId,
    roles: auth.actor.roles,
    accreditations: auth.actor.accreditations,
    status: auth.actor.status,
  };
}

function reused(commandId: string): ProblemError {
  return new ProblemError(
    'COMMAND_ID_REUSED',
    `command id ${commandId} was already used for a different command`,
  );
}
