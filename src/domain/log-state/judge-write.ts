/**
 * Validity in log order. Every node runs this over the same log in the same
 * order, so every node reaches the same verdict: a write whose signer's key
 * an earlier entry retired, whose actor an earlier entry revoked, or whose
 * actor no longer held the role or the accreditation it needs at its own
 * position, is void. A void write is recorded, never applied; it never halts
 * a mirror. So is a certification of a record its issuer already certified
 * (same digest and record type) by an earlier entry, unless it is an explicit
 * reissue of that latest certification. The API judged the same things
 * optimistically before appending; this is the verdict that counts when two
 * writes race (two nodes, or two requests, certifying the same record).
 *
 * Facts local to one stream (who owns an entry, a status transition) were
 * decided against that stream with its expected revision and cannot race;
 * only facts that another stream's write can change are judged here.
 */

import type { JsonObject } from '../shared/json.js';
import { commandTypeOf, type LoggedWrite } from './logged-write.js';
import { type CertificationRecord, type IdentityRecord, type KeyRecord, stateKey } from './state-records.js';

/**
 * What the judge reads: the state map's current records, which batch a record id belongs to, and the
 * issuer's latest valid single certification of a record (the last two from read models that, like the
 * map, have applied exactly the valid writes before this one).
 */
export interface StateView {
  get(key: string): JsonObject | null;
  /** For a certification id of a record certified in a batch: its batch and index; otherwise null. */
  batchOfRecord(certificationId: string): { readonly batchId: string; readonly index: number } | null;
  /** The id of the issuer's latest single certification of this record (type, digest) so far, or null. */
  latestOfRecord(issuerId: string, recordType: string, recordDigest: string): string | null;
}

export type VoidCode =
  | 'GENESIS_MISPLACED'
  | 'SIGNATURE_MISSING'
  | 'KEY_UNKNOWN'
  | 'KEY_RETIRED'
  | 'ACTOR_UNKNOWN'
  | 'ACTOR_REVOKED'
  | 'ROLE_MISSING'
  | 'ACCREDITATION_MISSING'
  | 'NOT_ISSUER'
  | 'CERTIFICATION_NOT_FOUND'
  | 'IDENTITY_NOT_FOUND'
  | 'IDENTITY_ALREADY_EXISTS'
  | 'PARENT_NOT_FOUND'
  | 'KEY_ALREADY_REGISTERED'
  | 'RECORD_ALREADY_CERTIFIED';

export type Verdict =
  | { readonly valid: true }
  | { readonly valid: false; readonly code: VoidCode; readonly detail: string };

const VALID: Verdict = { valid: true };

function fail(code: VoidCode, detail: string): Verdict {
  return { valid: false, code, detail };
}

/** The signer's own state at this position: what every signed write needs. */
interface SignerState {
  readonly actor: string;
  readonly identity: IdentityRecord;
}

type Rule = (write: LoggedWrite, signer: SignerState, view: StateView) => Verdict;

export function judgeWrite(write: LoggedWrite, view: StateView): Verdict {
  const type = commandTypeOf(write);
  // The log's founding entry registers the authority with the key that signs it; nowhere else.
  if (type === 'RegisterAuthority') {
    return write.leafIndex === 0
      ? VALID
      : fail(
          'GENESIS_MISPLACED',
          `a RegisterAuthority at entry ${write.leafIndex} is not the log's first entry`,
        );
  }
  const signer = judgeSigner(write, view);
  if ('valid' in signer) return signer;
  return (RULES[type] ?? NO_FURTHER_RULE)(write, signer, view);
}

/** The key is the actor's and not retired at this position; the actor exists and is not revoked. */
function judgeSigner(write: LoggedWrite, view: StateView): SignerState | Verdict {
  const { signer } = write;
  if (signer.kind === 'unsigned')
    return fail('SIGNATURE_MISSING', `entry ${write.leafIndex} carries no signed input`);
  const key = view.get(stateKey.key(signer.keyId)) as KeyRecord | null;
  if (key === null || key.identityId !== signer.actor)
    return fail(
      'KEY_UNKNOWN',
      `key ${signer.keyId} is not registered to ${signer.actor} at entry ${write.leafIndex}`,
    );
  if (key.retiredAt !== null)
    return fail(
      'KEY_RETIRED',
      `key ${signer.keyId} was retired at entry ${key.retiredAt}, before entry ${write.leafIndex}`,
    );
  const identity = view.get(stateKey.identity(signer.actor)) as IdentityRecord | null;
  if (identity === null)
    return fail('ACTOR_UNKNOWN', `no identity ${signer.actor} at entry ${write.leafIndex}`);
  if (identity.status !== 'active')
    return fail('ACTOR_REVOKED', `identity ${signer.actor} is revoked at entry ${write.leafIndex}`);
  return { actor: signer.actor, identity };
}

const NO_FURTHER_RULE: Rule = () => VALID;

function requireRole(signer: SignerState, ...roles: string[]): Verdict {
  if (roles.some((role) => signer.identity.roles.includes(role))) return VALID;
  return fail('ROLE_MISSING', `${signer.actor} holds none of the roles ${roles.join(', ')} at this entry`);
}

function payloadField(write: LoggedWrite, field: string): unknown {
  return write.signer.kind === 'command' ? write.signer.payload[field] : undefined;
}

/** Keys a write registers, from its events (IdentityRegistered.keys, IdentityKeyRotated.added). */
function keysRegistered(write: LoggedWrite): string[] {
  return write.events.flatMap((event) => {
    const data = event.data as { keys?: { keyId: string }[]; added?: { keyId: string }[] };
    return [...(data.keys ?? []), ...(data.added ?? [])].map((k) => k.keyId);
  });
}

