import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import {
  computeKeyId,
  type Ed25519Verify,
  ed25519NoteSigner,
  ed25519NoteVerifier,
  formatKeyId,
  formatNote,
  formatSignerKey,
  formatVerifierKey,
  LogProofError,
  MAX_NOTE_SIGNATURES,
  type NoteSignature,
  type NoteVerifier,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
  signNote,
  verifyNote,
} from '../../../src/domain/log/index.js';
import { ascii, toB64, vectors } from './tlog-vectors.js';

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

// RFC 8032 strict verification, as the server's node:crypto does; noble defaults to ZIP-215.
const verify: Ed25519Verify = (publicKey, message, signature) =>
  ed25519.verify(signature, message, publicKey, { zip215: false });

const { note: NOTE, signer_key: SKEY, verifier_key: VKEY } = vectors.signed_note;
const logVerifier = ed25519NoteVerifier(VKEY, verify);

// A second, unrelated key for "unknown signer" cases.
const otherSeed = new Uint8Array(32).fill(7);
const otherPublic = ed25519.getPublicKey(otherSeed);
const otherSigner = ed25519NoteSigner('other.example/key', otherPublic, (m) => ed25519.sign(m, otherSeed));

describe('verifier and signer key strings (Go vector)', () => {
  it('parses the vkey: name, key ID 32ce2fdb, type 0x01, 32-byte key', () => {
    const key = parseVerifierKey(VKEY);
    expect(key.name).toBe('vectors.example/log');
    expect(formatKeyId(key.keyId)).toBe('32ce2fdb');
    expect(key.type).toBe(SIGNATURE_TYPE_ED25519);
    expect(key.publicKey.length).toBe(32);
    expect(formatVerifierKey(key.name, SIGNATURE_TYPE_ED25519, key.publicKey)).toBe(VKEY);
  });

  it('key ID = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ pubkey)[:4], big-endian', () => {
    const key = parseVerifierKey(VKEY);
    expect(computeKeyId(key.name, SIGNATURE_TYPE_ED25519, key.publicKey)).toBe(0x32ce2fdb);
  });

  it('parses the signer key, whose seed derives the vkey public key, and formats it back', () => {
    const signer = parseSignerKey(SKEY, (seed) => ed25519.getPublicKey(seed));
    expect(signer.publicKey).toEqual(parseVerifierKey(VKEY).publicKey);
    expect(signer.keyId).toBe(0x32ce2fdb);
    expect(formatSignerKey(signer.name, signer.seed, signer.publicKey)).toBe(SKEY);
  });

  it('accepts an upper-case key ID as Go does', () => {
    expect(parseVerifierKey(VKEY.replace('32ce2fdb', '32CE2FDB')).keyId).toBe(0x32ce2fdb);
  });

  it.each([
    ['no key ID', 'vectors.example/log'],
    ['a 7-digit key ID', VKEY.replace('32ce2fdb', '32ce2fd')],
    ['a non-hex key ID', VKEY.replace('32ce2fdb', '32ce2fdg')],
    ['a signed key ID', VKEY.replace('32ce2fdb', '+2ce2fdb')],
    ['an empty name', VKEY.replace('vectors.example/log', '')],
    ['a name with a space', VKEY.replace('vectors.example/log', 'vectors example')],
    ['a non-canonical base64 key', VKEY.replace(/W$/, 'X')],
    ['a truncated key', VKEY.slice(0, -4)],
  ])('rejects a vkey with %s', (_why, vkey) => {
    expect(() => parseVerifierKey(vkey)).toThrow(LogProofError);
  });

  it('rejects a vkey whose key ID does not match its key (KEY_ID_MISMATCH)', () => {
    expectCode(() => parseVerifierKey(VKEY.replace('32ce2fdb', '32ce2fdc')), 'KEY_ID_MISMATCH');
  });

  it('rejects unsupported key types, e.g. ECDSA 0x02', () => {
    const key = parseVerifierKey(VKEY);
    const material = new Uint8Array([0x02, ...key.publicKey]);
    const id = formatKeyId(computeKeyId(key.name, 0x02, key.publicKey));
    expectCode(() => parseVerifierKey(`${key.name}+${id}+${toB64(material)}`), 'KEY_MALFORMED');
  });

  it('refuses a log key where a witness key is expected', () => {
    expectCode(() => parseVerifierKey(VKEY, SIGNATURE_TYPE_COSIGNATURE_V1), 'KEY_MALFORMED');
  });

  it('refuses a signer key whose key ID does not match the derived public key', () => {
    expectCode(
      () => parseSignerKey(SKEY.replace('32ce2fdb', '00000000'), (seed) => ed25519.getPublicKey(seed)),
      'KEY_ID_MISMATCH',
    );
    expectCode(
      () => parseSignerKey(SKEY.replace('PRIVATE+KEY', 'PUBLIC+KEY'), ed25519.getPublicKey),
      'KEY_MALFORMED',
    );
  });
});

