/**
 * The ordered state machine: every node runs it over the log in the log's
 * order, right after the sequencer gives each event its leaf index. It
 * judges each write when its first event arrives (judge-write.ts), records a
 * void write's verdict, and applies a valid write's effects to the state map
 * (write-effects.ts); read models then apply only valid writes (Projector's
 * validity). The verdicts are what the API answers with once a write is
 * durable: a write that lost a race is never acknowledged as a success.
 */

import type { Statement } from 'better-sqlite3';
import {
  judgeWrite,
  type StateView,
  type Verdict,
  type VoidCode,
} from '../../domain/log-state/judge-write.js';
import { type LoggedWrite, signerOf } from '../../domain/log-state/logged-write.js';
import { type KeyRecord, stateKey } from '../../domain/log-state/state-records.js';
import { effectsOfEvent } from '../../domain/log-state/write-effects.js';
import type { RecordedEvent } from '../eventstore/port.js';
import type { NodeDatabase } from '../projections/node-database.js';
import { positionKey } from '../projections/position-key.js';
import type { Projection } from '../projections/projection.js';
import { CHECKPOINT_STREAM, COSIGNATURE_STREAM } from '../sequencer/checkpoint-event.js';
import type { StateMapPort } from './state-map-port.js';

/** Why a write is void, as recorded at each of its events' positions. */
export interface VoidVerdict {
  readonly code: VoidCode;
  readonly detail: string;
  /** Leaf index of the write's first event. */
  readonly leafIndex: number;
}

/** The write whose events are arriving: its identity in the feed, and the verdict on it. */
interface WriteInProgress {
  readonly stream: string;
  readonly actor: string | null;
  readonly commandId: string | null;
  readonly write: LoggedWrite;
  readonly verdict: Verdict;
}

const CURRENT_WRITE_KEY = 'log-state.current-write';
/**
 * Void verdicts kept in memory for voidAt, which every write asks once it is durable. Voids are rare
 * (a lost race, a forged entry); past this many the memory starts over and older ones are read back.
 */
const MAX_VOIDS_IN_MEMORY = 10_000;

export interface LogStateDeps {
  readonly map: StateMapPort;
  /** The leaf index the sequencer gave the event being applied. */
  readonly leafIndexOfLatest: () => number;
  /** For a certification id of a record certified in a batch: its batch and index. */
  readonly batchOfRecord: StateView['batchOfRecord'];
  /** The issuer's latest valid single certification of a record, from the certification read model. */
  readonly latestOfRecord: StateView['latestOfRecord'];
}

export class LogStateProjection implements Projection {
  readonly name = 'log-state';
  /** Void entries reach the state machine too: it records them. */
  readonly everyEntry = true;
  private current: WriteInProgress | null = null;
  private lastPosition: bigint | null = null;
  private lastValid = true;
  /** current changed since the projector's last commit: written once, just before the next. */
  private currentUnsaved = false;
  /**
   * Every void verdict at positions from voidsKnownFrom on (all that this process applied since then),
   * so voidAt answers the hot path without a query; older positions are read from log_void_entries.
   */
  private readonly recentVoids = new Map<bigint, VoidVerdict>();
  private voidsKnownFrom: bigint | null = null;
  private statements!: {
    insertVoid: Statement<[string, number, string, string]>;
    voidAt: Statement<[string], { leaf_index: number; code: string; detail: string }>;
    saveCurrent: Statement<[string, string]>;
  };
  private readonly view: StateView;

  constructor(private readonly deps: LogStateDeps) {
    this.view = {
      get: (key) => deps.map.get(key),
      batchOfRecord: deps.batchOfRecord,
      latestOfRecord: deps.latestOfRecord,
    };
  }

  migrate(db: NodeDatabase): void {
    this.deps.map.migrate();
    db.exec(`CREATE TABLE IF NOT EXISTS log_void_entries (
      position TEXT PRIMARY KEY,
      leaf_index INTEGER NOT NULL,
      code TEXT NOT NULL,
      detail TEXT NOT NULL
    )`);
    this.statements = {
      insertVoid: db.prepare(
        'INSERT OR REPLACE INTO log_void_entries (position, leaf_index, code, detail) VALUES (?, ?, ?, ?)',
      ),
      voidAt: db.prepare('SELECT leaf_index, code, detail FROM log_void_entries WHERE position = ?'),
      saveCurrent: db.prepare(
        'INSERT INTO projection_meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value',
      ),
    };
    const saved = db.prepare('SELECT value FROM projection_meta WHERE name = ?').get(CURRENT_WRITE_KEY) as
      | { value: string }
      | undefined;
    this.current = saved === undefined ? null : (JSON.parse(saved.value) as WriteInProgress);
    this.currentUnsaved = false;
    this.forgetRecentVoids();
  }

