import { type Decider, foldEvents } from '../../domain/shared/decider.js';
import type { EventStore, ExpectedRevision, RecordedEvent } from '../../infrastructure/eventstore/port.js';

/** Streams are read in pages of this many events: a long stream never arrives as one huge answer. */
const STREAM_PAGE = 500;

/** What a decider needs to fold a stream: where it starts and how each event moves it. */
export type Evolver<S> = Pick<
  Decider<unknown, { type: string; data: unknown }, S>,
  'initialState' | 'evolve'
>;

/** A stream folded into its decider's state, with the revision an append after it must expect. */
export interface FoldedStream<S> {
  readonly state: S;
  readonly history: readonly RecordedEvent[];
  readonly expected: ExpectedRevision;
}

/** Every event of one stream, in revision order, read a page at a time. */
export async function readWholeStream(store: EventStore, stream: string): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for (;;) {
    const page = await store.readStream(stream, { fromRevision: BigInt(out.length), maxCount: STREAM_PAGE });
    out.push(...page);
    if (page.length < STREAM_PAGE) return out;
  }
}

/** Folds a stream's events, from its decider's initial state, in revision order. */
export function foldHistory<S>(decider: Evolver<S>, history: readonly RecordedEvent[]): S {
  return foldEvents(decider, history);
}

/** Reads a stream and folds it: the current state, and the revision a write after it expects. */
export async function foldStream<S>(
  store: EventStore,
  stream: string,
  decider: Evolver<S>,
): Promise<FoldedStream<S>> {
  const history = await readWholeStream(store, stream);
  const last = history[history.length - 1];
  return {
    state: foldHistory(decider, history),
    history,
    expected: last === undefined ? 'no_stream' : last.revision,
  };
}
