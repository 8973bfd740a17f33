import { sha256 } from '@noble/hashes/sha2.js';
import { canonicalBytes } from '../../domain/canonical/canonical-json.js';
import { toHex } from '../../domain/crypto/hex.js';
import { identityStream } from '../../domain/identity/events.js';
import { identityDecider } from '../../domain/identity/identity-decider.js';
import type { EventStore } from '../../infrastructure/eventstore/port.js';
import { WrongExpectedRevisionError } from '../../infrastructure/eventstore/port.js';
import { isoSeconds } from '../../protocol/iso-seconds.js';
import type { KeyPair } from '../../protocol/key-pair.js';
import { signCommand } from '../../protocol/sign-command.js';

/**
 * Registers the root authority, once per store. The command is signed by the
 * authority's own key like any other, so the first log leaf is as verifiable
 * as the rest. Returns false when the authority already exists.
 */
export async function ensureGenesis(
  store: EventStore,
  authority: { identityId: string; name: string; keyPair: KeyPair },
  now: Date,
): Promise<boolean> {
  const stream = identityStream(authority.identityId);
  if ((await store.readStream(stream, { maxCount: 1 })).length > 0) return false;
  const envelope = signCommand(
    { actor: authority.identityId, keyPair: authority.keyPair },
    'RegisterAuthority',
    {
      identityId: authority.identityId,
      name: authority.name,
      publicKeys: [authority.keyPair.publicKeyBase64],
    },
    { commandId: 'genesis', issuedAt: isoSeconds(now.getTime()) },
  );
  const events = identityDecider.decide(
    {
      type: 'RegisterAuthority',
      at: envelope.payload.issuedAt,
      identityId: authority.identityId,
      name: authority.name,
      organisationCode: authority.identityId,
      keys: [{ keyId: authority.keyPair.keyId, publicKey: authority.keyPair.publicKeyBase64 }],
    },
    identityDecider.initialState(),
  );
  const metadata = {
    commandId: envelope.payload.commandId,
    actor: authority.identityId,
    keyId: authority.keyPair.keyId,
    payloadDigest: toHex(sha256(canonicalBytes(envelope.payload))),
    envelope: envelope as never,
  };
  try {
    await store.append(
      stream,
      events.map((e) => ({ type: e.type, data: e.data as never, metadata })),
      'no_stream',
    );
    return true;
  } catch (error) {
    // Another node sharing the store registered it first: that is the same outcome.
    if (error instanceof WrongExpectedRevisionError) return false;
    throw error;
  }
}
