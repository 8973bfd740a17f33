import type { TrustPolicy } from '../federation/index.js';
import type { Ed25519Verify } from '../log/index.js';

export interface WitnessPolicy {
  /** Witness verifier keys (C2SP vkeys of type 0x04). */
  readonly keys: readonly string[];
  /** How many of them must have cosigned the checkpoint. */
  readonly quorum: number;
}

export interface VerifyBundleOptions {
  /** RFC 8032 strict Ed25519 verification (node:crypto, or @noble/curves with zip215: false). */
  readonly verify: Ed25519Verify;
  /** The log's verifier keys (C2SP vkeys of type 0x01) the caller trusts; the key name is the origin. */
  readonly trustedLogKeys: readonly string[];
  /** Witness cosignature policy; absent while the network has no witnesses. */
  readonly witnesses?: WitnessPolicy;
  /**
   * A C2SP tlog-policy the caller trusts: its logs are trusted beside trustedLogKeys, and the checkpoint
   * must carry cosignatures meeting its quorum. Takes the place of `witnesses`.
   */
  readonly policy?: TrustPolicy;
  /** Milliseconds since the epoch, for the validity window. */
  readonly now: number;
  /** The certification the caller asked for (from the proof URL); a bundle for another one fails. */
  readonly expectedCertificationId?: string;
  /**
   * The authority's Ed25519 public keys (base64 of the raw 32 bytes), pinned by the caller: a signing key
   * counts only if a registration signed by one of them binds it to its holder. A version 2 bundle fails
   * without one; a version 1 bundle, which carries no registration, fails with one.
   */
  readonly authorityKeys?: readonly string[];
  /** The proven state must be at most this old (by the witnesses' cosignature times), in seconds. */
  readonly maxAgeSeconds?: number;
  /** Lower-case hex SHA-256 of a document the user supplied, to compare with the certified digest. */
  readonly documentDigest?: string;
}
