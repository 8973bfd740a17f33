/**
 * What a valid write changes in the state map, event by event, each change
 * stamped with the leaf index of the event that made it. Directory events
 * change nothing here: the map commits to identities, keys, certifications
 * and batches, the facts a citizen's proof rests on.
 */

import type { JsonObject } from '../shared/json.js';
import type { StateView, Verdict } from './judge-write.js';
import type { LoggedEvent, LoggedWrite } from './logged-write.js';
import {
  type BatchRecord,
  type CertificationRecord,
  type IdentityRecord,
  type KeyRecord,
  stateKey,
  type VoidRecord,
} from './state-records.js';

export interface StateChange {
  readonly key: string;
  readonly value: JsonObject;
  /** The entry that made the change: it belongs to the map from version leafIndex + 1 on. */
  readonly leafIndex: number;
}

type EventEffect = (event: LoggedEvent, view: StateView) => StateChange[];

const sortedSet = (values: readonly string[]) => [...new Set(values)].sort();

function change(key: string, value: JsonObject, leafIndex: number): StateChange {
  return { key, value, leafIndex };
}

const identityRegistered: EventEffect = (event) => {
  const data = event.data as {
    identityId: string;
    parentId: string | null;
    roles: string[];
    keys: { keyId: string; publicKey: string }[];
  };
  const at = event.leafIndex;
  const identity: IdentityRecord = {
    status: 'active',
    roles: sortedSet(data.roles),
    accreditations: [],
    parentId: data.parentId,
    registeredAt: at,
    setAt: at,
  };
  return [
    change(stateKey.identity(data.identityId), identity, at),
    ...data.keys.map((k) =>
      change(
        stateKey.key(k.keyId),
        {
          identityId: data.identityId,
          publicKey: k.publicKey,
          registeredAt: at,
          retiredAt: null,
        } satisfies KeyRecord,
        at,
      ),
    ),
  ];
};

const identityKeyRotated: EventEffect = (event, view) => {
  const data = event.data as {
    identityId: string;
    added: { keyId: string; publicKey: string }[];
    retiredKeyIds: string[];
  };
  const at = event.leafIndex;
  const retired = data.retiredKeyIds.flatMap((keyId) => {
    const key = view.get(stateKey.key(keyId)) as KeyRecord | null;
    return key === null ? [] : [change(stateKey.key(keyId), { ...key, retiredAt: at }, at)];
  });
  const added = data.added.map((k) =>
    change(
      stateKey.key(k.keyId),
      {
        identityId: data.identityId,
        publicKey: k.publicKey,
        registeredAt: at,
        retiredAt: null,
      } satisfies KeyRecord,
      at,
    ),
  );
  return [...retired, ...added];
};

/** An identity record changed by one event, if the identity exists. */
function updateIdentity(
  event: LoggedEvent,
  view: StateView,
  update: (identity: IdentityRecord, data: Record<string, unknown>) => Partial<IdentityRecord>,
): StateChange[] {
  const data = event.data as Record<string, unknown>;
  const key = stateKey.identity(String(data['identityId']));
  const identity = view.get(key) as IdentityRecord | null;
  if (identity === null) return [];
  return [change(key, { ...identity, ...update(identity, data), setAt: event.leafIndex }, event.leafIndex)];
}

const identityAccredited: EventEffect = (event, view) =>
  updateIdentity(event, view, (identity, data) => ({
    accreditations: sortedSet([...identity.accreditations, ...(data['recordTypes'] as string[])]),
  }));

const identityRevoked: EventEffect = (event, view) =>
  updateIdentity(event, view, () => ({ status: 'revoked' }));

const identityRolesChanged: EventEffect = (event, view) =>
  updateIdentity(event, view, (_identity, data) => ({ roles: sortedSet(data['roles'] as string[]) }));

const recordCertified: EventEffect = (event) => {
  const data = event.data as { certificationId: string; issuerId: string };
  const record: CertificationRecord = {
    status: 'active',
    issuerId: data.issuerId,
    certifiedAt: event.leafIndex,
    setAt: event.leafIndex,
    batch: null,
  };
  return [change(stateKey.certification(data.certificationId), record, event.leafIndex)];
};

const STATUS_AFTER = {
  CertificationSuspended: 'suspended',
  CertificationReinstated: 'active',
  CertificationRevoked: 'revoked',
} as const;

/** A status change: on the record's own entry, or, for a record of a batch, a record of its own from now on. */
const statusChanged: EventEffect = (event, view) => {
  const certificationId = String((event.data as { certificationId: string }).certificationId);
  const key = stateKey.certification(certificationId);
  const status = STATUS_AFTER[event.type as keyof typeof STATUS_AFTER];
  const own = view.get(key) as CertificationRecord | null;
  if (own !== null) return [change(key, { ...own, status, setAt: event.leafIndex }, event.leafIndex)];
  const inBatch = view.batchOfRecord(certificationId);
  const batch = inBatch === null ? null : (view.get(stateKey.batch(inBatch.batchId)) as BatchRecord | null);
  if (inBatch === null || batch === null) return [];
  const record: CertificationRecord = {
    status,
    issuerId: batch.issuerId,
    certifiedAt: batch.certifiedAt,
    setAt: event.leafIndex,
    batch: { batchId: inBatch.batchId, index: inBatch.index },
  };
  return [change(key, record, event.leafIndex)];
};

const batchCertified: EventEffect = (event) => {
  const data = event.data as {
    batchId: string;
    issuerId: string;
    recordType: string;
    batchRoot: string;
    count: number;
  };
  const record: BatchRecord = {
    issuerId: data.issuerId,
    recordType: data.recordType,
    root: data.batchRoot,
    count: data.count,
    certifiedAt: event.leafIndex,
  };
  return [change(stateKey.batch(data.batchId), record, event.leafIndex)];
};

const EFFECTS: Readonly<Record<string, EventEffect>> = {
  IdentityRegistered: identityRegistered,
  IdentityKeyRotated: identityKeyRotated,
  IdentityAccredited: identityAccredited,
  IdentityRevoked: identityRevoked,
  IdentityRolesChanged: identityRolesChanged,
  RecordCertified: recordCertified,
  CertificationSuspended: statusChanged,
  CertificationReinstated: statusChanged,
  CertificationRevoked: statusChanged,
  BatchCertified: batchCertified,
};

/**
 * The changes one event of a judged write makes. A void write changes one
 * thing, at its first event: the record of its voidness.
 */
export function effectsOfEvent(
  write: LoggedWrite,
  event: LoggedEvent,
  verdict: Verdict,
  view: StateView,
): StateChange[] {
  if (!verdict.valid) {
    if (event.leafIndex !== write.leafIndex) return [];
    const record: VoidRecord = { code: verdict.code, detail: verdict.detail };
    return [change(stateKey.void(write.leafIndex), record, write.leafIndex)];
  }
  return EFFECTS[event.type]?.(event, view) ?? [];
}
