/**
 * The witness of a mirror-witness node: C2SP tlog-witness add-checkpoint over
 * the state in federation.db. For each request, reading the state, deciding
 * (src/domain/federation/witness-protocol.ts) and writing the new state or
 * the evidence happen in one synchronous SQLite transaction, committed with
 * synchronous=FULL before the answer is formed: two concurrent requests
 * cannot both pass the old-size check, and a cosignature is never given for
 * a state that a crash could roll back.
 */

import { existsSync } from 'node:fs';
import {
  type AddCheckpointRequest,
  decideAddCheckpoint,
  FederationError,
  formatSignatureLine,
  parseAddCheckpointRequest,
  TLOG_SIZE_CONTENT_TYPE,
  type WitnessedCheckpoint,
} from '../../domain/federation/index.js';
import {
  type Checkpoint,
  createCosignature,
  ed25519NoteVerifier,
  formatKeyId,
  formatWitnessKey,
  isValidKeyName,
  type NoteVerifier,
  parseCheckpoint,
  witnessKeyId,
} from '../../domain/log/index.js';
import { generateKeyPair, type KeyPair, readKeyFile, writeKeyFiles } from '../../protocol/key-pair.js';
import { verifyEd25519 } from '../crypto/ed25519-verifier.js';
import type { FederationAlerts } from './federation-alerts.js';
import type { FederationDatabase } from './federation-database.js';

export interface WitnessIdentity {
  readonly name: string;
  readonly keyPair: KeyPair;
  /** The C2SP vkey (type 0x04) that checks this witness's cosignatures. */
  readonly vkey: string;
}

/**
 * The witness key, DATA/witness.key (made on first start, mode 0600), under
 * `name`; a witness's name and key go together into every trust policy that
 * lists it. The default name is derived from the key, so it is stable.
 */
export function loadWitnessIdentity(file: string, name: string | undefined): WitnessIdentity {
  let keyPair: KeyPair;
  if (existsSync(file)) keyPair = readKeyFile(file);
  else {
    keyPair = generateKeyPair();
    writeKeyFiles(file, keyPair);
  }
  const witnessName =
    name ?? `chancery-witness-${formatKeyId(witnessKeyId('chancery-witness', keyPair.publicKey))}`;
  if (!isValidKeyName(witnessName)) {
    throw new Error(`invalid witness name ${JSON.stringify(witnessName)}: no spaces and no '+'`);
  }
  return { name: witnessName, keyPair, vkey: formatWitnessKey(witnessName, keyPair.publicKey) };
}

/** An HTTP answer to add-checkpoint, independent of the framework serving it. */
export interface WitnessAnswer {
  readonly status: 200 | 400 | 403 | 404 | 409 | 422 | 503;
  readonly contentType: string;
  readonly body: string;
}

/** A mirror-witness's own replica, asked before cosigning (src/application/federation/replica-gate.ts). */
export interface ReplicaGate {
  vouch(checkpoint: Checkpoint, note: string): Promise<ReplicaVouch>;
}

export type ReplicaVouch =
  | { readonly ok: true }
  /** 503: not replayed that far yet, ask again; 422: the replica contradicts the checkpoint. */
  | { readonly ok: false; readonly status: 422 | 503; readonly reason: string };

interface StateRow {
  origin: string;
  tree_size: number;
  root_hash: Buffer;
  note: string;
  updated_at: string;
}

export interface WitnessOptions {
  readonly db: FederationDatabase;
  readonly alerts: FederationAlerts;
  readonly identity: WitnessIdentity;
  /** The log verifier keys (type 0x01) this witness serves; each key name is an origin. */
  readonly logKeys: readonly string[];
  readonly clock: () => number;
  /** The witness's own mirror: without one, the witness vouches for consistency only. */
  readonly replica?: ReplicaGate;
}

export interface WitnessStats {
  readonly cosigned: number;
  readonly refused: Readonly<Record<number, number>>;
}

export class Witness {
  private readonly logs = new Map<string, NoteVerifier[]>();
  private cosignedCount = 0;
  private readonly refused: Record<number, number> = {};

  constructor(private readonly options: WitnessOptions) {
    for (const vkey of options.logKeys) {
      const verifier = ed25519NoteVerifier(vkey, verifyEd25519);
      const list = this.logs.get(verifier.keyName) ?? [];
      list.push(verifier);
      this.logs.set(verifier.keyName, list);
    }
  }

  get identity(): WitnessIdentity {
    return this.options.identity;
  }

