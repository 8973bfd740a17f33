import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import {
  ed25519NoteVerifier,
  formatTlogProof,
  LogProofError,
  leafHash,
  MAX_TLOG_PROOF_HASHES,
  parseCheckpoint,
  parseTlogProof,
  proveRecord,
  TLOG_PROOF_HEADER,
  verifyInclusion,
  verifyNote,
} from '../../../src/domain/log/index.js';
import { MemoryHashStore } from './memory-hash-store.js';
import { toB64, vectorLeaves, vectors } from './tlog-vectors.js';

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LogProofError);
    expect((error as LogProofError).code).toBe(code);
    return;
  }
  expect.fail(`expected LogProofError ${code}`);
}

const store = MemoryHashStore.withLeaves(vectorLeaves);
const NOTE = vectors.cosignature.cosigned_note;
const logVerifier = ed25519NoteVerifier(vectors.signed_note.verifier_key, (pub, msg, sig) =>
  ed25519.verify(sig, msg, pub, { zip215: false }),
);

describe('c2sp.org/tlog-proof@v1', () => {
  const proof = { index: 42, inclusionProof: proveRecord(70, 42, store), checkpointNote: NOTE };
  const text = formatTlogProof(proof);

  it('formats header, index, one hash per line, a blank line, then the note verbatim', () => {
    const hashLines = proof.inclusionProof.map((h) => `${toB64(h)}\n`).join('');
    expect(text).toBe(`${TLOG_PROOF_HEADER}\nindex 42\n${hashLines}\n${NOTE}`);
  });

  it('round-trips and verifies end to end against the vector log key and root', () => {
    const parsed = parseTlogProof(text);
    expect(parsed).toEqual(proof);
    const note = verifyNote(parsed.checkpointNote, [logVerifier]);
    const checkpoint = parseCheckpoint(note.text);
    expect(() =>
      verifyInclusion(
        parsed.index,
        checkpoint.treeSize,
        leafHash(vectorLeaves[42]!),
        parsed.inclusionProof,
        checkpoint.rootHash,
      ),
    ).not.toThrow();
  });

  it('carries optional extra data on the second line', () => {
    const withExtra = { ...proof, extra: new TextEncoder().encode('age-v1.2.1-darwin-arm64.tar.gz') };
    const formatted = formatTlogProof(withExtra);
    expect(formatted.split('\n')[1]).toBe('extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6');
    expect(parseTlogProof(formatted)).toEqual(withExtra);
  });

  it('an empty inclusion proof (a one-leaf tree) puts the blank line right after the index', () => {
    const one = formatTlogProof({ index: 0, inclusionProof: [], checkpointNote: NOTE });
    expect(one.startsWith(`${TLOG_PROOF_HEADER}\nindex 0\n\n`)).toBe(true);
    expect(parseTlogProof(one).inclusionProof).toEqual([]);
  });

  const lines = text.split('\n');
  const replaceLine = (i: number, line: string) => lines.map((l, j) => (j === i ? line : l)).join('\n');

  it.each([
    ['a different header', replaceLine(0, 'c2sp.org/tlog-proof@v2')],
    ['an index with a leading zero', replaceLine(1, 'index 042')],
    ['a negative index', replaceLine(1, 'index -42')],
    ['an index past 2^53 - 1', replaceLine(1, 'index 9007199254740992')],
    ['a missing index line', lines.filter((_, i) => i !== 1).join('\n')],
    ['two spaces after "index"', replaceLine(1, 'index  42')],
    ['an empty extra line', `${TLOG_PROOF_HEADER}\nextra \n${lines.slice(1).join('\n')}`],
    ['extra data that is not strict base64', `${TLOG_PROOF_HEADER}\nextra YWJ\n${lines.slice(1).join('\n')}`],
    ['a proof hash of 31 bytes', replaceLine(2, toB64(new Uint8Array(31)))],
    ['a proof hash in URL-safe base64', replaceLine(2, `${lines[2]!.slice(0, 42)}-=`)],
    ['no blank line before the checkpoint', text.replace(`\n\n${NOTE}`, `\n${NOTE}`)],
  ])('rejects %s (TLOG_PROOF_MALFORMED)', (_why, bad) => {
    expectCode(() => parseTlogProof(bad), 'TLOG_PROOF_MALFORMED');
  });

  it(`rejects more than ${MAX_TLOG_PROOF_HASHES} proof lines before decoding them`, () => {
    const many = `${TLOG_PROOF_HEADER}\nindex 0\n${'!\n'.repeat(MAX_TLOG_PROOF_HASHES + 1)}\n${NOTE}`;
    expectCode(() => parseTlogProof(many), 'TLOG_PROOF_MALFORMED');
  });

  it('rejects a malformed checkpoint note with the note error code', () => {
    expectCode(() => parseTlogProof(`${text}trailing garbage`), 'NOTE_MALFORMED');
    expectCode(() => parseTlogProof(text.replace('\u2014', '-')), 'NOTE_MALFORMED');
  });

  it('formatTlogProof refuses values parse would reject', () => {
    expectCode(() => formatTlogProof({ ...proof, index: -1 }), 'TLOG_PROOF_MALFORMED');
    expectCode(() => formatTlogProof({ ...proof, extra: new Uint8Array(0) }), 'TLOG_PROOF_MALFORMED');
    expectCode(
      () => formatTlogProof({ ...proof, inclusionProof: [new Uint8Array(31)] }),
      'TLOG_PROOF_MALFORMED',
    );
    expectCode(() => formatTlogProof({ ...proof, checkpointNote: 'not a note' }), 'NOTE_MALFORMED');
  });
});