  reset(db: NodeDatabase): void {
    this.deps.map.reset();
    db.exec('DROP TABLE IF EXISTS log_void_entries');
    db.prepare('DELETE FROM projection_meta WHERE name = ?').run(CURRENT_WRITE_KEY);
    this.current = null;
    this.currentUnsaved = false;
    this.forgetRecentVoids();
  }

  /**
   * The write in progress is persisted with the feed position, in the same transaction, so a restart in
   * the middle of a long write continues it rather than judging it again. Once per transaction: what
   * matters is its value at the committed position, and serialising it for every event cost a
   * JSON.stringify and an upsert per certification.
   */
  beforeCommit(): void {
    if (!this.currentUnsaved || this.current === null) return;
    this.statements.saveCurrent.run(CURRENT_WRITE_KEY, JSON.stringify(this.current));
    this.currentUnsaved = false;
  }

  apply(event: RecordedEvent): void {
    this.lastPosition = event.position;
    // Checkpoints and cosignatures are bookkeeping about the log, not entries of it.
    if (event.stream === CHECKPOINT_STREAM || event.stream === COSIGNATURE_STREAM) {
      this.lastValid = true;
      return;
    }
    this.voidsKnownFrom ??= event.position;
    const leafIndex = this.deps.leafIndexOfLatest();
    const loggedEvent = { type: event.type, data: event.data, leafIndex };
    const write = this.writeOf(event, loggedEvent);
    if (!write.verdict.valid) {
      const { code, detail } = write.verdict;
      this.statements.insertVoid.run(positionKey(event.position), write.write.leafIndex, code, detail);
      this.rememberVoid(event.position, { code, detail, leafIndex: write.write.leafIndex });
    }
    for (const change of effectsOfEvent(write.write, loggedEvent, write.verdict, this.view))
      this.deps.map.set(change.key, change.value, change.leafIndex);
    this.deps.map.advanceTo(leafIndex + 1);
    this.lastValid = write.verdict.valid;
  }

  /** Whether the event just applied belongs to a valid write (true for anything that is not a log entry). */
  isValid(event: RecordedEvent): boolean {
    return event.position === this.lastPosition ? this.lastValid : true;
  }

  /** The verdict the state machine would give a write at the current end of the log (a mirror about to replay it). */
  judge(write: LoggedWrite): Verdict {
    return judgeWrite(write, this.view);
  }

  /** A key's record in the state map as it stands now, or null. */
  keyRecord(keyId: string): KeyRecord | null {
    return this.deps.map.get(stateKey.key(keyId)) as KeyRecord | null;
  }

  /** The verdict on the write an event belongs to, when that write is void; null when it is valid. */
  voidAt(position: bigint): VoidVerdict | null {
    if (this.voidsKnownFrom !== null && position >= this.voidsKnownFrom)
      return this.recentVoids.get(position) ?? null;
    const row = this.statements.voidAt.get(positionKey(position));
    return row === undefined
      ? null
      : { code: row.code as VoidCode, detail: row.detail, leafIndex: row.leaf_index };
  }

  private rememberVoid(position: bigint, verdict: VoidVerdict): void {
    if (this.recentVoids.size >= MAX_VOIDS_IN_MEMORY) {
      // Start over from this position: everything before it is in log_void_entries.
      this.recentVoids.clear();
      this.voidsKnownFrom = position;
    }
    this.recentVoids.set(position, verdict);
  }

  private forgetRecentVoids(): void {
    this.recentVoids.clear();
    this.voidsKnownFrom = null;
  }

  /** The write an event belongs to: the one in progress (same stream and signed input), or a new one, judged. */
  private writeOf(event: RecordedEvent, loggedEvent: LoggedWrite['events'][number]): WriteInProgress {
    const metadata = (event.metadata ?? {}) as { actor?: unknown; commandId?: unknown; envelope?: unknown };
    const actor = typeof metadata.actor === 'string' ? metadata.actor : null;
    const commandId = typeof metadata.commandId === 'string' ? metadata.commandId : null;
    const current = this.current;
    if (
      current !== null &&
      current.stream === event.stream &&
      current.actor === actor &&
      current.commandId === commandId &&
      commandId !== null
    )
      return current;
    const write: LoggedWrite = {
      leafIndex: loggedEvent.leafIndex,
      signer: signerOf(metadata.envelope as never),
      events: [loggedEvent],
    };
    const next: WriteInProgress = {
      stream: event.stream,
      actor,
      commandId,
      write,
      verdict: judgeWrite(write, this.view),
    };
    this.current = next;
    this.currentUnsaved = true;
    return next;
  }
}