describe('Go known answers', () => {
  it('verifies the vector note with its vkey', () => {
    const result = verifyNote(NOTE, [logVerifier]);
    expect(result.text).toBe('vectors.example/log\n70\nUKvK8Sai4WKd30qm3U7wXJMCzREUTdKcYUn8jtkHVl0=\n');
    expect(result.verified.map((s) => s.keyName)).toEqual(['vectors.example/log']);
    expect(result.unverified).toEqual([]);
  });

  it('signing the vector text with the vector signer key reproduces the note exactly', () => {
    const signer = parseSignerKey(SKEY, (seed) => ed25519.getPublicKey(seed));
    const noteSigner = ed25519NoteSigner(signer.name, signer.publicKey, (m) => ed25519.sign(m, signer.seed));
    expect(formatNote(signNote(parseNote(NOTE).text, [noteSigner]))).toBe(NOTE);
  });

  it('reproduces the example in the golang.org/x/mod/sumdb/note package documentation', () => {
    const skey = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
    const vkey = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
    const text =
      "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    const expected = `${text}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;
    const signer = parseSignerKey(skey, (seed) => ed25519.getPublicKey(seed));
    const noteSigner = ed25519NoteSigner(signer.name, signer.publicKey, (m) => ed25519.sign(m, signer.seed));
    expect(formatNote(signNote(text, [noteSigner]))).toBe(expected);
    expect(verifyNote(expected, [ed25519NoteVerifier(vkey, verify)]).text).toBe(text);
  });
});

