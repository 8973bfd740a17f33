/**
 * The log-signed trust policy versions a node published (primary) or followed
 * (mirror), in DATA/federation.db. Kept there, not in node.db, because it must
 * survive `chancery rebuild`: a primary whose sequence restarted at 1 would be
 * refused by every mirror as a rollback, and a mirror that forgot its sequence
 * would take a replayed older version after a restart.
 */

import { formatPolicyNoteText, readSignedPolicy, type SignedPolicy } from '../../domain/federation/index.js';
import { ed25519NoteVerifier, formatNote, type NoteSigner, signNote } from '../../domain/log/index.js';
import { verifyEd25519 } from '../crypto/ed25519-verifier.js';
import type { FederationDatabase } from './federation-database.js';

interface Row {
  sequence: number;
  policy: string;
  note: string;
}

export class PolicyNotes {
  constructor(
    private readonly db: FederationDatabase,
    private readonly clock: () => number,
  ) {}

  /** The newest version recorded, or null. */
  latest(): Row | null {
    return (
      (this.db
        .prepare('SELECT sequence, policy, note FROM policy_notes ORDER BY sequence DESC LIMIT 1')
        .get() as Row | undefined) ?? null
    );
  }

  /** Records a version (a mirror's adopted note, or a primary's newly signed one). */
  record(sequence: number, policy: string, note: string): void {
    this.db
      .prepare(
        'INSERT OR REPLACE INTO policy_notes (sequence, policy, note, recorded_at) VALUES (?, ?, ?, ?)',
      )
      .run(sequence, policy, note, new Date(this.clock()).toISOString());
  }

  /**
   * The primary's note for the policy it starts with: the last one if the
   * policy is unchanged (same bytes served across restarts), else a new
   * version signed with the log key. Its sequence is one above the last, and
   * at least the clock in Unix seconds: a primary whose federation.db was lost
   * (restored without it, deleted as if it were a cache) would otherwise start
   * again at 1, and every mirror would refuse its policies as a rollback for
   * ever; from the clock it starts above anything it signed before.
   */
  publish(origin: string, policy: string, signer: NoteSigner): string {
    const last = this.latest();
    if (last !== null && last.policy === policy) return last.note;
    const sequence = Math.max((last?.sequence ?? 0) + 1, Math.floor(this.clock() / 1000));
    const note = formatNote(signNote(formatPolicyNoteText({ origin, sequence, policy }), [signer]));
    this.record(sequence, policy, note);
    return note;
  }

  /** A mirror's last followed version, checked again under the log key; null if none or it no longer verifies. */
  followed(logVkey: string): SignedPolicy | null {
    const last = this.latest();
    if (last === null) return null;
    try {
      return readSignedPolicy(last.note, ed25519NoteVerifier(logVkey, verifyEd25519), logVkey);
    } catch {
      return null;
    }
  }
}
