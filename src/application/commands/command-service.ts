import type { SignedPayloadTexts } from '../../domain/canonical/signed-payload-texts.js';
import type { SignedEnvelope } from '../../domain/crypto/envelope.js';
import type { EventStore } from '../../infrastructure/eventstore/port.js';
import type { CommandIndex } from '../../infrastructure/projections/command-index.js';
import type { IdentityRegistry } from '../../infrastructure/projections/identity-registry.js';
import type { Projector } from '../../infrastructure/projections/projector.js';
import type { LogReader } from '../../infrastructure/sequencer/log-reader.js';
import type { WriteResult } from '../../protocol/write-result.js';
import { actorSnapshot } from '../auth/actor-snapshot.js';
import { type Authenticated, authenticate } from '../auth/authenticate.js';
import { requireUtcIssuedAt } from '../auth/issued-at.js';
import type { CommandInputs, CommandPlan, PlanContext } from '../pipeline/command-plan.js';
import { domainErrorToProblem } from '../pipeline/error-mapping.js';
import { CommandHandler, type Handled, type WriteVerdicts } from '../pipeline/handle-command.js';
import { commandMetadata } from '../pipeline/write-metadata.js';
import { ProblemError } from '../problems/problem.js';
import { planSignedCommand } from './plan-signed-command.js';
import { withRetryAdvice } from './retry-advice.js';
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
  /** Certifications as planning sees them (a record's batch); none known by default. */
  readonly certifications?: PlanContext['certifications'];
  /** Read-model facts directory commands are planned with (the entry behind a request, record schemas). */
  readonly directory?: PlanContext['directory'];
  /** The witness quorum's finality, for `?wait=final`. */
  readonly finality?: Finality;
  /** How long `?wait=final` waits before FINALITY_TIMEOUT. */
  readonly finalWaitMs?: number;
  /**
   * The ordered state machine's verdicts: a write void in log order is answered with why. (The command
   * index holds valid writes only, so a retry of a void one is answered from its stream, with the same refusal.)
   */
  readonly verdicts?: WriteVerdicts;
  /** Where a verified payload's RFC 8785 text waits for its log leaf (the sequencer's). */
  readonly payloadTexts?: SignedPayloadTexts;
}

export interface ExecuteOptions {
  /** 'sealed': answer once the entry is in a signed checkpoint; 'final': once the witness quorum cosigned it. */
  readonly wait?: WaitFor | undefined;
  /** What the command brings beside its payload (a bulk certification's digest list). */
  readonly inputs?: CommandInputs;
}

const NO_DIRECTORY: PlanContext['directory'] = {
  entry: () => null,
  entryOfRequest: () => null,
  checkSchema: () => {
    throw new Error('directory commands need the directory read model');
  },
};

/**
 * Runs a signed command: authenticate, answer retries, plan, and write through the one pipeline
 * (CommandHandler): decide against the stream's current state, append with the expected revision,
 * and wait until the read models show the write, so the caller can read it back at once.
 */
export class CommandService {
  private readonly inFlight = new Map<string, { digest: string; result: Promise<WriteResult> }>();
  private readonly handler: CommandHandler;
  private readonly context: PlanContext;

  constructor(private readonly options: CommandServiceOptions) {
    this.handler = new CommandHandler({
      store: options.store,
      projector: options.projector,
      ...(options.verdicts === undefined ? {} : { verdicts: options.verdicts }),
    });
    this.context = {
      identities: options.registry,
      certifications: options.certifications ?? { get: () => undefined },
      directory: options.directory ?? NO_DIRECTORY,
    };
  }

  async execute(
    envelope: SignedEnvelope,
    accepts: readonly string[],
    pathId?: { field: string; value: string },
    options: ExecuteOptions = {},
  ): Promise<WriteResult> {
    const result = await this.executeDurably(envelope, accepts, pathId, options.inputs ?? {});
    if (options.wait === undefined) return result;
    return withRetryAdvice(envelope.payload, this.options.maxSkewMs, async () =>
      options.wait === 'final' ? this.final(await this.sealed(result)) : this.sealed(result),
    );
  }

  /** Waits until the sealed write is under a checkpoint the witness quorum cosigned, and answers with that one. */
  private async final(result: WriteResult): Promise<WriteResult> {
    if (result.leafIndex === undefined) return result;
    const { finality } = this.options;
    if (finality === undefined)
      throw new Error("wait=final needs the log's finality, and this service has none");
    const waitMs = this.options.finalWaitMs ?? DEFAULT_FINAL_WAIT_MS;
    const checkpoint = await awaitFinal(finality, result.leafIndex, waitMs);
    return { ...result, checkpoint: { treeSize: checkpoint.treeSize, note: checkpoint.note } };
  }

