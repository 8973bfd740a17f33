/**
 * The one write pipeline, in the manner of emmett's handleCommand: read the
 * stream, fold it, decide, append with the expected revision, retry a lost
 * race, and answer once the node's read models show the write. Signed
 * commands from the API, RFC 9421-signed requests (dataset uploads and
 * fetches), the genesis and a mirror's replay all write through it, so a
 * mirror builds the same events and metadata as the primary because it runs
 * the same code.
 */

import type { VoidCode } from '../../domain/log-state/judge-write.js';
import type { Decider } from '../../domain/shared/decider.js';
import {
  type EventStore,
  type ExpectedRevision,
  type RecordedEvent,
  WrongExpectedRevisionError,
} from '../../infrastructure/eventstore/port.js';
import { eventMetadata } from '../../infrastructure/projections/projection.js';
import { ProblemError } from '../problems/problem.js';
import { domainErrorToProblem } from './error-mapping.js';
import { type Evolver, foldHistory, readWholeStream } from './stream-reader.js';
import type { WriteMetadata } from './write-metadata.js';

/** An event a decider produced, not yet appended. */
export interface DecidedEvent {
  readonly type: string;
  readonly data: unknown;
}

/** A decider over any command and state; a plan pairs one with its own command type. */
// biome-ignore lint/suspicious/noExplicitAny: a pipeline runs deciders of every capability, each with its own types.
export type AnyDecider = Decider<any, DecidedEvent, any>;

export interface HandleOptions {
  readonly metadata: WriteMetadata;
  /**
   * The stream is named after this command (its actor and command id), so it exists only if the command
   * was applied already: decide against the initial state and append with 'no_stream' without reading
   * it first. A lost race, a refusal or nothing to do falls back to reading the stream as it really is.
   */
  readonly streamOfCommand?: boolean;
  /** Events no state decides about (an audit record): appended after whatever the stream holds, unread. */
  readonly appendOnly?: boolean;
  /** Attempts before a stream that keeps changing is given up as WRITE_CONFLICT; 1 never retries. */
  readonly maxAttempts?: number;
  /** Sees the decided events before they are appended and may refuse them by throwing (a mirror compares). */
  readonly beforeAppend?: (events: readonly DecidedEvent[]) => void;
  /** A mirror copying a write the log holds as void expects the verdict: do not answer it as a refusal. */
  readonly expectVoid?: boolean;
}

export type Handled =
  /** The events were appended and the read models show them. */
  | {
      readonly kind: 'appended';
      readonly state: unknown;
      readonly events: readonly DecidedEvent[];
      readonly position: bigint;
      readonly revision: bigint;
    }
  /** The decider had nothing to do; revision is the stream's current one (null: no stream). */
  | { readonly kind: 'unchanged'; readonly state: unknown; readonly revision: bigint | null }
  /** The stream already holds this command's events (a retry, or another node applied it). */
  | { readonly kind: 'applied-before'; readonly events: readonly RecordedEvent[] };

export interface CommandHandlerDeps {
  readonly store: EventStore;
  /** Resolves once every read model has applied the event at this position. */
  readonly projector: { waitFor(position: bigint, timeoutMs?: number): Promise<void> };
  /** The ordered state machine's verdicts: a write that lost a race in log order is void. None: all valid. */
  readonly verdicts?: WriteVerdicts;
  /** How long an acknowledged write waits for the read models (default: the projector's). */
  readonly settleTimeoutMs?: number;
}

/** Which writes the ordered state machine found void, by the position of any of their events. */
export interface WriteVerdicts {
  voidAt(position: bigint): { readonly code: VoidCode; readonly detail: string } | null;
}

/** A write conflicts only under a race on the same stream; a few retries settle it. */
const DEFAULT_ATTEMPTS = 5;

export class CommandHandler {
  constructor(private readonly deps: CommandHandlerDeps) {}

  get store(): EventStore {
    return this.deps.store;
  }

  /** Runs one command through its decider against one stream; see the module comment. */
  async handle(
    stream: string,
    decider: AnyDecider,
    command: unknown,
    options: HandleOptions,
  ): Promise<Handled> {
    if (options.appendOnly === true) return this.appendUnread(stream, decider, command, options);
    if (options.streamOfCommand === true) {
      const fresh = await this.appendToNewStream(stream, decider, command, options);
      if (fresh !== null) return fresh;
    }
    const attempts = options.maxAttempts ?? DEFAULT_ATTEMPTS;
    for (let attempt = 1; ; attempt++) {
      const history = await readWholeStream(this.deps.store, stream);
      const earlier = eventsOfCommand(history, options.metadata);
      if (earlier.length > 0) {
        await this.settle(earlier[earlier.length - 1]!.position);
        this.refuseVoid(earlier[0]!.position);
        return { kind: 'applied-before', events: earlier };
      }
      const state = foldHistory(decider, await this.validOnly(history));
      const events = decide(decider, command, state);
      const last = history[history.length - 1];
      if (events.length === 0) return { kind: 'unchanged', state, revision: last?.revision ?? null };
      options.beforeAppend?.(events);
      try {
        return await this.append(stream, state, events, options, last?.revision ?? 'no_stream');
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (attempt >= attempts)
          throw new ProblemError('WRITE_CONFLICT', `stream ${stream} kept changing; retry the command`);
      }
    }
  }

