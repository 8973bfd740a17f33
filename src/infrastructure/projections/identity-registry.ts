import type { Statement } from 'better-sqlite3';
import { decodeBase64 } from '../../domain/crypto/base64.js';
import type {
  IdentityAccredited,
  IdentityEvent,
  IdentityKeyRotated,
  IdentityRegistered,
  IdentityRevoked,
  IdentityRolesChanged,
  PublicKeyEntry,
} from '../../domain/identity/events.js';
import type { ActorSnapshot } from '../../domain/shared/decider.js';
import type { RecordedEvent } from '../eventstore/port.js';
import type { NodeDatabase } from './node-database.js';
import { positionFromKey, positionKey } from './position-key.js';
import type { Projection } from './projection.js';

export interface RegistryKey {
  readonly keyId: string;
  readonly identityId: string;
  readonly publicKey: string;
  readonly publicKeyBytes: Uint8Array;
  readonly activeFrom: string;
  readonly retiredAt: string | null;
}

export interface RegistryIdentity {
  readonly identityId: string;
  readonly name: string;
  readonly organisationCode: string;
  readonly parentId: string | null;
  readonly roles: string[];
  readonly accreditations: string[];
  readonly status: 'active' | 'revoked';
  readonly registeredAt: string;
  readonly revokedAt: string | null;
  readonly revocationReason: string | null;
  readonly keys: RegistryKey[];
  readonly position: bigint;
}

interface IdentityRow {
  identity_id: string;
  name: string;
  organisation_code: string;
  parent_id: string | null;
  roles: string;
  accreditations: string;
  status: 'active' | 'revoked';
  registered_at: string;
  revoked_at: string | null;
  revocation_reason: string | null;
  position: string;
}

interface KeyRow {
  key_id: string;
  identity_id: string;
  public_key: string;
  active_from: string;
  retired_at: string | null;
}

/** The registry in node.db, loaded into memory at start-up. */
const IDENTITY_TABLES = `
  CREATE TABLE IF NOT EXISTS identities (
    identity_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    organisation_code TEXT NOT NULL UNIQUE,
    parent_id TEXT,
    roles TEXT NOT NULL,
    accreditations TEXT NOT NULL,
    status TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    revoked_at TEXT,
    revocation_reason TEXT,
    position TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS identity_keys (
    key_id TEXT PRIMARY KEY,
    identity_id TEXT NOT NULL REFERENCES identities(identity_id),
    public_key TEXT NOT NULL,
    active_from TEXT NOT NULL,
    retired_at TEXT,
    position TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS identity_keys_by_identity ON identity_keys(identity_id, position);
  CREATE INDEX IF NOT EXISTS identities_by_position ON identities(position);
`;

/**
 * The identity read model. The registry is small (departments, not citizens),
 * so it is also held in memory: every signed write checks its actor here, and
 * that check must not cost a disk read.
 */
export class IdentityRegistry implements Projection {
  readonly name = 'identities';
  private readonly byId = new Map<string, RegistryIdentity>();
  private readonly byKeyId = new Map<string, RegistryKey>();
  private statements!: {
    insertIdentity: Statement;
    updateIdentity: Statement;
    insertKey: Statement;
    retireKey: Statement;
  };

  constructor(private readonly db: NodeDatabase) {}

  migrate(db: NodeDatabase): void {
    db.exec(IDENTITY_TABLES);
    this.statements = {
      insertIdentity: db.prepare(
        `INSERT INTO identities (identity_id, name, organisation_code, parent_id, roles, accreditations, status, registered_at, position)
         VALUES (@identityId, @name, @organisationCode, @parentId, @roles, '[]', 'active', @registeredAt, @position)`,
      ),
      updateIdentity: db.prepare(
        `UPDATE identities SET roles = @roles, accreditations = @accreditations, status = @status, revoked_at = @revokedAt,
         revocation_reason = @revocationReason WHERE identity_id = @identityId`,
      ),
      insertKey: db.prepare(
        `INSERT INTO identity_keys (key_id, identity_id, public_key, active_from, position)
         VALUES (@keyId, @identityId, @publicKey, @activeFrom, @position)`,
      ),
      retireKey: db.prepare(
        'UPDATE identity_keys SET retired_at = @retiredAt WHERE key_id = @keyId AND retired_at IS NULL',
      ),
    };
    this.load();
  }

  reset(db: NodeDatabase): void {
    db.exec('DROP TABLE IF EXISTS identity_keys; DROP TABLE IF EXISTS identities;');
    this.byId.clear();
    this.byKeyId.clear();
  }

  private load(): void {
    this.byId.clear();
    this.byKeyId.clear();
    const keys = this.db.prepare('SELECT * FROM identity_keys ORDER BY position, key_id').all() as KeyRow[];
    const keysById = new Map<string, RegistryKey[]>();
    for (const row of keys) {
      const key = toKey(row);
      this.byKeyId.set(key.keyId, key);
      keysById.set(key.identityId, [...(keysById.get(key.identityId) ?? []), key]);
    }
    for (const row of this.db.prepare('SELECT * FROM identities').all() as IdentityRow[]) {
      this.byId.set(row.identity_id, toIdentity(row, keysById.get(row.identity_id) ?? []));
    }
  }

  apply(event: RecordedEvent): void {
    const e = { type: event.type, data: event.data } as IdentityEvent;
    switch (e.type) {
      case 'IdentityRegistered':
        this.registered(e.data, event.position);
        return;
      case 'IdentityKeyRotated':
        this.keyRotated(e.data, event.position);
        return;
      case 'IdentityAccredited':
        this.accredited(e.data);
        return;
      case 'IdentityRevoked':
        this.revoked(e.data);
        return;
      case 'IdentityRolesChanged':
        this.rolesChanged(e.data);
        return;
    }
  }