  /** Waits until the write's last event is in a signed checkpoint; a write that changed nothing answers at once. */
  private async sealed(result: WriteResult): Promise<WriteResult> {
    const { log } = this.options;
    if (result.position === null) return result;
    if (log === undefined) throw new Error('wait=sealed needs the Merkle log, and this service has none');
    const waitMs = this.options.sealWaitMs ?? DEFAULT_SEAL_WAIT_MS;
    const receipt = await awaitSeal(log, BigInt(result.position), waitMs);
    return (this.options.decorateSealed ?? withSealedReceipt)(result, receipt, log);
  }

  /**
   * What a streamed upload checks before it reads a byte of its body: the route, issuedAt and who signed
   * (authenticate: key, signature, retired, revoked), then, unless the command was applied before,
   * `precheck` on the planned command (its inputs not yet known). Returns whether it is a retry, which
   * execute answers from what was written, with no body needed. execute authenticates again: the key
   * may be retired while a large body streams in.
   */
  async admit(
    envelope: SignedEnvelope,
    accepts: readonly string[],
    precheck: (plan: CommandPlan) => void,
  ): Promise<{ readonly retry: boolean }> {
    const auth = await this.authenticated(envelope, accepts, undefined);
    const { payload } = envelope;
    if (this.options.commands.get(payload.actor, payload.commandId) !== undefined) return { retry: true };
    if (this.inFlight.has(`${payload.actor}\u0000${payload.commandId}`)) return { retry: true };
    try {
      precheck(this.plan(envelope, auth, {}));
    } catch (error) {
      throw domainErrorToProblem(error);
    }
    return { retry: false };
  }

  private async authenticated(
    envelope: SignedEnvelope,
    accepts: readonly string[],
    pathId: { field: string; value: string } | undefined,
  ): Promise<Authenticated> {
    checkRoute(envelope, accepts, pathId);
    requireUtcIssuedAt(envelope.payload.issuedAt);
    const { registry, clock, maxSkewMs, payloadTexts } = this.options;
    return authenticate(envelope, registry, clock(), maxSkewMs, payloadTexts);
  }

  private async executeDurably(
    envelope: SignedEnvelope,
    accepts: readonly string[],
    pathId: { field: string; value: string } | undefined,
    inputs: CommandInputs,
  ): Promise<WriteResult> {
    const { payload } = envelope;
    const auth = await this.authenticated(envelope, accepts, pathId);
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
        ...this.plan(envelope, auth, inputs).resourceIds,
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
    const result = this.run(envelope, auth, inputs);
    this.inFlight.set(key, { digest: auth.payloadDigest, result });
    try {
      return await result;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private plan(envelope: SignedEnvelope, auth: Authenticated, inputs: CommandInputs): CommandPlan {
    return planSignedCommand(envelope.payload, actorSnapshot(auth.actor), this.context, inputs);
  }

  private async run(
    envelope: SignedEnvelope,
    auth: Authenticated,
    inputs: CommandInputs,
  ): Promise<WriteResult> {
    const plan = this.plan(envelope, auth, inputs);
    const handled = await this.handler.handle(plan.stream, plan.decider, plan.command, {
      metadata: commandMetadata(envelope, auth.payloadDigest),
      streamOfCommand: plan.streamOfCommand === true,
    });
    return this.withLinks(writeResultOf(envelope, auth, plan, handled));
  }

  private withLinks(result: WriteResult): WriteResult {
    if (result.certificationId === undefined) return result;
    return { ...result, proofUrl: `${this.options.links.publicUrl}/p/${result.certificationId}` };
  }
}

/** The route's own checks: the command type it serves, and the id in its path. */
function checkRoute(
  envelope: SignedEnvelope,
  accepts: readonly string[],
  pathId: { field: string; value: string } | undefined,
): void {
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
}

/** What the client hears about a write, from what the pipeline did with it. */
function writeResultOf(
  envelope: SignedEnvelope,
  auth: Authenticated,
  plan: CommandPlan,
  handled: Handled,
): WriteResult {
  const { commandId, type } = envelope.payload;
  const base = { commandId, type, stream: plan.stream, ...plan.resourceIds };
  switch (handled.kind) {
    case 'appended':
      return {
        ...base,
        position: handled.position.toString(),
        streamRevision: handled.revision.toString(),
        events: handled.events.map((e) => e.type),
        replayed: false,
      };
    case 'unchanged':
      return {
        ...base,
        position: null,
        streamRevision: handled.revision === null ? null : handled.revision.toString(),
        events: [],
        replayed: false,
      };
    case 'applied-before': {
      // Another node (or a crashed run) already applied this command: answer as a retry.
      const first = handled.events[0]!;
      if ((first.metadata as { payloadDigest?: string }).payloadDigest !== auth.payloadDigest)
        throw reused(commandId);
      const last = handled.events[handled.events.length - 1]!;
      return {
        ...base,
        position: last.position.toString(),
        streamRevision: last.revision.toString(),
        events: handled.events.map((e) => e.type),
        replayed: true,
      };
    }
  }
}

function reused(commandId: string): ProblemError {
  return new ProblemError(
    'COMMAND_ID_REUSED',
    `command id ${commandId} was already used for a different command`,
  );
}
