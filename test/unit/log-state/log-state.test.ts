import { describe, expect, it } from 'vitest';
import { judgeWrite, type StateView } from '../../../src/domain/log-state/judge-write.js';
import type { LoggedEvent, LoggedWrite } from '../../../src/domain/log-state/logged-write.js';
import { signerOf } from '../../../src/domain/log-state/logged-write.js';
import { stateKey } from '../../../src/domain/log-state/state-records.js';
import { effectsOfEvent, type StateChange } from '../../../src/domain/log-state/write-effects.js';
import type { JsonObject, JsonValue } from '../../../src/domain/shared/json.js';

/** A state map in memory, fed through the same effects the node applies: given(writes).judge(write). */
class World implements StateView {
  private readonly values = new Map<string, JsonObject>();
  private readonly records = new Map<string, { batchId: string; index: number }>();
  /** issuer|type|digest → the latest valid single certification, as the certification read model keeps it. */
  private readonly latest = new Map<string, string>();
  private next = 0;

  get(key: string): JsonObject | null {
    return this.values.get(key) ?? null;
  }

  batchOfRecord(certificationId: string) {
    return this.records.get(certificationId) ?? null;
  }

  latestOfRecord(issuerId: string, recordType: string, recordDigest: string) {
    return this.latest.get(`${issuerId}|${recordType}|${recordDigest}`) ?? null;
  }

  recordOfBatch(certificationId: string, batchId: string, index: number): void {
    this.records.set(certificationId, { batchId, index });
  }

  /** Appends a write (its envelope and events) at the next leaf indexes; returns the judged write and its changes. */
  write(envelope: JsonValue, events: { type: string; data: JsonValue }[]) {
    const logged: LoggedEvent[] = events.map((e) => ({ ...e, leafIndex: this.next++ }));
    const write: LoggedWrite = {
      leafIndex: logged[0]!.leafIndex,
      signer: signerOf(envelope),
      events: logged.slice(0, 1),
    };
    const verdict = judgeWrite(write, this);
    const changes: StateChange[] = [];
    for (const event of logged) {
      const d = event.data as Record<string, string>;
      if (verdict.valid && event.type === 'RecordCertified')
        this.latest.set(`${d['issuerId']}|${d['recordType']}|${d['recordDigest']}`, d['certificationId']!);
      for (const change of effectsOfEvent(write, event, verdict, this)) {
        this.values.set(change.key, change.value);
        changes.push(change);
      }
    }
    return { write, verdict, changes };
  }
}

const command = (type: string, actor: string, keyId: string, fields: JsonObject = {}) => ({
  payload: {
    type,
    actor,
    keyId,
    commandId: `c-${Math.random()}`,
    issuedAt: '2026-12-01T00:00:00Z',
    ...fields,
  },
  signature: { keyId, alg: 'Ed25519', value: 'x' },
});

const registered = (identityId: string, roles: string[], keyId: string, parentId: string | null = null) => ({
  type: 'IdentityRegistered',
  data: {
    identityId,
    name: identityId,
    organisationCode: identityId,
    parentId,
    roles,
    keys: [{ keyId, publicKey: `pk-${keyId}` }],
    registeredAt: 't',
    registeredBy: 'ROOT',
  },
});

/** The authority ROOT (key k-root) and an issuer DMV (key k1) accredited for driving-licence. */
function founded(): World {
  const world = new World();
  world.write(command('RegisterAuthority', 'ROOT', 'k-root'), [registered('ROOT', ['authority'], 'k-root')]);
  world.write(command('RegisterIdentity', 'ROOT', 'k-root', { identityId: 'DMV' }), [
    registered('DMV', ['issuer'], 'k1', 'ROOT'),
  ]);
  world.write(command('AccreditIdentity', 'ROOT', 'k-root', { identityId: 'DMV' }), [
    {
      type: 'IdentityAccredited',
      data: { identityId: 'DMV', recordTypes: ['driving-licence'], accreditedAt: 't', accreditedBy: 'ROOT' },
    },
  ]);
  return world;
}

/** A record digest of its own for each certification id, unless the test certifies one record twice. */
const digestOf = (certificationId: string) => Buffer.from(certificationId).toString('hex').padEnd(64, '0');

const certified = (certificationId: string, issuerId = 'DMV', recordDigest = digestOf(certificationId)) => ({
  type: 'RecordCertified',
  data: {
    certificationId,
    issuerId,
    recordDigest,
    recordType: 'driving-licence',
    subjectRef: null,
    validFrom: 't',
    validUntil: null,
    metadata: null,
    certifiedAt: 't',
  },
});

const certify = (world: World, keyId = 'k1', id = 'crt_a') =>
  world.write(
    command('CertifyRecord', 'DMV', keyId, { recordType: 'driving-licence', recordDigest: digestOf(id) }),
    [certified(id)],
  );

/** DMV certifies the record with digest `digest` as `id`, optionally as a reissue. */
const certifyRecord = (world: World, id: string, digest: string, reissueOf?: string) =>
  world.write(
    command('CertifyRecord', 'DMV', 'k1', {
      recordType: 'driving-licence',
      recordDigest: digest,
      ...(reissueOf === undefined ? {} : { reissueOf }),
    }),
    [certified(id, 'DMV', digest)],
  );