describe('verification rules', () => {
  const withOther = formatNote(signNote(parseNote(NOTE).text, [otherSigner], parseNote(NOTE).signatures));

  it('ignores signatures by unknown keys but reports them', () => {
    const result = verifyNote(withOther, [logVerifier]);
    expect(result.verified.length).toBe(1);
    expect(result.unverified.map((s) => s.keyName)).toEqual(['other.example/key']);
  });

  it('treats a signature sharing only the name of a known key as unknown', () => {
    const sig = parseNote(NOTE).signatures[0]!;
    const sameNameOtherId: NoteSignature = { ...sig, keyId: (sig.keyId + 1) >>> 0 };
    const note = formatNote({ text: parseNote(NOTE).text, signatures: [sig, sameNameOtherId] });
    expect(verifyNote(note, [logVerifier]).unverified).toEqual([sameNameOtherId]);
  });

  it('treats a signature sharing only the key ID of a known key as unknown', () => {
    const sig = parseNote(NOTE).signatures[0]!;
    const otherNameSameId: NoteSignature = { ...sig, keyName: 'impostor.example/log' };
    const note = formatNote({ text: parseNote(NOTE).text, signatures: [sig, otherNameSameId] });
    expect(verifyNote(note, [logVerifier]).unverified).toEqual([otherNameSameId]);
  });

  it('rejects the whole note when a known key signature fails (NOTE_SIGNATURE_INVALID)', () => {
    const { text, signatures } = parseNote(NOTE);
    const forged = signatures[0]!.signature.slice();
    forged[10] = forged[10]! ^ 1;
    const note = formatNote({ text, signatures: [{ ...signatures[0]!, signature: forged }] });
    expectCode(() => verifyNote(note, [logVerifier]), 'NOTE_SIGNATURE_INVALID');
  });

  it('rejects a note whose text was altered', () => {
    expectCode(() => verifyNote(NOTE.replace('\n70\n', '\n71\n'), [logVerifier]), 'NOTE_SIGNATURE_INVALID');
  });

  it('rejects a note signed by no known key (NOTE_UNVERIFIED)', () => {
    expectCode(() => verifyNote(NOTE, []), 'NOTE_UNVERIFIED');
    const onlyOther = formatNote(signNote(parseNote(NOTE).text, [otherSigner]));
    expectCode(() => verifyNote(onlyOther, [logVerifier]), 'NOTE_UNVERIFIED');
  });

  it('rejects two configured verifiers with the same name and key ID (KEY_AMBIGUOUS)', () => {
    expectCode(() => verifyNote(NOTE, [logVerifier, logVerifier]), 'KEY_AMBIGUOUS');
  });

  it('a signature of the wrong length is a failed signature, even if the Ed25519 function would throw', () => {
    const throwing: NoteVerifier = ed25519NoteVerifier(VKEY, () => {
      throw new Error('should not be called');
    });
    expect(throwing.verify(ascii('x\n'), new Uint8Array(63))).toBe(false);
    const explodes = ed25519NoteVerifier(VKEY, () => {
      throw new Error('boom');
    });
    expect(explodes.verify(ascii('x\n'), new Uint8Array(64))).toBe(false);
  });

  it('signNote replaces an existing signature by the same key and appends new ones after existing ones', () => {
    const { text, signatures } = parseNote(withOther);
    const resigned = signNote(text, [otherSigner], signatures);
    expect(resigned.signatures.map((s) => s.keyName)).toEqual(['vectors.example/log', 'other.example/key']);
  });

  it('accepts a BOM at the start of the text and keeps it (it is signed like any other character)', () => {
    const text = '\ufeffhello\n';
    const note = formatNote(signNote(text, [otherSigner]));
    const bytes = new TextEncoder().encode(note);
    const otherVerifier = ed25519NoteVerifier(
      formatVerifierKey('other.example/key', SIGNATURE_TYPE_ED25519, otherPublic),
      verify,
    );
    expect(verifyNote(bytes, [otherVerifier]).text).toBe(text);
  });
});

