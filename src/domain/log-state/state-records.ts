/**
 * What the state map holds: one record per identity, key, certification and
 * batch, and one per void entry. Keys are `<kind>/<id>`; values are JSON
 * objects (their RFC 8785 bytes are hashed into the map, docs/state-map.md).
 * Positions are leaf indexes of the log: validity is decided in log order,
 * so a key's window and a record's status are log positions, not clocks.
 */

import type { JsonObject } from '../shared/json.js';

export const stateKey = {
  identity: (identityId: string) => `identity/${identityId}`,
  key: (keyId: string) => `key/${keyId}`,
  certification: (certificationId: string) => `certification/${certificationId}`,
  batch: (batchId: string) => `batch/${batchId}`,
  void: (leafIndex: number) => `void/${leafIndex}`,
} as const;

export interface IdentityRecord extends JsonObject {
  readonly status: 'active' | 'revoked';
  /** Sorted, without repeats. */
  readonly roles: string[];
  /** Record types the identity is accredited for; sorted, without repeats. */
  readonly accreditations: string[];
  readonly parentId: string | null;
  readonly registeredAt: number;
  /** The entry that last changed this record. */
  readonly setAt: number;
}

export interface KeyRecord extends JsonObject {
  readonly identityId: string;
  /** base64 of the raw 32-byte Ed25519 public key. */
  readonly publicKey: string;
  /** The entry that registered the key: it may sign from the next entry on. */
  readonly registeredAt: number;
  /** The entry that retired it: it signs nothing from there on. */
  readonly retiredAt: number | null;
}

export interface CertificationRecord extends JsonObject {
  readonly status: 'active' | 'suspended' | 'revoked';
  readonly issuerId: string;
  /** The entry that certified the record: its RecordCertified, or its batch's BatchCertified. */
  readonly certifiedAt: number;
  /** The entry that set the status (the certifying entry while nothing changed it). */
  readonly setAt: number;
  /** For a record certified in a batch: the batch and the record's index in its tree. */
  readonly batch: { readonly batchId: string; readonly index: number } | null;
}

export interface BatchRecord extends JsonObject {
  readonly issuerId: string;
  readonly recordType: string;
  /** Hex RFC 6962 root of the batch tree, as signed. */
  readonly root: string;
  readonly count: number;
  readonly certifiedAt: number;
}

/** An entry that lost a race in log order: recorded, never applied. */
export interface VoidRecord extends JsonObject {
  readonly code: string;
  readonly detail: string;
}
