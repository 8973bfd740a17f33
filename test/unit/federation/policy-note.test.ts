/**
 * The trust policy as a log-signed note: its text format, the checks a mirror
 * makes before following it (log key, origin, policy listing the log key), the
 * version order that refuses a rollback, and the domain separation from
 * checkpoints, which the same key signs.
 */

import { describe, expect, it } from 'vitest';
import {
  type FederationError,
  formatPolicyNoteText,
  POLICY_NOTE_HEADER,
  parsePolicyNoteText,
  policyUpdate,
  readSignedPolicy,
  type SignedPolicy,
} from '../../../src/domain/federation/index.js';
import {
  ed25519NoteSigner,
  formatNote,
  type LogProofError,
  parseCheckpoint,
  parseNote,
  signNote,
} from '../../../src/domain/log/index.js';
import {
  logKey,
  logVerifier,
  logVkey,
  ORIGIN,
  signedCheckpoint,
  testKey,
  testWitness,
} from './federation-fixtures.js';

const policyText = (quorum = 'none', witnesses = '') => `log ${logVkey}\n${witnesses}quorum ${quorum}\n`;
const w1 = testWitness(1);
const withWitness = policyText('w1', `witness w1 ${w1.vkey} http://w1.example\n`);

function note(sequence: number, policy: string, key = logKey, origin = ORIGIN): string {
  const signer = ed25519NoteSigner(origin, key.publicKey, key.sign);
  return formatNote(signNote(formatPolicyNoteText({ origin, sequence, policy }), [signer]));
}

const read = (text: string): SignedPolicy => readSignedPolicy(text, logVerifier, logVkey);

function failure(fn: () => unknown): { name: string; code: string; message: string } {
  try {
    fn();
  } catch (error) {
    const e = error as FederationError | LogProofError;
    return { name: e.name, code: e.code, message: e.message };
  }
  throw new Error('expected a failure');
}

describe('the policy note text', () => {
  it('is the header, origin and sequence lines, then the policy byte for byte', () => {
    const text = formatPolicyNoteText({ origin: ORIGIN, sequence: 3, policy: withWitness });
    expect(text).toBe(`chancery.trust-policy/v1\norigin ${ORIGIN}\nsequence 3\n${withWitness}`);
    expect(parsePolicyNoteText(text)).toEqual({ origin: ORIGIN, sequence: 3, policy: withWitness });
  });

  it('refuses a sequence below 1, an origin it could not read back, and the header as an origin', () => {
    for (const [origin, sequence] of [
      [ORIGIN, 0],
      [ORIGIN, 1.5],
      ['a b', 1],
      [POLICY_NOTE_HEADER, 1],
    ] as const)
      expect(failure(() => formatPolicyNoteText({ origin, sequence, policy: withWitness }))).toMatchObject({
        name: 'FederationError',
        code: 'POLICY_NOTE_MALFORMED',
      });
  });

  it('refuses a text without the header, origin or sequence line, or with a sequence of another spelling', () => {
    for (const text of [
      `${ORIGIN}\norigin ${ORIGIN}\nsequence 1\n${withWitness}`,
      `${POLICY_NOTE_HEADER}\n${ORIGIN}\nsequence 1\n${withWitness}`,
      `${POLICY_NOTE_HEADER}\norigin ${ORIGIN}\nsequence 01\n${withWitness}`,
      `${POLICY_NOTE_HEADER}\norigin ${ORIGIN}\n1\n${withWitness}`,
    ])
      expect(failure(() => parsePolicyNoteText(text)).code).toBe('POLICY_NOTE_MALFORMED');
  });
});

describe('domain separation from checkpoints (one key signs both)', () => {
  it('a policy note is never a checkpoint: its second line is not a tree size', () => {
    const text = parseNote(note(1, withWitness)).text;
    expect(failure(() => parseCheckpoint(text))).toMatchObject({ code: 'CHECKPOINT_MALFORMED' });
  });

  it('a checkpoint is never a policy note: its first line is the origin, its second a number', () => {
    const checkpoint = signedCheckpoint(5);
    expect(failure(() => parsePolicyNoteText(parseNote(checkpoint).text)).code).toBe('POLICY_NOTE_MALFORMED');
    expect(failure(() => read(checkpoint)).code).toBe('POLICY_NOTE_MALFORMED');
  });
});

describe('what a mirror accepts', () => {
  it('a note signed by the log key, for its origin, whose policy lists the log key', () => {
    const signed = read(note(2, withWitness));
    expect(signed.sequence).toBe(2);
    expect(signed.policy.text).toBe(withWitness);
    expect(signed.policy.witnesses.map((w) => w.name)).toEqual(['w1']);
  });

  it('refuses a rewritten witness list under the log signature', () => {
    const tampered = note(2, withWitness).replace('quorum w1', 'quorum none');
    expect(failure(() => read(tampered))).toMatchObject({ code: 'NOTE_SIGNATURE_INVALID' });
  });

  it('refuses the note stripped of its signature, and the bare policy text', () => {
    const signed = note(2, withWitness);
    const stripped = `${parseNote(signed).text}\n`;
    expect(failure(() => read(stripped)).code).toBe('NOTE_MALFORMED');
    expect(failure(() => read(withWitness)).code).toBe('NOTE_MALFORMED');
  });

  it('refuses a note signed by another key under the log name, another origin, or a policy without the log', () => {
    // Another key has another key ID: its signature is not the log's, so the note is unsigned for the mirror.
    expect(failure(() => read(note(2, withWitness, testKey(99)))).code).toBe('NOTE_UNVERIFIED');
    const otherOrigin = formatNote(
      signNote(formatPolicyNoteText({ origin: 'other.example/log', sequence: 1, policy: withWitness }), [
        ed25519NoteSigner(ORIGIN, logKey.publicKey, logKey.sign),
      ]),
    );
    expect(failure(() => read(otherOrigin))).toMatchObject({
      code: 'POLICY_NOTE_MALFORMED',
      message: `the note is for other.example/log, not for ${ORIGIN}`,
    });
    const foreign = note(1, `witness w1 ${w1.vkey}\nquorum w1\n`);
    expect(failure(() => read(foreign))).toMatchObject({
      code: 'POLICY_NOTE_MALFORMED',
      message: 'the policy does not list the trusted log key',
    });
  });
});

describe('the version order', () => {
  const v1 = read(note(1, policyText()));
  const v2 = read(note(2, withWitness));

  it('adopts the first version and every higher one; the same one is nothing to do', () => {
    expect(policyUpdate(null, v1)).toBe('adopt');
    expect(policyUpdate(v1, v2)).toBe('adopt');
    expect(policyUpdate(v2, read(note(2, withWitness)))).toBe('same');
  });

  it('refuses an older version (a rollback) and another policy under the same sequence', () => {
    expect(policyUpdate(v2, v1)).toEqual({
      refused: 'sequence 1 is older than sequence 2, which this mirror follows (a rollback)',
    });
    expect(policyUpdate(v2, read(note(2, policyText())))).toEqual({
      refused: 'a different policy under sequence 2, which this mirror follows',
    });
  });
});