  private registered(d: IdentityRegistered['data'], position: bigint): void {
    const stored = positionKey(position);
    this.statements.insertIdentity.run({
      identityId: d.identityId,
      name: d.name,
      organisationCode: d.organisationCode,
      parentId: d.parentId,
      roles: JSON.stringify(d.roles),
      registeredAt: d.registeredAt,
      position: stored,
    });
    const keys = d.keys.map((k) => this.insertKey(d.identityId, k, d.registeredAt, stored));
    for (const k of keys) this.byKeyId.set(k.keyId, k);
    this.byId.set(d.identityId, {
      identityId: d.identityId,
      name: d.name,
      organisationCode: d.organisationCode,
      parentId: d.parentId,
      roles: [...d.roles],
      accreditations: [],
      status: 'active',
      registeredAt: d.registeredAt,
      revokedAt: null,
      revocationReason: null,
      keys,
      position,
    });
  }

  private keyRotated(d: IdentityKeyRotated['data'], position: bigint): void {
    const current = this.byId.get(d.identityId);
    if (current === undefined) return;
    const retired = new Set(d.retiredKeyIds);
    const keys = current.keys.map((k) => {
      if (!retired.has(k.keyId) || k.retiredAt !== null) return k;
      this.statements.retireKey.run({ keyId: k.keyId, retiredAt: d.rotatedAt });
      const updated = { ...k, retiredAt: d.rotatedAt };
      this.byKeyId.set(k.keyId, updated);
      return updated;
    });
    const stored = positionKey(position);
    for (const k of d.added) {
      const key = this.insertKey(d.identityId, k, d.rotatedAt, stored);
      this.byKeyId.set(key.keyId, key);
      keys.push(key);
    }
    this.byId.set(d.identityId, { ...current, keys });
  }

  private accredited(d: IdentityAccredited['data']): void {
    const current = this.byId.get(d.identityId);
    if (current === undefined) return;
    this.save({ ...current, accreditations: [...new Set([...current.accreditations, ...d.recordTypes])] });
  }

  private revoked(d: IdentityRevoked['data']): void {
    const current = this.byId.get(d.identityId);
    if (current === undefined) return;
    this.save({ ...current, status: 'revoked', revokedAt: d.revokedAt, revocationReason: d.reason });
  }

  private rolesChanged(d: IdentityRolesChanged['data']): void {
    const current = this.byId.get(d.identityId);
    if (current === undefined) return;
    this.save({ ...current, roles: [...d.roles] });
  }

  /** Writes a key's row and answers the key; the caller puts it in memory. */
  private insertKey(
    identityId: string,
    k: PublicKeyEntry,
    activeFrom: string,
    position: string,
  ): RegistryKey {
    this.statements.insertKey.run({ ...k, identityId, activeFrom, position });
    return toKey({
      key_id: k.keyId,
      identity_id: identityId,
      public_key: k.publicKey,
      active_from: activeFrom,
      retired_at: null,
    });
  }

  private save(identity: RegistryIdentity): void {
    this.statements.updateIdentity.run({
      identityId: identity.identityId,
      roles: JSON.stringify(identity.roles),
      accreditations: JSON.stringify(identity.accreditations),
      status: identity.status,
      revokedAt: identity.revokedAt,
      revocationReason: identity.revocationReason,
    });
    this.byId.set(identity.identityId, identity);
  }

  get(identityId: string): RegistryIdentity | undefined {
    return this.byId.get(identityId);
  }

  key(keyId: string): RegistryKey | undefined {
    return this.byKeyId.get(keyId);
  }

  size(): number {
    return this.byId.size;
  }

  snapshot(identityId: string): ActorSnapshot | undefined {
    const identity = this.byId.get(identityId);
    if (identity === undefined) return undefined;
    return {
      identityId: identity.identityId,
      roles: identity.roles,
      accreditations: identity.accreditations,
      status: identity.status,
    };
  }

  /** Identities in registration order, after an exclusive cursor. */
  list(after: bigint | null, limit: number): RegistryIdentity[] {
    const rows = this.db
      .prepare('SELECT identity_id FROM identities WHERE position > ? ORDER BY position, identity_id LIMIT ?')
      .all(after === null ? '' : positionKey(after), limit) as { identity_id: string }[];
    return rows.map((r) => this.byId.get(r.identity_id)!).filter((i) => i !== undefined);
  }
}

function toKey(row: KeyRow): RegistryKey {
  return {
    keyId: row.key_id,
    identityId: row.identity_id,
    publicKey: row.public_key,
    publicKeyBytes: decodeBase64(row.public_key) ?? new Uint8Array(),
    activeFrom: row.active_from,
    retiredAt: row.retired_at,
  };
}

function toIdentity(row: IdentityRow, keys: RegistryKey[]): RegistryIdentity {
  return {
    identityId: row.identity_id,
    name: row.name,
    organisationCode: row.organisation_code,
    parentId: row.parent_id,
    roles: JSON.parse(row.roles) as string[],
    accreditations: JSON.parse(row.accreditations) as string[],
    status: row.status,
    registeredAt: row.registered_at,
    revokedAt: row.revoked_at,
    revocationReason: row.revocation_reason,
    keys,
    position: positionFromKey(row.position),
  };
}
