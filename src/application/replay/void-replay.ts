/**
 * A write the log holds that this mirror's own state machine, at the same
 * point of the log, judges void (its signer's key retired by an earlier
 * entry, its actor revoked, a role gone): the primary judged it the same way
 * and never applied it. It cannot be decided again (its signer may no longer
 * sign), so the mirror copies the logged events as they are, once it has
 * checked that they carry a genuine signature of a key the log registered;
 * its own state machine then records the same verdict, and nothing of it
 * reaches the mirror's state. A void entry never halts a mirror.
 */

import { canonicalBytes } from '../../domain/canonical/canonical-json.js';
import { decodeBase64 } from '../../domain/crypto/base64.js';
import type { SignedEnvelope } from '../../domain/crypto/envelope.js';
import type { Signer } from '../../domain/log-state/logged-write.js';
import type { KeyRecord } from '../../domain/log-state/state-records.js';
import type { JsonObject } from '../../domain/shared/json.js';
import { verifyEd25519 } from '../../infrastructure/crypto/ed25519-verifier.js';
import { sha256Hex } from '../../infrastructure/crypto/node-hashes.js';
import type { AnyDecider, DecidedEvent } from '../pipeline/handle-command.js';
import {
  commandMetadata,
  type RequestEnvelope,
  signedRequestMetadata,
  type WriteMetadata,
} from '../pipeline/write-metadata.js';
import type { ReplayWrite } from './replay-write.js';
import type { UpstreamEntry } from './upstream-entries.js';

type Reject = (message: string) => Error;

/** A decider that decides exactly the events the log holds: only for writes whose verdict is void. */
function loggedEvents(group: readonly UpstreamEntry[]): AnyDecider {
  const events: DecidedEvent[] = group.map((e) => ({ type: e.type, data: e.data }));
  return { initialState: () => null, evolve: () => null, decide: () => events };
}

/** The signed bytes and signature of the write's input, and the metadata the primary stored with it. */
function signedInput(
  envelope: JsonObject,
  signer: Signer,
  reject: Reject,
): { bytes: Uint8Array; signature: Uint8Array | null; metadata: WriteMetadata } {
  if (signer.kind === 'request') {
    const request = envelope as RequestEnvelope;
    return {
      bytes: new TextEncoder().encode(String(request.signatureBase)),
      signature: decodeBase64(String(request.signature)),
      metadata: signedRequestMetadata(request),
    };
  }
  if (signer.kind !== 'command') throw reject('a void entry without a signed input');
  const command = envelope as unknown as SignedEnvelope;
  if (command.signature?.keyId !== command.payload.keyId) throw reject('the signature names another key');
  const bytes = canonicalBytes(command.payload);
  return {
    bytes,
    signature: decodeBase64(String(command.signature.value)),
    metadata: commandMetadata(command, sha256Hex(bytes)),
  };
}

/**
 * The logged write, checked to be genuinely signed by a key the log registered, as a write for the
 * pipeline that copies it (expectVoid).
 */
export function replayVoidWrite(
  group: readonly UpstreamEntry[],
  envelope: JsonObject,
  signer: Signer,
  keyRecord: (keyId: string) => KeyRecord | null,
  reject: Reject,
): ReplayWrite {
  const input = signedInput(envelope, signer, reject);
  const keyId = signer.kind === 'unsigned' ? '' : signer.keyId;
  const key = keyRecord(keyId);
  const publicKey = key === null ? null : decodeBase64(key.publicKey);
  if (key === null || publicKey === null)
    throw reject(`a void entry signed with key ${keyId}, which the log never registered`);
  if (input.signature === null || !verifyEd25519(publicKey, input.bytes, input.signature))
    throw reject(`a void entry whose signature does not verify with key ${keyId}`);
  return {
    stream: group[0]!.stream,
    decider: loggedEvents(group),
    command: null,
    metadata: input.metadata,
    expectVoid: true,
  };
}
