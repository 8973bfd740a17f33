import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import {
  COSIGNATURE_V1_SIZE,
  cosignatureVerifier,
  cosignedMessage,
  createCosignature,
  type Ed25519Verify,
  ed25519NoteSigner,
  ed25519NoteVerifier,
  formatKeyId,
  formatNote,
  formatVerifierKey,
  formatWitnessKey,
  LogProofError,
  type NoteSignature,
  parseCosignature,
  parseNote,
  parseSignerKey,
  parseWitnessKey,
  SIGNATURE_TYPE_ED25519,
  signNote,
  verifyCosignature,
  verifyNote,
  witnessCosigner,
  witnessKeyId,
} from '../../../src/domain/log/index.js';
import { fromB64, vectors } from './tlog-vectors.js';

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

const verify: Ed25519Verify = (publicKey, message, signature) =>
  ed25519.verify(signature, message, publicKey, { zip215: false });

const V = vectors.cosignature;
const logVerifier = ed25519NoteVerifier(vectors.signed_note.verifier_key, verify);
const witnessVerifier = cosignatureVerifier(V.witness_vkey, verify);
const checkpointText = parseNote(V.cosigned_note).text;

describe('cosignature/v1 known answer (Go crypto/ed25519 vector)', () => {
  it('the witness vkey is name + SHA-256(name ‖ 0x0A ‖ 0x04 ‖ pubkey)[:4] + base64(0x04 ‖ pubkey)', () => {
    const publicKey = fromB64(V.witness_pubkey_b64);
    expect(formatWitnessKey(V.witness_name, publicKey)).toBe(V.witness_vkey);
    expect(formatKeyId(witnessKeyId(V.witness_name, publicKey))).toBe('2f508b08');
    const parsed = parseWitnessKey(V.witness_vkey);
    expect(parsed.publicKey).toEqual(publicKey);
    expect(parsed.type).toBe(0x04);
  });

  it('the cosigned note verifies with the log key and the witness key, and carries time 1700000000', () => {
    const result = verifyNote(V.cosigned_note, [logVerifier, witnessVerifier]);
    expect(result.verified.map((s) => s.keyName)).toEqual(['vectors.example/log', 'witness.example/w1']);
    const cosig = result.verified[1]!;
    expect(cosig.signature.length).toBe(COSIGNATURE_V1_SIZE);
    expect(parseCosignature(cosig.signature).timestamp).toBe(V.time);
  });

  it('verifyCosignature checks the vector line against witness_vkey and returns its time', () => {
    const line = parseNote(`${checkpointText}\n${V.signature_line}`).signatures[0]!;
    const parsed = verifyCosignature(checkpointText, line, parseWitnessKey(V.witness_vkey), verify);
    expect(parsed.timestamp).toBe(1700000000);
  });

  it('the signed message is "cosignature/v1\\ntime <t>\\n" followed by the checkpoint body', () => {
    expect(new TextDecoder().decode(cosignedMessage(checkpointText, V.time))).toBe(
      `cosignature/v1\ntime 1700000000\n${checkpointText}`,
    );
  });

  it('the vector line is the last line of the cosigned note, which is the signed note plus that line', () => {
    expect(V.cosigned_note).toBe(vectors.signed_note.note + V.signature_line);
  });

  it('without a witness verifier the cosignature is ignored as unknown (the log signature suffices)', () => {
    const result = verifyNote(V.cosigned_note, [logVerifier]);
    expect(result.unverified.map((s) => s.keyName)).toEqual(['witness.example/w1']);
  });

  it('a tampered timestamp makes the cosignature invalid', () => {
    const { text, signatures } = parseNote(V.cosigned_note);
    const cosig = signatures[1]!;
    const moved = cosig.signature.slice();
    moved[7] = moved[7]! ^ 1;
    const note = formatNote({ text, signatures: [signatures[0]!, { ...cosig, signature: moved }] });
    expectCode(() => verifyNote(note, [logVerifier, witnessVerifier]), 'NOTE_SIGNATURE_INVALID');
    expectCode(
      () => verifyCosignature(text, { ...cosig, signature: moved }, parseWitnessKey(V.witness_vkey), verify),
      'COSIGNATURE_INVALID',
    );
  });
});