describe('hostile notes', () => {
  const sigLine = NOTE.slice(NOTE.lastIndexOf('\n\n') + 2);
  const text = parseNote(NOTE).text;

  it('parses the text as everything up to the LAST blank line, so the text may contain blank lines', () => {
    const note = formatNote(signNote('para one\n\npara two\n', [otherSigner]));
    expect(parseNote(note).text).toBe('para one\n\npara two\n');
  });

  it.each([
    ['a carriage return in the text', NOTE.replace('\n70\n', '\r\n70\n')],
    ['a NUL in the text', NOTE.replace('70', '7\u00000')],
    ['a tab in the text', NOTE.replace('vectors.example/log\n', 'vectors.example/log\t\n')],
    ['an escape sequence in the text', `\u001b[2J${NOTE}`],
    ['a carriage return in the signature line', NOTE.replace(/\n$/, '\r\n')],
    ['no final newline', NOTE.slice(0, -1)],
    ['no blank line before the signatures', NOTE.replace('\n\n', '\n')],
    ['no signatures after the blank line', `${text}\n`],
    ['a line that is not a signature after the separator', `${NOTE}not a signature\n`],
    ['an ASCII hyphen instead of the em dash', NOTE.replace('\u2014', '-')],
    ['an en dash instead of the em dash', NOTE.replace('\u2014', '\u2013')],
    ['no space after the dash', NOTE.replace('\u2014 ', '\u2014')],
    ['a signature line without a signature', `${text}\n\u2014 vectors.example/log\n`],
    ['two spaces before the signature', NOTE.replace('vectors.example/log M', 'vectors.example/log  M')],
    ['a signature that is not base64', NOTE.replace('Ms4v22', 'Ms4v2!')],
    ['a signature in URL-safe base64', NOTE.replace('/+NPP', '_-NPP')],
    ['a signature with missing padding', NOTE.replace('zgE=', 'zgE')],
    ['a signature of only a key ID', `${text}\n\u2014 vectors.example/log MstP2w==\n`],
    ['a key name with a plus', NOTE.replace('\u2014 vectors.example/log', '\u2014 vectors+example/log')],
    ['a key name with a no-break space', `${text}\n\u2014 a\u00a0b ${sigLine.split(' ')[2]}`],
    ['a key name with an ideographic space', `${text}\n\u2014 a\u3000b ${sigLine.split(' ')[2]}`],
    ['a key name with a next-line character', `${text}\n\u2014 a\u0085b ${sigLine.split(' ')[2]}`],
    ['a lone surrogate', NOTE.replace('70', '7\ud8000')],
  ])('rejects %s (NOTE_MALFORMED)', (_why, note) => {
    expectCode(() => parseNote(note), 'NOTE_MALFORMED');
    expectCode(() => verifyNote(note, [logVerifier]), 'NOTE_MALFORMED');
  });

  it('rejects bytes that are not UTF-8 (NOTE_MALFORMED)', () => {
    const bytes = new TextEncoder().encode(NOTE);
    const bad = new Uint8Array([...bytes.slice(0, 5), 0xff, ...bytes.slice(5)]);
    expectCode(() => parseNote(bad), 'NOTE_MALFORMED');
    const overlong = new Uint8Array([...bytes.slice(0, 5), 0xc0, 0xaf, ...bytes.slice(5)]);
    expectCode(() => parseNote(overlong), 'NOTE_MALFORMED');
  });

  it(`accepts ${MAX_NOTE_SIGNATURES} signatures and rejects ${MAX_NOTE_SIGNATURES + 1} (NOTE_TOO_MANY_SIGNATURES)`, () => {
    const unknown = `\u2014 unknown.example/k ${toB64(new Uint8Array(68).fill(1))}\n`;
    const atLimit = `${NOTE}${unknown.repeat(MAX_NOTE_SIGNATURES - 1)}`;
    expect(verifyNote(atLimit, [logVerifier]).unverified.length).toBe(1);
    const overLimit = `${atLimit}${unknown}`;
    expectCode(() => parseNote(overLimit), 'NOTE_TOO_MANY_SIGNATURES');
  });

  it('counts signature lines before decoding them, so 100 000 garbage lines fail fast on the bound', () => {
    const garbage = `${text}\n${'\u2014 x !!!\n'.repeat(100_000)}`;
    expectCode(() => parseNote(garbage), 'NOTE_TOO_MANY_SIGNATURES');
  });

  it('formatNote and signNote refuse texts and names parseNote would reject', () => {
    expectCode(() => signNote('no newline', [otherSigner]), 'NOTE_MALFORMED');
    expectCode(() => signNote('tab\there\n', [otherSigner]), 'NOTE_MALFORMED');
    expectCode(() => formatNote({ text: 'ok\n', signatures: [] }), 'NOTE_MALFORMED');
    expectCode(
      () =>
        formatNote({
          text: 'ok\n',
          signatures: [{ keyName: 'a b', keyId: 1, signature: new Uint8Array(64) }],
        }),
      'NOTE_MALFORMED',
    );
    expectCode(
      () =>
        formatNote({
          text: 'ok\n',
          signatures: [{ keyName: 'ab', keyId: 2 ** 32, signature: new Uint8Array(64) }],
        }),
      'NOTE_MALFORMED',
    );
    expectCode(
      () => ed25519NoteSigner('bad+name', otherPublic, () => new Uint8Array(64)),
      'KEY_NAME_INVALID',
    );
  });
});
