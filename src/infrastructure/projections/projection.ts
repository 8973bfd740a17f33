import type { RecordedEvent } from '../eventstore/port.js';
import type { NodeDatabase } from './node-database.js';

/**
 * A read model fed by the event feed. `apply` runs inside the projector's
 * transaction and must be synchronous and deterministic, so a rebuild from the
 * store yields the same tables.
 */
export interface Projection {
  readonly name: string;
  /** Creates tables if missing. */
  migrate(db: NodeDatabase): void;
  apply(event: RecordedEvent): void;
  /** Drops everything this projection derived (for `chancery rebuild`). */
  reset(db: NodeDatabase): void;
  /**
   * Called inside the projector's transaction just before it commits (with the feed position): state a
   * projection keeps in memory between events is written once per transaction here, not once per event.
   */
  beforeCommit?(): void;
  /** Called just after the projector's transaction committed: memory held for it can be given back. */
  afterCommit?(): void;
  /**
   * true: applies every event, void entries included (the sequencer, the state machine). Otherwise the
   * projection sees only events of writes the ordered state machine judged valid.
   */
  readonly everyEntry?: boolean;
}

/** The ordered state machine's verdict on the event just applied: void entries reach no read model. */
export interface EventValidity {
  isValid(event: RecordedEvent): boolean;
}

/** What the command handler stores in event metadata; the log leaf carries the envelope. */
export interface EventMetadata {
  readonly commandId: string;
  readonly actor: string;
  readonly keyId: string;
  /** Hex SHA-256 of the RFC 8785 payload; tells a retry from a reused command id. */
  readonly payloadDigest: string;
  readonly envelope: { payload: Record<string, unknown>; signature: Record<string, unknown> };
}

export function eventMetadata(event: RecordedEvent): EventMetadata | null {
  const m = event.metadata as Partial<EventMetadata> | null;
  if (m === null || typeof m !== 'object' || typeof m.commandId !== 'string' || typeof m.actor !== 'string')
    return null;
  return m as EventMetadata;
}
