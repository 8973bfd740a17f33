import { expect } from 'vitest';
import { type Decider, foldEvents } from '../../src/domain/shared/decider.js';

/** A domain error class of a bounded context: one class, a closed union of codes. */
type CodedErrorClass<E extends Error & { readonly code: string }> = new (...args: never[]) => E;

export interface DeciderThen<Event> {
  /** decide returns exactly these events (deep, strict equality: an undefined field is a difference). */
  then(expected: readonly Event[]): void;
  /** decide accepts the command and returns no events. */
  thenNothingHappened(): void;
  /** decide throws an instance of errorClass whose code is exactly code. */
  thenThrows<E extends Error & { readonly code: string }>(
    errorClass: CodedErrorClass<E>,
    code: E['code'],
  ): void;
}

export interface DeciderWhen<Command, Event> {
  when(command: Command): DeciderThen<Event>;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * given(events).when(command).then(events), in the style of emmett's
 * DeciderSpecification. The state folded from the given events and the command
 * are frozen before decide runs, so a decider that mutates its inputs fails
 * the spec with a TypeError (ES modules run in strict mode).
 */
export const DeciderSpecification = {
  for<Command, Event, State>(decider: Decider<Command, Event, State>) {
    return (givenEvents: readonly Event[]): DeciderWhen<Command, Event> => ({
      when(command: Command): DeciderThen<Event> {
        const decide = (): Event[] =>
          decider.decide(deepFreeze(command), deepFreeze(foldEvents(decider, givenEvents)));
        return {
          // biome-ignore lint/suspicious/noThenProperty: emmett's given/when/then vocabulary; nothing awaits a spec.
          then(expected) {
            expect(decide()).toStrictEqual(expected);
          },
          thenNothingHappened() {
            expect(decide()).toStrictEqual([]);
          },
          thenThrows(errorClass, code) {
            let events: Event[];
            try {
              events = decide();
            } catch (error) {
              expect(error).toBeInstanceOf(errorClass);
              expect(
                (error as { code: unknown }).code,
                `error code (message: ${(error as Error).message})`,
              ).toBe(code);
              return;
            }
            expect.fail(`expected ${errorClass.name} ${code}, but decide returned ${JSON.stringify(events)}`);
          },
        };
      },
    });
  },
};
