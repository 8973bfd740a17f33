import type { JsonValue } from '../shared/json.js';

/** Fields every signed command payload carries. */
export interface CommandHeader {
  readonly type: string;
  /** Identity id of the signer. */
  readonly actor: string;
  readonly keyId: string;
  /** Idempotency and replay key, unique per actor. */
  readonly commandId: string;
  /** RFC 3339 time the client signed the command. */
  readonly issuedAt: string;
}

export type CommandPayload = CommandHeader & { readonly [field: string]: JsonValue };

export interface EnvelopeSignature {
  readonly keyId: string;
  readonly alg: 'Ed25519';
  /** base64 of the 64-byte Ed25519 signature over the RFC 8785 form of the payload. */
  readonly value: string;
}

export interface SignedEnvelope<P extends CommandPayload = CommandPayload> {
  readonly payload: P;
  readonly signature: EnvelopeSignature;
}