  /** What this witness last cosigned for an origin, or null. */
  state(origin: string): WitnessedCheckpoint | null {
    const row = this.options.db.prepare('SELECT * FROM witness_checkpoints WHERE origin = ?').get(origin) as
      | StateRow
      | undefined;
    return row === undefined
      ? null
      : {
          origin: row.origin,
          treeSize: row.tree_size,
          rootHash: new Uint8Array(row.root_hash),
          note: row.note,
        };
  }

  /** Every origin's latest cosigned size, for status and metrics. */
  states(): { origin: string; treeSize: number; updatedAt: string }[] {
    return (
      this.options.db.prepare('SELECT * FROM witness_checkpoints ORDER BY origin').all() as StateRow[]
    ).map((r) => ({ origin: r.origin, treeSize: r.tree_size, updatedAt: r.updated_at }));
  }

  stats(): WitnessStats {
    return { cosigned: this.cosignedCount, refused: { ...this.refused } };
  }

  /** Handles one add-checkpoint request body. Never throws on hostile input. */
  async addCheckpoint(body: string): Promise<WitnessAnswer> {
    let request: AddCheckpointRequest;
    try {
      request = parseAddCheckpointRequest(body);
    } catch (error) {
      if (!(error instanceof FederationError)) throw error;
      return this.refuse(400, error.message);
    }
    const vouched = await this.askReplica(request);
    if (vouched !== null) return vouched;
    return this.decide(request);
  }

  /**
   * The replica's word on a checkpoint the witness would otherwise cosign (anything else is answered by
   * decide, with its evidence, without making the replica wait); null when it vouches or there is none.
   */
  private async askReplica(request: AddCheckpointRequest): Promise<WitnessAnswer | null> {
    const { replica } = this.options;
    if (replica === undefined) return null;
    const origin = this.originOf(request);
    const preview = decideAddCheckpoint(request, origin === null ? null : this.state(origin), (o) =>
      this.logs.get(o),
    );
    if (preview.status !== 200) return null;
    const vouch = await replica.vouch(parseCheckpoint(preview.checkpointText), request.checkpoint);
    return vouch.ok ? null : this.refuse(vouch.status, vouch.reason);
  }

  private decide(request: AddCheckpointRequest): WitnessAnswer {
    const { db, alerts, identity, clock } = this.options;
    const decide = db.transaction(() => {
      const origin = this.originOf(request);
      const state = origin === null ? null : this.state(origin);
      const outcome = decideAddCheckpoint(request, state, (o) => this.logs.get(o));
      if (outcome.status === 200) {
        db.prepare(
          `INSERT INTO witness_checkpoints (origin, tree_size, root_hash, note, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(origin) DO UPDATE SET tree_size = excluded.tree_size, root_hash = excluded.root_hash,
             note = excluded.note, updated_at = excluded.updated_at`,
        ).run(
          outcome.next.origin,
          outcome.next.treeSize,
          Buffer.from(outcome.next.rootHash),
          outcome.next.note,
          new Date(clock()).toISOString(),
        );
      } else if (outcome.evidence !== undefined) {
        // Recorded in the same transaction: the refusal and its evidence are durable together.
        alerts.record({
          source: 'witness',
          kind: outcome.evidence.kind,
          origin: outcome.evidence.origin,
          detail: outcome.evidence.detail,
          cosigned: outcome.evidence.cosigned,
          submitted: outcome.evidence.submitted,
          proof: outcome.evidence.proof,
        });
      }
      return outcome;
    });
    const outcome = decide.immediate();
    if (outcome.status === 409) {
      this.refused[409] = (this.refused[409] ?? 0) + 1;
      return { status: 409, contentType: TLOG_SIZE_CONTENT_TYPE, body: `${outcome.treeSize}\n` };
    }
    if (outcome.status !== 200) return this.refuse(outcome.status, outcome.reason);
    // The new state is committed: only now may the key vouch for it.
    const cosignature = createCosignature(
      outcome.checkpointText,
      identity.name,
      identity.keyPair.publicKey,
      Math.floor(clock() / 1000),
      identity.keyPair.sign,
    );
    this.cosignedCount++;
    return { status: 200, contentType: 'text/plain; charset=utf-8', body: formatSignatureLine(cosignature) };
  }

  private refuse(status: 400 | 403 | 404 | 422 | 503, reason: string): WitnessAnswer {
    this.refused[status] = (this.refused[status] ?? 0) + 1;
    return { status, contentType: 'text/plain; charset=utf-8', body: `${reason}\n` };
  }

  /** The origin line of the submitted checkpoint, read only to find the state; the decision checks it again. */
  private originOf(request: AddCheckpointRequest): string | null {
    const end = request.checkpoint.indexOf('\n');
    return end <= 0 ? null : request.checkpoint.slice(0, end);
  }
}
