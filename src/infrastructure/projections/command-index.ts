import type { Statement } from 'better-sqlite3';
import type { RecordedEvent } from '../eventstore/port.js';
import type { NodeDatabase } from './node-database.js';
import { positionFromKey, positionKey } from './position-key.js';
import { eventMetadata, type Projection } from './projection.js';

export interface AppliedCommand {
  readonly actor: string;
  readonly commandId: string;
  readonly payloadDigest: string;
  readonly type: string;
  readonly stream: string;
  readonly position: bigint;
  readonly streamRevision: bigint;
  readonly events: string[];
}

interface Row {
  actor: string;
  command_id: string;
  payload_digest: string;
  type: string;
  stream: string;
  position: string;
  stream_revision: string;
  events: string;
}

/**
 * Which commands have been applied, by (actor, commandId). It answers retries
 * with the original result and refuses a command id reused for a different
 * payload. Built from event metadata, so it survives a rebuild.
 */
export class CommandIndex implements Projection {
  readonly name = 'commands';
  private statements!: { get: Statement; insert: Statement; addEvent: Statement };

  migrate(db: NodeDatabase): void {
    db.exec(`CREATE TABLE IF NOT EXISTS applied_commands (
      actor TEXT NOT NULL,
      command_id TEXT NOT NULL,
      payload_digest TEXT NOT NULL,
      type TEXT NOT NULL,
      stream TEXT NOT NULL,
      position TEXT NOT NULL,
      stream_revision TEXT NOT NULL,
      events TEXT NOT NULL,
      PRIMARY KEY (actor, command_id)
    )`);
    this.statements = {
      get: db.prepare('SELECT * FROM applied_commands WHERE actor = ? AND command_id = ?'),
      insert: db.prepare('INSERT OR IGNORE INTO applied_commands VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      addEvent: db.prepare(
        "UPDATE applied_commands SET position = ?, stream_revision = ?, events = json_insert(events, '$[#]', ?) WHERE actor = ? AND command_id = ?",
      ),
    };
  }

  reset(db: NodeDatabase): void {
    db.exec('DROP TABLE IF EXISTS applied_commands');
  }

  apply(event: RecordedEvent): void {
    const meta = eventMetadata(event);
    if (meta === null) return;
    const payloadType =
      typeof meta.envelope?.payload?.['type'] === 'string'
        ? (meta.envelope.payload['type'] as string)
        : event.type;
    const inserted = this.statements.insert.run(
      meta.actor,
      meta.commandId,
      meta.payloadDigest,
      payloadType,
      event.stream,
      positionKey(event.position),
      event.revision.toString(),
      JSON.stringify([event.type]),
    );
    // A command that produced several events: the result points at the last one.
    if (inserted.changes === 0) {
      this.statements.addEvent.run(
        positionKey(event.position),
        event.revision.toString(),
        event.type,
        meta.actor,
        meta.commandId,
      );
    }
  }

  get(actor: string, commandId: string): AppliedCommand | undefined {
    const row = this.statements.get.get(actor, commandId) as Row | undefined;
    if (row === undefined) return undefined;
    return {
      actor: row.actor,
      commandId: row.command_id,
      payloadDigest: row.payload_digest,
      type: row.type,
      stream: row.stream,
      position: positionFromKey(row.position),
      streamRevision: BigInt(row.stream_revision),
      events: JSON.parse(row.events) as string[],
    };
  }
}