describe('the ordered state machine', () => {
  it('records identities and keys with the leaf indexes that registered them', () => {
    const world = founded();
    expect(world.get(stateKey.identity('DMV'))).toEqual({
      status: 'active',
      roles: ['issuer'],
      accreditations: ['driving-licence'],
      parentId: 'ROOT',
      registeredAt: 1,
      setAt: 2,
    });
    expect(world.get(stateKey.key('k1'))).toEqual({
      identityId: 'DMV',
      publicKey: 'pk-k1',
      registeredAt: 1,
      retiredAt: null,
    });
  });

  it('accepts the genesis only as the first entry', () => {
    const world = founded();
    const again = world.write(command('RegisterAuthority', 'EVIL', 'k-evil'), [
      registered('EVIL', ['authority'], 'k-evil'),
    ]);
    expect(again.verdict).toEqual({
      valid: false,
      code: 'GENESIS_MISPLACED',
      detail: "a RegisterAuthority at entry 3 is not the log's first entry",
    });
    expect(again.changes).toEqual([
      {
        key: 'void/3',
        value: {
          code: 'GENESIS_MISPLACED',
          detail: "a RegisterAuthority at entry 3 is not the log's first entry",
        },
        leafIndex: 3,
      },
    ]);
    expect(world.get(stateKey.identity('EVIL'))).toBeNull();
  });

  it('applies a certification by an accredited issuer, with the entry that set it', () => {
    const world = founded();
    const { verdict } = certify(world);
    expect(verdict).toEqual({ valid: true });
    expect(world.get(stateKey.certification('crt_a'))).toEqual({
      status: 'active',
      issuerId: 'DMV',
      certifiedAt: 3,
      setAt: 3,
      batch: null,
    });
  });

  it('voids a write signed with a key an earlier entry retired (the rotation race), and applies nothing of it', () => {
    const world = founded();
    world.write(command('RotateIdentityKey', 'DMV', 'k1', { identityId: 'DMV' }), [
      {
        type: 'IdentityKeyRotated',
        data: {
          identityId: 'DMV',
          added: [{ keyId: 'k2', publicKey: 'pk-k2' }],
          retiredKeyIds: ['k1'],
          rotatedAt: 't',
          rotatedBy: 'DMV',
        },
      },
    ]);
    expect(world.get(stateKey.key('k1'))).toMatchObject({ retiredAt: 3 });
    const late = certify(world, 'k1', 'crt_late');
    expect(late.verdict).toEqual({
      valid: false,
      code: 'KEY_RETIRED',
      detail: 'key k1 was retired at entry 3, before entry 4',
    });
    expect(world.get(stateKey.certification('crt_late'))).toBeNull();
    expect(world.get('void/4')).toEqual({
      code: 'KEY_RETIRED',
      detail: 'key k1 was retired at entry 3, before entry 4',
    });
    expect(certify(world, 'k2', 'crt_new').verdict).toEqual({ valid: true });
  });

  it('voids the later of two certifications of one record by one issuer (the duplicate race), unless a reissue of the latest', () => {
    const world = founded();
    const digest = 'cd'.repeat(32);
    expect(certifyRecord(world, 'crt_first', digest).verdict).toEqual({ valid: true });
    const again = certifyRecord(world, 'crt_again', digest);
    const detail =
      `DMV already certified this record (driving-licence, sha256 ${digest}) as crt_first by an earlier entry than 4` +
      '; to certify it anew, reissue it: chancery certify --reissue crt_first (payload reissueOf)';
    expect(again.verdict).toEqual({ valid: false, code: 'RECORD_ALREADY_CERTIFIED', detail });
    expect(again.changes).toEqual([
      { key: 'void/4', value: { code: 'RECORD_ALREADY_CERTIFIED', detail }, leafIndex: 4 },
    ]);
    expect(world.get(stateKey.certification('crt_again'))).toBeNull();
    // An explicit reissue of the latest is valid, and becomes the latest: a reissue of the first is now stale.
    expect(certifyRecord(world, 'crt_reissued', digest, 'crt_first').verdict).toEqual({ valid: true });
    expect(certifyRecord(world, 'crt_stale', digest, 'crt_first').verdict).toMatchObject({
      valid: false,
      code: 'RECORD_ALREADY_CERTIFIED',
      detail: expect.stringContaining(
        'as crt_reissued by an earlier entry than 6; reissueOf names crt_first',
      ),
    });
    expect(certifyRecord(world, 'crt_nothing', 'ef'.repeat(32), 'crt_first').verdict).toEqual({
      valid: false,
      code: 'CERTIFICATION_NOT_FOUND',
      detail: `reissueOf crt_first is not a certification of this record (driving-licence, sha256 ${'ef'.repeat(32)}) by DMV at entry 7`,
    });
    // Another record is a first certification.
    expect(certifyRecord(world, 'crt_other', 'ab'.repeat(32)).verdict).toEqual({ valid: true });
  });

  it('voids writes by a revoked actor, by a key of someone else, and without the role or accreditation', () => {
    const world = founded();
    world.write(command('RegisterIdentity', 'ROOT', 'k-root', { identityId: 'EDU' }), [
      registered('EDU', ['publisher'], 'k9'),
    ]);
    expect(
      world.write(command('CertifyRecord', 'EDU', 'k9', { recordType: 'diploma' }), [
        certified('crt_x', 'EDU'),
      ]).verdict,
    ).toEqual({
      valid: false,
      code: 'ROLE_MISSING',
      detail: 'EDU holds none of the roles issuer at this entry',
    });
    expect(
      world.write(command('CertifyRecord', 'DMV', 'k1', { recordType: 'diploma' }), [certified('crt_y')])
        .verdict,
    ).toEqual({
      valid: false,
      code: 'ACCREDITATION_MISSING',
      detail: 'DMV is not accredited for diploma at this entry',
    });
    expect(
      world.write(command('CertifyRecord', 'DMV', 'k9', { recordType: 'driving-licence' }), [
        certified('crt_z'),
      ]).verdict,
    ).toEqual({ valid: false, code: 'KEY_UNKNOWN', detail: 'key k9 is not registered to DMV at entry 6' });
    world.write(command('RevokeIdentity', 'ROOT', 'k-root', { identityId: 'DMV' }), [
      {
        type: 'IdentityRevoked',
        data: { identityId: 'DMV', reason: 'closed', revokedAt: 't', revokedBy: 'ROOT' },
      },
    ]);
    expect(certify(world).verdict).toEqual({
      valid: false,
      code: 'ACTOR_REVOKED',
      detail: 'identity DMV is revoked at entry 8',
    });
  });

  it('voids a status change of a certification that never took effect, and one by neither issuer nor authority', () => {
    const world = founded();
    const revoke = (actor: string, keyId: string, id: string) =>
      world.write(command('RevokeCertification', actor, keyId, { certificationId: id }), [
        { type: 'CertificationRevoked', data: { certificationId: id, reason: 'r', at: 't', by: actor } },
      ]);
    expect(revoke('DMV', 'k1', 'crt_never').verdict).toMatchObject({
      valid: false,
      code: 'CERTIFICATION_NOT_FOUND',
    });
    certify(world);
    world.write(command('RegisterIdentity', 'ROOT', 'k-root', { identityId: 'TAX' }), [
      registered('TAX', ['issuer'], 'k5'),
    ]);
    expect(revoke('TAX', 'k5', 'crt_a').verdict).toEqual({
      valid: false,
      code: 'NOT_ISSUER',
      detail: 'TAX neither issued crt_a nor is the authority',
    });
    expect(revoke('ROOT', 'k-root', 'crt_a').verdict).toEqual({ valid: true });
    expect(world.get(stateKey.certification('crt_a'))).toEqual({
      status: 'revoked',
      issuerId: 'DMV',
      certifiedAt: 4,
      setAt: 7,
      batch: null,
    });
  });

  it('gives a record of a batch a record of its own only when its status changes', () => {
    const world = founded();
    world.write(command('CertifyBatch', 'DMV', 'k1', { recordType: 'driving-licence' }), [
      {
        type: 'BatchCertified',
        data: {
          batchId: 'bat_1',
          issuerId: 'DMV',
          recordType: 'driving-licence',
          validFrom: 't',
          validUntil: null,
          metadata: null,
          batchRoot: 'cd'.repeat(32),
          count: 2,
          certifiedAt: 't',
        },
      },
      { type: 'BatchDigestsRecorded', data: { batchId: 'bat_1', from: 0, digests: ['a', 'b'] } },
    ]);
    expect(world.get(stateKey.batch('bat_1'))).toEqual({
      issuerId: 'DMV',
      recordType: 'driving-licence',
      root: 'cd'.repeat(32),
      count: 2,
      certifiedAt: 3,
    });
    world.recordOfBatch('crt_r1', 'bat_1', 1);
    const suspend = world.write(command('SuspendCertification', 'DMV', 'k1', { certificationId: 'crt_r1' }), [
      {
        type: 'CertificationSuspended',
        data: { certificationId: 'crt_r1', reason: 'r', at: 't', by: 'DMV' },
      },
    ]);
    expect(suspend.verdict).toEqual({ valid: true });
    expect(world.get(stateKey.certification('crt_r1'))).toEqual({
      status: 'suspended',
      issuerId: 'DMV',
      certifiedAt: 3,
      setAt: 5,
      batch: { batchId: 'bat_1', index: 1 },
    });
  });

  it('voids a registration that reuses a key an earlier entry registered', () => {
    const world = founded();
    const reuse = world.write(command('RegisterIdentity', 'ROOT', 'k-root', { identityId: 'COPY' }), [
      registered('COPY', ['issuer'], 'k1'),
    ]);
    expect(reuse.verdict).toEqual({
      valid: false,
      code: 'KEY_ALREADY_REGISTERED',
      detail: 'key k1 was registered by an earlier entry',
    });
    expect(world.get(stateKey.identity('COPY'))).toBeNull();
  });
});
