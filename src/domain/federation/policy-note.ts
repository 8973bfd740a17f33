/**
 * The trust policy as a C2SP signed note, signed with the log key, so that a
 * mirror can follow the primary's policy through any number of hops and
 * proxies and still know it is the log operator's word:
 *
 *   chancery.trust-policy/v1\n
 *   origin <log origin>\n
 *   sequence <n>\n
 *   <the tlog-policy text, byte for byte>
 *
 * The log key signs two kinds of text, checkpoints and these notes, so one must
 * never be readable as the other (domain separation). Both ways are closed by
 * the structure, not by a convention about names:
 *  - a policy note is never a checkpoint: a checkpoint's second line is a bare
 *    decimal tree size, and a policy note's is "origin …" (a space, letters),
 *    which parseCheckpoint refuses whatever the first line says; the first
 *    line is also not the log's origin (formatPolicyNoteText refuses an origin
 *    equal to the header), and verifiers compare a checkpoint's first line
 *    with the origin;
 *  - a checkpoint is never a policy note: its first line is the log origin,
 *    not the fixed header, and its second line is a number, not "origin …".
 *
 * `sequence` orders the versions the log operator published (1, 2, …): a
 * mirror adopts a note only if its sequence is above the one it follows, so a
 * proxy replaying an older signed policy cannot roll a mirror back. Two
 * different policies under one sequence are refused too.
 *
 * Pure: no node:* imports, no clock, no I/O.
 */

import { type NoteVerifier, verifyNote } from '../log/index.js';
import { FederationError } from './federation-error.js';
import { parseTrustPolicy, type TrustPolicy } from './trust-policy.js';

/** The first line of every policy note: what it is, and the version of this format. */
export const POLICY_NOTE_HEADER = 'chancery.trust-policy/v1';

const SEQUENCE = /^[1-9][0-9]{0,14}$/;
const ORIGIN = /^[^\s+]+$/;

export interface PolicyNoteText {
  readonly origin: string;
  /** The version of the policy: 1 for the first the log published, +1 for each change. */
  readonly sequence: number;
  /** The tlog-policy text, exactly as signed. */
  readonly policy: string;
}

/** A policy note verified under the log key, with its policy read. */
export interface SignedPolicy {
  /** The signed note, exactly as received: what a mirror serves on. */
  readonly note: string;
  readonly sequence: number;
  readonly policy: TrustPolicy;
}

function malformed(message: string): FederationError {
  return new FederationError('POLICY_NOTE_MALFORMED', message);
}

/** The note text for one policy version. Throws POLICY_NOTE_MALFORMED on an origin or sequence it could not read back. */
export function formatPolicyNoteText(note: PolicyNoteText): string {
  if (!ORIGIN.test(note.origin) || note.origin === POLICY_NOTE_HEADER)
    throw malformed(`origin ${JSON.stringify(note.origin)} cannot name a log in a policy note`);
  if (!SEQUENCE.test(String(note.sequence))) throw malformed(`sequence ${note.sequence} is not 1 or more`);
  return `${POLICY_NOTE_HEADER}\norigin ${note.origin}\nsequence ${note.sequence}\n${note.policy}`;
}

/** Reads a policy note's text (signatures already checked or stripped). Throws POLICY_NOTE_MALFORMED. */
export function parsePolicyNoteText(text: string): PolicyNoteText {
  const lines = text.split('\n', 3);
  if (lines[0] !== POLICY_NOTE_HEADER) throw malformed(`the first line is not ${POLICY_NOTE_HEADER}`);
  const origin = lines[1]?.startsWith('origin ') ? lines[1].slice('origin '.length) : '';
  if (!ORIGIN.test(origin)) throw malformed('the second line is not "origin <log origin>"');
  const sequence = lines[2]?.startsWith('sequence ') ? lines[2].slice('sequence '.length) : '';
  if (!SEQUENCE.test(sequence)) throw malformed('the third line is not "sequence <n>", n from 1');
  const policy = text.slice(lines.slice(0, 3).join('\n').length + 1);
  return { origin, sequence: Number(sequence), policy };
}

/**
 * A policy note checked as a mirror must: signed by the log key (the only key
 * in `logVerifier`), naming that log's origin, a policy that parses and lists
 * that log key. Throws LogProofError (not signed, wrongly signed, malformed
 * note) or FederationError (malformed text or policy, another log).
 */
export function readSignedPolicy(note: string, logVerifier: NoteVerifier, logVkey: string): SignedPolicy {
  const verified = verifyNote(note, [logVerifier]);
  const text = parsePolicyNoteText(verified.text);
  if (text.origin !== logVerifier.keyName)
    throw malformed(`the note is for ${text.origin}, not for ${logVerifier.keyName}`);
  const policy = parseTrustPolicy(text.policy);
  // A policy that does not name the log this mirror trusts says nothing about its cosignatures.
  if (!policy.logs.some((log) => log.vkey === logVkey))
    throw malformed('the policy does not list the trusted log key');
  return { note, sequence: text.sequence, policy };
}

/**
 * Whether a mirror following `current` (null: none yet) takes `offered`:
 * 'adopt', 'same' (nothing to do), or why it refuses: an older sequence is a
 * rollback; the same sequence with another policy is two versions under one
 * number, which the log operator never publishes.
 */
export function policyUpdate(
  current: SignedPolicy | null,
  offered: SignedPolicy,
): 'adopt' | 'same' | { readonly refused: string } {
  if (current === null || offered.sequence > current.sequence) return 'adopt';
  if (offered.sequence < current.sequence)
    return {
      refused: `sequence ${offered.sequence} is older than sequence ${current.sequence}, which this mirror follows (a rollback)`,
    };
  if (offered.policy.text !== current.policy.text)
    return { refused: `a different policy under sequence ${offered.sequence}, which this mirror follows` };
  return 'same';
}
