/**
 * A decider: decide(command, state) → events (or a thrown typed domain error),
 * evolve(state, event) → state, initialState(). Pure: time and the actor come
 * in on the command, never from a clock or a lookup.
 */
export interface Decider<Command, Event, State> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Event[];
}

export function foldEvents<Event, State>(
  decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve'>,
  events: Iterable<Event>,
): State {
  let state = decider.initialState();
  for (const event of events) state = decider.evolve(state, event);
  return state;
}

/** The acting identity as the command handler resolved it; deciders check roles against it. */
export interface ActorSnapshot {
  readonly identityId: string;
  readonly roles: readonly string[];
  readonly accreditations: readonly string[];
  readonly status: 'active' | 'revoked';
}