function requireUnusedKeys(write: LoggedWrite, view: StateView): Verdict {
  const used = keysRegistered(write).find((keyId) => view.get(stateKey.key(keyId)) !== null);
  return used === undefined
    ? VALID
    : fail('KEY_ALREADY_REGISTERED', `key ${used} was registered by an earlier entry`);
}

function requireIdentity(view: StateView, identityId: unknown): Verdict {
  return typeof identityId === 'string' && view.get(stateKey.identity(identityId)) !== null
    ? VALID
    : fail('IDENTITY_NOT_FOUND', `no identity ${String(identityId)} at this entry`);
}

function firstFailure(...verdicts: (() => Verdict)[]): Verdict {
  for (const verdict of verdicts) {
    const v = verdict();
    if (!v.valid) return v;
  }
  return VALID;
}

const registerIdentity: Rule = (write, signer, view) => {
  const identityId = payloadField(write, 'identityId');
  const parentId = payloadField(write, 'parentId');
  return firstFailure(
    () => requireRole(signer, 'authority'),
    () =>
      typeof identityId === 'string' && view.get(stateKey.identity(identityId)) === null
        ? VALID
        : fail(
            'IDENTITY_ALREADY_EXISTS',
            `identity ${String(identityId)} was registered by an earlier entry`,
          ),
    () =>
      parentId === undefined || parentId === null || requireIdentity(view, parentId).valid
        ? VALID
        : fail('PARENT_NOT_FOUND', `parent identity ${String(parentId)} does not exist at this entry`),
    () => requireUnusedKeys(write, view),
  );
};

const authorityOverIdentity: Rule = (write, signer, view) =>
  firstFailure(
    () => requireRole(signer, 'authority'),
    () => requireIdentity(view, payloadField(write, 'identityId')),
  );

const rotateIdentityKey: Rule = (write, signer, view) => {
  const identityId = payloadField(write, 'identityId');
  return firstFailure(
    () => (identityId === signer.actor ? VALID : requireRole(signer, 'authority')),
    () => requireIdentity(view, identityId),
    () => requireUnusedKeys(write, view),
  );
};

const certify: Rule = (write, signer, view) => {
  const recordType = payloadField(write, 'recordType');
  return firstFailure(
    () => requireRole(signer, 'issuer'),
    () =>
      typeof recordType === 'string' && signer.identity.accreditations.includes(recordType)
        ? VALID
        : fail(
            'ACCREDITATION_MISSING',
            `${signer.actor} is not accredited for ${String(recordType)} at this entry`,
          ),
    () => (commandTypeOf(write) === 'CertifyRecord' ? firstOfRecord(write, signer, view) : VALID),
  );
};

/**
 * One single certification per record and issuer in log order: the issuer's
 * first, or an explicit reissue of its latest (reissueOf), as the API checks
 * before appending (domain/certification/record-reissue.ts). Of two writes
 * that raced past that check, the later entry is void.
 */
function firstOfRecord(write: LoggedWrite, signer: SignerState, view: StateView): Verdict {
  const recordType = String(payloadField(write, 'recordType'));
  const recordDigest = String(payloadField(write, 'recordDigest'));
  const reissueOf = payloadField(write, 'reissueOf') ?? null;
  const latest = view.latestOfRecord(signer.actor, recordType, recordDigest);
  if (reissueOf === latest) return VALID;
  const record = `this record (${recordType}, sha256 ${recordDigest})`;
  if (latest === null)
    return fail(
      'CERTIFICATION_NOT_FOUND',
      `reissueOf ${String(reissueOf)} is not a certification of ${record} by ${signer.actor} at entry ${write.leafIndex}`,
    );
  return fail(
    'RECORD_ALREADY_CERTIFIED',
    `${signer.actor} already certified ${record} as ${latest} by an earlier entry than ${write.leafIndex}` +
      `${reissueOf === null ? '' : `; reissueOf names ${String(reissueOf)}, not that latest certification`}` +
      `; to certify it anew, reissue it: chancery certify --reissue ${latest} (payload reissueOf)`,
  );
}

/** The certification exists in log order (a record, or a record of a batch), and the actor may change it. */
const changeStatus: Rule = (write, signer, view) => {
  const certificationId = String(payloadField(write, 'certificationId'));
  const issuerId = issuerOf(certificationId, view);
  if (issuerId === null)
    return fail('CERTIFICATION_NOT_FOUND', `no certification ${certificationId} at entry ${write.leafIndex}`);
  if (issuerId === signer.actor) return VALID;
  return signer.identity.roles.includes('authority')
    ? VALID
    : fail('NOT_ISSUER', `${signer.actor} neither issued ${certificationId} nor is the authority`);
};

function issuerOf(certificationId: string, view: StateView): string | null {
  const own = view.get(stateKey.certification(certificationId)) as CertificationRecord | null;
  if (own !== null) return own.issuerId;
  const inBatch = view.batchOfRecord(certificationId);
  const batch = inBatch === null ? null : view.get(stateKey.batch(inBatch.batchId));
  return batch === null ? null : String(batch['issuerId']);
}

const RULES: Readonly<Record<string, Rule>> = {
  RegisterIdentity: registerIdentity,
  AccreditIdentity: authorityOverIdentity,
  RevokeIdentity: authorityOverIdentity,
  UpdateIdentityRoles: authorityOverIdentity,
  RotateIdentityKey: rotateIdentityKey,
  CertifyRecord: certify,
  CertifyBatch: certify,
  SuspendCertification: changeStatus,
  ReinstateCertification: changeStatus,
  RevokeCertification: changeStatus,
  PublishCatalogEntry: (_write, signer) => requireRole(signer, 'publisher'),
  RequestAccess: (_write, signer) => requireRole(signer, 'consumer', 'publisher'),
};
