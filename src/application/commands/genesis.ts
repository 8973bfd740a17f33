/**
 * The genesis: the root authority registers itself, once per log. The command is signed by the very
 * key it registers, like any other command, so the first log leaf is as verifiable as the rest. The
 * node that founds the log and every mirror that replays it plan it here, and write it through the
 * same pipeline.
 */

import { canonicalBytes } from '../../domain/canonical/canonical-json.js';
import { decodeBase64 } from '../../domain/crypto/base64.js';
import type { SignedEnvelope } from '../../domain/crypto/envelope.js';
import { keyIdOf } from '../../domain/crypto/key-id.js';
import type { IdentityCommand } from '../../domain/identity/commands.js';
import { identityStream } from '../../domain/identity/events.js';
import { identityDecider } from '../../domain/identity/identity-decider.js';
import { verifyEd25519 } from '../../infrastructure/crypto/ed25519-verifier.js';
import { sha256Hex } from '../../infrastructure/crypto/node-hashes.js';
import type { EventStore } from '../../infrastructure/eventstore/port.js';
import { isoSeconds } from '../../protocol/iso-seconds.js';
import type { KeyPair } from '../../protocol/key-pair.js';
import { signCommand } from '../../protocol/sign-command.js';
import type { CommandPlan } from '../pipeline/command-plan.js';
import { CommandHandler } from '../pipeline/handle-command.js';
import { commandMetadata, type WriteMetadata } from '../pipeline/write-metadata.js';
import { ProblemError } from '../problems/problem.js';

/** A RegisterAuthority that is not signed by the one key it registers. */
export class GenesisInvalidError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GenesisInvalidError';
  }
}

export interface GenesisWrite {
  readonly plan: CommandPlan;
  readonly metadata: WriteMetadata;
}

/** The genesis's public key, checked to be well formed, with its key id. */
function registeredKey(envelope: SignedEnvelope): { keyId: string; publicKey: Uint8Array; base64: string } {
  const keys = envelope.payload['publicKeys'];
  const base64 = Array.isArray(keys) && typeof keys[0] === 'string' ? keys[0] : null;
  const publicKey = base64 === null ? null : decodeBase64(base64);
  if (base64 === null || publicKey === null || publicKey.length !== 32)
    throw new GenesisInvalidError('the genesis key or signature is malformed');
  return { keyId: keyIdOf(publicKey), publicKey, base64 };
}

/**
 * Plans a RegisterAuthority after checking that the key it registers signed it. Throws
 * GenesisInvalidError otherwise.
 */
export function planGenesis(envelope: SignedEnvelope): GenesisWrite {
  const { payload, signature } = envelope;
  const key = registeredKey(envelope);
  const signatureBytes = decodeBase64(signature.value);
  if (signatureBytes === null || signatureBytes.length !== 64)
    throw new GenesisInvalidError('the genesis key or signature is malformed');
  const bytes = canonicalBytes(payload);
  if (
    signature.keyId !== key.keyId ||
    payload.keyId !== key.keyId ||
    !verifyEd25519(key.publicKey, bytes, signatureBytes)
  )
    throw new GenesisInvalidError('the genesis is not signed by the key it registers');
  const identityId = String(payload['identityId']);
  const command: IdentityCommand = {
    type: 'RegisterAuthority',
    at: payload.issuedAt,
    identityId,
    name: String(payload['name']),
    organisationCode: identityId,
    keys: [{ keyId: key.keyId, publicKey: key.base64 }],
  };
  return {
    plan: {
      stream: identityStream(identityId),
      decider: identityDecider,
      command,
      resourceIds: { identityId },
    },
    metadata: commandMetadata(envelope, sha256Hex(bytes)),
  };
}

/** The authority's self-signed registration, with the fixed command id 'genesis'. */
export function signGenesis(authority: { identityId: string; name: string; keyPair: KeyPair }, now: Date) {
  return signCommand(
    { actor: authority.identityId, keyPair: authority.keyPair },
    'RegisterAuthority',
    {
      identityId: authority.identityId,
      name: authority.name,
      publicKeys: [authority.keyPair.publicKeyBase64],
    },
    { commandId: 'genesis', issuedAt: isoSeconds(now.getTime()) },
  );
}

/** The genesis is written before the read models start: nothing waits for them to show it. */
const NOT_YET_READ = { waitFor: async () => undefined };

/**
 * Registers the root authority, once per store. Returns false when the authority already exists
 * (another node sharing the store may have registered it first: that is the same outcome).
 */
export async function ensureGenesis(
  store: EventStore,
  authority: { identityId: string; name: string; keyPair: KeyPair },
  now: Date,
): Promise<boolean> {
  const { plan, metadata } = planGenesis(signGenesis(authority, now));
  if ((await store.readStream(plan.stream, { maxCount: 1 })).length > 0) return false;
  try {
    const handler = new CommandHandler({ store, projector: NOT_YET_READ });
    const handled = await handler.handle(plan.stream, plan.decider, plan.command, {
      metadata,
      streamOfCommand: true,
    });
    return handled.kind === 'appended';
  } catch (error) {
    // Another founder registered this authority with another key first: the store's genesis decides.
    if (error instanceof ProblemError) return false;
    throw error;
  }
}
