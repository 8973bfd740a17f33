/**
 * A command signed without a command id gets a time-ordered one (RFC 9562
 * UUID version 7): a node indexes applied commands by (actor, commandId),
 * and ids that grow with time keep that index's writes at its right edge.
 * The signature still covers the RFC 8785 payload, id included.
 */
import { validate as isUuid, version as uuidVersion } from 'uuid';
import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../src/domain/canonical/canonical-json.js';
import { verifyEd25519 } from '../../../src/infrastructure/crypto/ed25519-verifier.js';
import { generateKeyPair } from '../../../src/protocol/key-pair.js';
import { signCommand } from '../../../src/protocol/sign-command.js';

describe('signCommand', () => {
  const signer = { actor: 'TRANSPORT', keyPair: generateKeyPair() };

  it('gives each command a fresh version-7 UUID, in the order they were signed', () => {
    const ids = Array.from(
      { length: 1000 },
      () => signCommand(signer, 'CertifyRecord', { recordType: 'diploma' }).payload.commandId,
    );
    for (const id of ids) {
      expect(isUuid(id), id).toBe(true);
      expect(uuidVersion(id), id).toBe(7);
    }
    expect(new Set(ids).size).toBe(ids.length);
    // Time first, then a counter within a millisecond: the strings sort as they were made.
    expect([...ids].sort()).toEqual(ids);
  });

  it('keeps a command id it is given, and signs the payload with it', () => {
    const envelope = signCommand(
      signer,
      'CertifyRecord',
      { recordType: 'diploma' },
      { commandId: 'retry-0001' },
    );
    expect(envelope.payload.commandId).toBe('retry-0001');
    const signature = Buffer.from(envelope.signature.value, 'base64');
    expect(verifyEd25519(signer.keyPair.publicKey, canonicalBytes(envelope.payload), signature)).toBe(true);
  });
});