  /** A stream named after its command: decided from the initial state, appended with 'no_stream', unread. */
  private async appendToNewStream(
    stream: string,
    decider: AnyDecider,
    command: unknown,
    options: HandleOptions,
  ): Promise<Handled | null> {
    const state = decider.initialState();
    let events: DecidedEvent[];
    try {
      events = decider.decide(command, state);
    } catch {
      return null;
    }
    if (events.length === 0) return null;
    options.beforeAppend?.(events);
    try {
      return await this.append(stream, state, events, options, 'no_stream');
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) return null;
      throw error;
    }
  }

  private async appendUnread(
    stream: string,
    decider: AnyDecider,
    command: unknown,
    options: HandleOptions,
  ): Promise<Handled> {
    const state = decider.initialState();
    const events = decide(decider, command, state);
    if (events.length === 0) return { kind: 'unchanged', state, revision: null };
    options.beforeAppend?.(events);
    return this.append(stream, state, events, options, 'any');
  }

  private async append(
    stream: string,
    state: unknown,
    events: readonly DecidedEvent[],
    options: HandleOptions,
    expected: ExpectedRevision,
  ): Promise<Handled> {
    const { metadata } = options;
    const appended = await this.deps.store.append(
      stream,
      events.map((e) => ({ type: e.type, data: e.data as never, metadata })),
      expected,
    );
    await this.settle(appended.position, events.length);
    if (options.expectVoid !== true) this.refuseVoid(appended.position);
    return {
      kind: 'appended',
      state,
      events,
      position: appended.position,
      revision: appended.nextExpectedRevision,
    };
  }

  /**
   * Reads a stream and folds its valid events: the state a decider, a route or a mirror judges against.
   */
  async fold<S>(stream: string, decider: Evolver<S>): Promise<{ state: S; revision: bigint | null }> {
    const history = await readWholeStream(this.deps.store, stream);
    const last = history[history.length - 1];
    return { state: foldHistory(decider, await this.validOnly(history)), revision: last?.revision ?? null };
  }

  /**
   * The events of a stream that belong to valid writes. Their verdicts are known once the state machine
   * has applied them, so it waits for the last one first (at once, unless it was just written).
   */
  private async validOnly(history: readonly RecordedEvent[]): Promise<readonly RecordedEvent[]> {
    const { verdicts } = this.deps;
    const last = history[history.length - 1];
    if (verdicts === undefined || last === undefined) return history;
    await this.settle(last.position);
    return history.filter((e) => verdicts.voidAt(e.position) === null);
  }

  /** A write the state machine found void in log order is answered with why, never as a success. */
  private refuseVoid(position: bigint): void {
    const verdict = this.deps.verdicts?.voidAt(position) ?? null;
    if (verdict !== null) throw new ProblemError(verdict.code, verdict.detail);
  }

  /**
   * Waits until the read models show the event at `position`: a write is answered readable. Store
   * failures (StoreUnavailableError, FeedLagError) pass through as they are: callers tell an
   * unreachable store from a refusal, and the API answers them 503 + Retry-After.
   */
  private async settle(position: bigint, appended = 1): Promise<void> {
    // A million-record batch is ~2,000 events whose projection alone takes seconds: allow for its size.
    const timeoutMs = (this.deps.settleTimeoutMs ?? DEFAULT_SETTLE_MS) + (appended - 1) * SETTLE_MS_PER_EVENT;
    await this.deps.projector.waitFor(position, timeoutMs);
  }
}

/** The projector's own default wait, and what each further event of one append adds to it. */
const DEFAULT_SETTLE_MS = 10_000;
const SETTLE_MS_PER_EVENT = 100;

function decide(decider: AnyDecider, command: unknown, state: unknown): DecidedEvent[] {
  try {
    return decider.decide(command, state);
  } catch (error) {
    throw domainErrorToProblem(error);
  }
}

/** The events of a stream that this command (same actor and command id) wrote. */
function eventsOfCommand(history: readonly RecordedEvent[], metadata: WriteMetadata): RecordedEvent[] {
  return history.filter((e) => {
    const m = eventMetadata(e);
    return m !== null && m.actor === metadata.actor && m.commandId === metadata.commandId;
  });
}