describe('our own cosignatures', () => {
  const witnessSeed = new Uint8Array(32).fill(42);
  const witnessPublic = ed25519.getPublicKey(witnessSeed);
  const sign = (message: Uint8Array) => ed25519.sign(message, witnessSeed);
  const vkey = formatWitnessKey('witness.example/ours', witnessPublic);

  it('round-trip: create, append to the log-signed checkpoint, verify with both keys', () => {
    const cosig = createCosignature(
      checkpointText,
      'witness.example/ours',
      witnessPublic,
      1_712_345_678,
      sign,
    );
    const note = formatNote({
      text: checkpointText,
      signatures: [...parseNote(vectors.signed_note.note).signatures, cosig],
    });
    const result = verifyNote(note, [logVerifier, cosignatureVerifier(vkey, verify)]);
    expect(result.verified.length).toBe(2);
    expect(parseCosignature(result.verified[1]!.signature).timestamp).toBe(1_712_345_678);
  });

  it('witnessCosigner adds a cosignature through signNote like any other signer', () => {
    const existing = parseNote(vectors.signed_note.note).signatures;
    const signed = signNote(
      checkpointText,
      [witnessCosigner('witness.example/ours', witnessPublic, 5, sign)],
      existing,
    );
    expect(
      verifyNote(formatNote(signed), [logVerifier, cosignatureVerifier(vkey, verify)]).verified.length,
    ).toBe(2);
  });

  it('timestamps past 2^32 are encoded as uint64 big-endian and read back exactly', () => {
    const time = 2 ** 40 + 7;
    const cosig = createCosignature(checkpointText, 'witness.example/ours', witnessPublic, time, sign);
    expect([...cosig.signature.slice(0, 8)]).toEqual([0, 0, 1, 0, 0, 0, 0, 7]);
    const parsed = verifyCosignature(checkpointText, cosig, parseWitnessKey(vkey), verify);
    expect(parsed.timestamp).toBe(time);
  });

  it('the same Ed25519 key as a plain 0x01 note key has a different key ID, so it cannot pass for a witness', () => {
    const asNoteKey = formatVerifierKey('witness.example/ours', SIGNATURE_TYPE_ED25519, witnessPublic);
    expect(asNoteKey).not.toBe(vkey);
    const cosig = createCosignature(checkpointText, 'witness.example/ours', witnessPublic, 5, sign);
    const note = formatNote({ text: checkpointText, signatures: [cosig] });
    expectCode(() => verifyNote(note, [ed25519NoteVerifier(asNoteKey, verify)]), 'NOTE_UNVERIFIED');
  });

  it('a plain note signature by the witness key is not a cosignature', () => {
    const plain = ed25519NoteSigner('witness.example/ours', witnessPublic, sign);
    const note = formatNote(signNote(checkpointText, [plain]));
    expectCode(() => verifyNote(note, [cosignatureVerifier(vkey, verify)]), 'NOTE_UNVERIFIED');
  });
});

describe('hostile cosignatures', () => {
  const witness = parseWitnessKey(V.witness_vkey);
  const line = parseNote(V.cosigned_note).signatures[1]!;

  it('rejects a cosignature of 71 or 73 bytes', () => {
    expectCode(() => parseCosignature(line.signature.slice(0, 71)), 'COSIGNATURE_MALFORMED');
    expectCode(() => parseCosignature(new Uint8Array(73)), 'COSIGNATURE_MALFORMED');
    expect(witnessVerifier.verify(new TextEncoder().encode(checkpointText), line.signature.slice(1))).toBe(
      false,
    );
  });

  it('rejects a timestamp beyond 2^53 - 1 rather than rounding it', () => {
    const huge = line.signature.slice();
    huge[0] = 0x7f;
    expectCode(() => parseCosignature(huge), 'COSIGNATURE_MALFORMED');
  });

  it('rejects checking a cosignature under another witness key', () => {
    const other: NoteSignature = { ...line, keyName: 'witness.example/w2' };
    expectCode(() => verifyCosignature(checkpointText, other, witness, verify), 'COSIGNATURE_MALFORMED');
  });

  it('refuses to cosign anything that is not a checkpoint', () => {
    const seed = new Uint8Array(32).fill(1);
    const pub = ed25519.getPublicKey(seed);
    const sign = (m: Uint8Array) => ed25519.sign(m, seed);
    expectCode(() => createCosignature('hello\n', 'w.example/x', pub, 1, sign), 'CHECKPOINT_MALFORMED');
    expectCode(
      () => createCosignature(checkpointText, 'w.example/x', pub, -1, sign),
      'COSIGNATURE_MALFORMED',
    );
    expectCode(
      () => createCosignature(checkpointText, 'w.example/x', pub, 2 ** 53, sign),
      'COSIGNATURE_MALFORMED',
    );
    expectCode(() => createCosignature(checkpointText, 'w example', pub, 1, sign), 'KEY_NAME_INVALID');
  });

  it('a log signer key string cannot be used as a witness key', () => {
    expectCode(() => parseWitnessKey(vectors.signed_note.verifier_key), 'KEY_MALFORMED');
    expect(parseSignerKey(vectors.signed_note.signer_key, ed25519.getPublicKey).name).toBe(
      'vectors.example/log',
    );
  });
});
