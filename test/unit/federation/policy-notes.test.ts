/**
 * The primary's policy versions in federation.db: the same policy keeps its
 * note (same bytes across restarts), a changed one is signed under the next
 * sequence, and going back to an earlier text is a new version too, never a
 * reuse of an old number a mirror would refuse as a rollback.
 */

import { describe, expect, it } from 'vitest';
import { parsePolicyNoteText } from '../../../src/domain/federation/index.js';
import { ed25519NoteSigner, parseNote } from '../../../src/domain/log/index.js';
import { openFederationDatabase } from '../../../src/infrastructure/federation/federation-database.js';
import { PolicyNotes } from '../../../src/infrastructure/federation/policy-notes.js';
import { logKey, logVkey, ORIGIN } from './federation-fixtures.js';

const signer = ed25519NoteSigner(ORIGIN, logKey.publicKey, logKey.sign);
const a = `log ${logVkey}\nquorum none\n`;
const b = `# with a comment\nlog ${logVkey}\nquorum none\n`;
const sequenceOf = (note: string) => parsePolicyNoteText(parseNote(note).text).sequence;

describe('the policy versions a primary signs', () => {
  it('keeps the note of an unchanged policy and signs a changed one under the next sequence', () => {
    const db = openFederationDatabase(':memory:');
    const notes = new PolicyNotes(db, () => 0);
    const first = notes.publish(ORIGIN, a, signer);
    expect(sequenceOf(first)).toBe(1);
    expect(notes.publish(ORIGIN, a, signer)).toBe(first);
    const second = notes.publish(ORIGIN, b, signer);
    expect(sequenceOf(second)).toBe(2);
    expect(sequenceOf(notes.publish(ORIGIN, a, signer))).toBe(3);
    expect(notes.followed(logVkey)?.sequence).toBe(3);
    db.close();
  });

  it('signs at least its clock in Unix seconds, so a primary that lost federation.db starts above what it signed', () => {
    let now = 1_800_000_000_500;
    const lost = openFederationDatabase(':memory:');
    const before = new PolicyNotes(lost, () => now);
    expect(sequenceOf(before.publish(ORIGIN, a, signer))).toBe(1_800_000_000);
    expect(sequenceOf(before.publish(ORIGIN, b, signer))).toBe(1_800_000_001); // same second: one above
    lost.close();
    now += 60_000;
    const fresh = openFederationDatabase(':memory:');
    expect(sequenceOf(new PolicyNotes(fresh, () => now).publish(ORIGIN, a, signer))).toBe(1_800_000_060);
    fresh.close();
  });
});
