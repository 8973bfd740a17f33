import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../src/domain/crypto/hex.js';
import { verifyEd25519, verifyEd25519Async } from '../../../src/infrastructure/crypto/ed25519-verifier.js';
import { generateKeyPair } from '../../../src/protocol/key-pair.js';

function hex(text: string): Uint8Array {
  const bytes = fromHex(text);
  if (bytes === null) throw new Error(`not hex: ${text}`);
  return bytes;
}

/** RFC 8032 §7.1, TEST 1 (the empty message). */
const RFC8032_PUBLIC = hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
const RFC8032_SIGNATURE = hex(
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
);

/** The order of the Ed25519 base point: S must be below it (RFC 8032 §5.1.7). */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function withS(signature: Uint8Array, s: bigint): Uint8Array {
  const out = signature.slice();
  for (let i = 0; i < 32; i++) out[32 + i] = Number((s >> BigInt(8 * i)) & 0xffn);
  return out;
}

function sOf(signature: Uint8Array): bigint {
  let s = 0n;
  for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(signature[32 + i]!);
  return s;
}

describe('verifyEd25519Async', () => {
  const keyPair = generateKeyPair();
  const message = new TextEncoder().encode('{"type":"CertifyRecord"}');
  const signature = keyPair.sign(message);

  it('accepts the RFC 8032 test vector and a fresh signature', async () => {
    await expect(verifyEd25519Async(RFC8032_PUBLIC, new Uint8Array(0), RFC8032_SIGNATURE)).resolves.toBe(
      true,
    );
    await expect(verifyEd25519Async(keyPair.publicKey, message, signature)).resolves.toBe(true);
  });

  it('refuses another message, another key, a flipped signature bit', async () => {
    await expect(verifyEd25519Async(keyPair.publicKey, message.subarray(1), signature)).resolves.toBe(false);
    await expect(verifyEd25519Async(generateKeyPair().publicKey, message, signature)).resolves.toBe(false);
    const flipped = signature.slice();
    flipped[10] = flipped[10]! ^ 1;
    await expect(verifyEd25519Async(keyPair.publicKey, message, flipped)).resolves.toBe(false);
  });

  it('refuses a malleated signature (S + L): strict RFC 8032, as the synchronous form', async () => {
    const malleated = withS(RFC8032_SIGNATURE, sOf(RFC8032_SIGNATURE) + L);
    expect(verifyEd25519(RFC8032_PUBLIC, new Uint8Array(0), malleated)).toBe(false);
    await expect(verifyEd25519Async(RFC8032_PUBLIC, new Uint8Array(0), malleated)).resolves.toBe(false);
  });

  it('resolves false, never rejects, on malformed input', async () => {
    const cases: [Uint8Array, Uint8Array, Uint8Array][] = [
      [new Uint8Array(0), message, signature],
      [new Uint8Array(31), message, signature],
      [new Uint8Array(33), message, signature],
      [keyPair.publicKey, message, new Uint8Array(0)],
      [keyPair.publicKey, message, new Uint8Array(63)],
      [keyPair.publicKey, message, new Uint8Array(65)],
      // Not points on the curve, the identity, all ones: OpenSSL refuses them one way or another.
      [new Uint8Array(32).fill(0xff), message, signature],
      [new Uint8Array(32), message, new Uint8Array(64)],
      [Uint8Array.of(1, ...new Uint8Array(31)), message, new Uint8Array(64)],
    ];
    for (const [key, m, s] of cases) {
      await expect(verifyEd25519Async(key, m, s)).resolves.toBe(false);
    }
  });

  it('answers exactly as verifyEd25519 for random keys, messages and signatures', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 0, maxLength: 40 }),
        fc.uint8Array({ minLength: 0, maxLength: 300 }),
        fc.uint8Array({ minLength: 0, maxLength: 70 }),
        fc.boolean(),
        async (key, m, s, genuine) => {
          // Half the runs use a real key and signature, so that `true` answers are compared too.
          const k = genuine ? keyPair.publicKey : key;
          const sig = genuine ? keyPair.sign(m) : s;
          expect(await verifyEd25519Async(k, m, sig)).toBe(verifyEd25519(k, m, sig));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('checks against the bytes given now when one array is reused for another key (the key cache)', async () => {
    const other = generateKeyPair();
    const reused = keyPair.publicKey.slice();
    await expect(verifyEd25519Async(reused, message, signature)).resolves.toBe(true);
    reused.set(other.publicKey);
    await expect(verifyEd25519Async(reused, message, signature)).resolves.toBe(false);
    expect(verifyEd25519(reused, message, signature)).toBe(false);
    expect(verifyEd25519(reused, message, other.sign(message))).toBe(true);
    reused.set(keyPair.publicKey);
    expect(verifyEd25519(reused, message, signature)).toBe(true);
  });

  it('keeps answers apart when many verifications are in flight at once', async () => {
    const messages = Array.from({ length: 200 }, (_, i) => new TextEncoder().encode(`message ${i}`));
    const signatures = messages.map((m, i) => (i % 3 === 0 ? keyPair.sign(messages[0]!) : keyPair.sign(m)));
    const answers = await Promise.all(
      messages.map((m, i) => verifyEd25519Async(keyPair.publicKey, m, signatures[i]!)),
    );
    expect(answers).toEqual(messages.map((_, i) => i === 0 || i % 3 !== 0));
  });
});
