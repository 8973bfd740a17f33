/**
 * How a mirror applies the log entries it pulled: never because upstream sent
 * them, only because its own node, replaying the signed input of each write
 * through the same authenticate → plan → decide path the primary ran,
 * against its own state at that point of the log, decides exactly the same
 * events. Only then are they appended to the mirror's own store, to the same
 * stream with the expected revision the mirror's state implies; the mirror's
 * sequencer then computes the tree from them.
 *
 * One write is one group of consecutive entries sharing a stream and an
 * envelope (an append is atomic and contiguous in commit order). A group
 * whose decided events are longer than what has arrived (a checkpoint cut a
 * large batch) waits for the rest.
 *
 * What is re-verified, per kind of envelope:
 *  - signed commands: the Ed25519 signature against the identity registry as
 *    it stands at that point of the log (key known, registered to the actor,
 *    not retired, actor not revoked), the command id unused, the plan (stream,
 *    accreditations, batch root over the uploaded digest slices) and the
 *    decider's events. Not re-checked: `issuedAt` against a wall clock — a
 *    mirror replays old commands, so their recorded time is the time;
 *  - the genesis (RegisterAuthority): signed by the key it registers, first
 *    entry of the log, decided from the empty state;
 *  - RFC 9421 signed requests (dataset uploads and fetches): the signature
 *    over the recorded signature base with the key at that point, that the
 *    base names the entry's method and path (and, for an upload, a
 *    content-digest equal to the event's digest), that the event's time lies
 *    within the allowed skew after the signature's `created`, and the
 *    decider (upload) or the fetch policy (fetch). Not re-checked: the dataset
 *    bytes themselves (record count, byte count, schema validity, that they
 *    hash to the digest): a mirror does not receive the blobs.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { canonicalBytes, canonicalJson } from '../../domain/canonical/canonical-json.js';
import { decodeBase64 } from '../../domain/crypto/base64.js';
import type { SignedEnvelope } from '../../domain/crypto/envelope.js';
import { fromHex, toHex } from '../../domain/crypto/hex.js';
import { keyIdOf } from '../../domain/crypto/key-id.js';
import { accessDecider } from '../../domain/directory/access-decider.js';
import { catalogEntryDecider } from '../../domain/directory/catalog-entry-decider.js';
import { requestIdOfGrant } from '../../domain/directory/directory-ids.js';
import { accessRequestStream, catalogEntryStream, fetchAuditStream } from '../../domain/directory/events.js';
import { authorizeFetch } from '../../domain/directory/fetch-policy.js';
import { identityStream } from '../../domain/identity/events.js';
import { identityDecider } from '../../domain/identity/identity-decider.js';
import type { ActorSnapshot, Decider } from '../../domain/shared/decider.js';
import type { JsonObject, JsonValue } from '../../domain/shared/json.js';
import { verifyEd25519 } from '../../infrastructure/crypto/ed25519-verifier.js';
import type { EventStore, ExpectedRevision, RecordedEvent } from '../../infrastructure/eventstore/port.js';
import type { CertificationReadModel } from '../../infrastructure/projections/certification-read-model.js';
import type { CommandIndex } from '../../infrastructure/projections/command-index.js';
import type {
  IdentityRegistry,
  RegistryIdentity,
} from '../../infrastructure/projections/identity-registry.js';
import type { Projector } from '../../infrastructure/projections/projector.js';
import { authenticate } from '../auth/authenticate.js';
import { planBatchRecordStatusChange, planCertifyBatch } from '../commands/batch-plan.js';
import { type CommandPlan, planCommand } from '../commands/command-plan.js';
import type { DirectoryPlanning } from '../commands/directory-plan.js';
import { readWholeStream } from '../commands/signed-request-writer.js';
import { ProblemError } from '../problems/problem.js';

/** A log entry as upstream serves it: its leaf index and the parsed leaf. */
export interface UpstreamEntry {
  readonly leafIndex: number;
  readonly type: string;
  readonly stream: string;
  readonly data: JsonValue;
  readonly envelope: JsonValue;
}

/** An entry the mirror refuses: the write it belongs to does not replay to the same events. */
export class ReplayRejectedError extends Error {
  constructor(
    readonly leafIndex: number,
    message: string,
  ) {
    super(`entry ${leafIndex}: ${message}`);
    this.name = 'ReplayRejectedError';
  }
}

export interface EntryReplayDeps {
  readonly store: EventStore;
  readonly projector: Projector;
  readonly registry: IdentityRegistry;
  readonly commands: CommandIndex;
  readonly certifications: CertificationReadModel;
  readonly directory: DirectoryPlanning;
  /** The skew the primary allows between a signed request's `created` and its own clock. */
  readonly maxSkewMs: number;
}

export type ReplayResult =
  /** The group was appended; `count` entries were consumed. */
  | { readonly applied: true; readonly count: number; readonly position: bigint }
  /** The group's events are a prefix of what its write decides: wait for more entries. */
  | { readonly applied: false };

interface Decided {
  readonly stream: string;
  readonly events: readonly { type: string; data: unknown }[];
  readonly expected: ExpectedRevision;
  readonly metadata: JsonObject;
}

function sameEvent(a: { type: string; data: unknown }, b: { type: string; data: unknown }): boolean {
  return (
    canonicalJson({ type: a.type, data: a.data as JsonValue }) ===
    canonicalJson({ type: b.type, data: b.data as JsonValue })
  );
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The number of leading entries that belong to the same write as the first: same stream, same envelope. */
export function groupLength(entries: readonly UpstreamEntry[]): number {
  const first = entries[0];
  if (first === undefined) return 0;
  const envelope = canonicalJson(first.envelope);
  let n = 1;
  while (
    n < entries.length &&
    entries[n]!.stream === first.stream &&
    canonicalJson(entries[n]!.envelope) === envelope
  )
    n++;
  return n;
}

export class EntryReplayer {
  constructor(private readonly deps: EntryReplayDeps) {}

  /**
   * Replays the write at the head of `entries` (entries[0] must be the next
   * leaf the mirror lacks). A write is known to be whole only when another
   * entry follows it in the list; one that ends the list may continue in
   * entries not pulled yet, and waits when it decides more events than it
   * has. Throws ReplayRejectedError when the write does not replay.
   */
  async replayNext(entries: readonly UpstreamEntry[]): Promise<ReplayResult> {
    const length = groupLength(entries);
    const group = entries.slice(0, length);
    const head = group[0]!;
    const complete = length < entries.length;
    // A batch cut by a checkpoint: its digest slices have not all arrived, so its root cannot be checked yet.
    if (!complete && batchIncomplete(group)) return { applied: false };
    let decided: Decided;
    try {
      decided = await this.decide(group);
    } catch (error) {
      if (error instanceof ReplayRejectedError) throw error;
      const reason =
        error instanceof ProblemError ? `${error.code}: ${error.detail}` : (error as Error).message;
      throw new ReplayRejectedError(head.leafIndex, `${head.type} does not replay: ${reason}`);
    }
    if (decided.stream !== head.stream) {
      throw new ReplayRejectedError(
        head.leafIndex,
        `the write belongs to ${decided.stream}, not ${head.stream}`,
      );
    }
    const prefix = Math.min(group.length, decided.events.length);
    for (let i = 0; i < prefix; i++) {
      if (!sameEvent(group[i]!, decided.events[i]!)) {
        throw new ReplayRejectedError(
          group[i]!.leafIndex,
          `upstream says ${group[i]!.type}, replaying the write decides ${decided.events[i]!.type} with other data`,
        );
      }
    }
    if (group.length > decided.events.length || (complete && group.length < decided.events.length)) {
      throw new ReplayRejectedError(
        head.leafIndex,
        `the write decides ${decided.events.length} events, upstream logged ${group.length}`,
      );
    }
    if (group.length < decided.events.length) return { applied: false };
    const appended = await this.deps.store.append(
      decided.stream,
      group.map((e) => ({ type: e.type, data: e.data, metadata: decided.metadata })),
      decided.expected,
    );
    // The next write is decided against state that includes this one.
    await this.deps.projector.waitFor(appended.position, 60_000);
    return { applied: true, count: group.length, position: appended.position };
  }

  private async decide(group: readonly UpstreamEntry[]): Promise<Decided> {
    const head = group[0]!;
    const envelope = head.envelope;
    if (!isObject(envelope))
      throw new ReplayRejectedError(head.leafIndex, 'the entry carries no signed input');
    if (envelope['scheme'] === 'rfc9421') return this.decideSignedRequest(group, envelope);
    const payload = envelope['payload'];
    if (!isObject(payload) || !isObject(envelope['signature']))
      throw new ReplayRejectedError(
        head.leafIndex,
        'the envelope is neither a signed command nor a signed request',
      );
    const signed = envelope as unknown as SignedEnvelope;
    if (payload['type'] === 'RegisterAuthority') return this.decideGenesis(group, signed);
    return this.decideCommand(group, signed);
  }

  private async fold<S>(
    stream: string,
    decider: Pick<Decider<unknown, { type: string; data: unknown }, S>, 'initialState' | 'evolve'>,
  ): Promise<{ state: S; expected: ExpectedRevision }> {
    const history = await readWholeStream(this.deps.store, stream);
    let state = decider.initialState();
    for (const e of history) state = decider.evolve(state, { type: e.type, data: e.data });
    const last: RecordedEvent | undefined = history[history.length - 1];
    return { state, expected: last === undefined ? 'no_stream' : last.revision };
  }

  /** The log's first write: the root authority registers itself with the key that signs the registration. */
  private async decideGenesis(group: readonly UpstreamEntry[], envelope: SignedEnvelope): Promise<Decided> {
    const head = group[0]!;
    const { payload, signature } = envelope;
    if (head.leafIndex !== 0 || (await this.deps.store.lastPosition()) !== null)
      throw new ReplayRejectedError(
        head.leafIndex,
        'a RegisterAuthority that is not the first entry of the log',
      );
    const keys = payload['publicKeys'];
    const publicKeyBase64 = Array.isArray(keys) && typeof keys[0] === 'string' ? keys[0] : null;
    const publicKey = publicKeyBase64 === null ? null : decodeBase64(publicKeyBase64);
    const signatureBytes = decodeBase64(signature.value);
    if (
      publicKey === null ||
      publicKey.length !== 32 ||
      signatureBytes === null ||
      signatureBytes.length !== 64
    )
      throw new ReplayRejectedError(head.leafIndex, 'the genesis key or signature is malformed');
    const keyId = keyIdOf(publicKey);
    const bytes = canonicalBytes(payload);
    if (
      signature.keyId !== keyId ||
      payload.keyId !== keyId ||
      !verifyEd25519(publicKey, bytes, signatureBytes)
    )
      throw new ReplayRejectedError(head.leafIndex, 'the genesis is not signed by the key it registers');
    const identityId = String(payload['identityId']);
    const events = identityDecider.decide(
      {
        type: 'RegisterAuthority',
        at: payload.issuedAt,
        identityId,
        name: String(payload['name']),
        organisationCode: identityId,
        keys: [{ keyId, publicKey: publicKeyBase64! }],
      },
      identityDecider.initialState(),
    );
    return {
      stream: identityStream(identityId),
      events,
      expected: 'no_stream',
      metadata: {
        commandId: payload.commandId,
        actor: payload.actor,
        keyId,
        payloadDigest: toHex(sha256(bytes)),
        envelope: envelope as unknown as JsonObject,
      },
    };
  }

  private async decideCommand(group: readonly UpstreamEntry[], envelope: SignedEnvelope): Promise<Decided> {
    const { payload } = envelope;
    const { registry, commands, certifications, directory } = this.deps;
    // The recorded issuedAt is the time: a mirror cannot re-check wall-clock skew for a command signed long ago.
    const issuedAt = Date.parse(payload.issuedAt);
    const auth = await authenticate(envelope, registry, issuedAt, 1);
    if (commands.get(payload.actor, payload.commandId) !== undefined)
      throw new ReplayRejectedError(
        group[0]!.leafIndex,
        `command ${payload.commandId} of ${payload.actor} was already applied`,
      );
    const actor = snapshot(auth.actor);
    const plan: CommandPlan =
      payload.type === 'CertifyBatch'
        ? planCertifyBatch(payload, actor, batchDigests(group))
        : (planBatchRecordStatusChange(payload, actor, certifications) ??
          planCommand(payload, actor, registry, directory));
    const { state, expected } = await this.fold(plan.stream, plan.decider);
    return {
      stream: plan.stream,
      events: plan.decider.decide(plan.command, state),
      expected,
      metadata: {
        commandId: payload.commandId,
        actor: payload.actor,
        keyId: payload.keyId,
        payloadDigest: auth.payloadDigest,
        envelope: envelope as unknown as JsonObject,
      },
    };
  }

  private async decideSignedRequest(group: readonly UpstreamEntry[], envelope: JsonObject): Promise<Decided> {
    const head = group[0]!;
    const reject = (message: string) => new ReplayRejectedError(head.leafIndex, message);
    const { registry } = this.deps;
    const base = envelope['signatureBase'];
    const keyId = envelope['keyId'];
    const actorId = envelope['actor'];
    const signatureBytes =
      typeof envelope['signature'] === 'string' ? decodeBase64(envelope['signature']) : null;
    if (
      typeof base !== 'string' ||
      typeof keyId !== 'string' ||
      typeof actorId !== 'string' ||
      signatureBytes === null
    )
      throw reject('the signed request is malformed');
    const key = registry.key(keyId);
    const actor = key === undefined ? undefined : registry.get(key.identityId);
    if (key === undefined || actor === undefined || actor.identityId !== actorId)
      throw reject(`key ${keyId} is not registered to ${actorId} at this point of the log`);
    if (!verifyEd25519(key.publicKeyBytes, new TextEncoder().encode(base), signatureBytes))
      throw reject('the HTTP message signature does not verify over the recorded signature base');
    if (key.retiredAt !== null) throw reject(`key ${keyId} was retired at ${key.retiredAt}`);
    if (actor.status === 'revoked') throw reject(`identity ${actorId} is revoked`);
    const components = signatureBaseComponents(base);
    const created = /;created=([0-9]{1,12})(;|$)/.exec(components.get('@signature-params') ?? '');
    if (created === null) throw reject('the signature base has no created parameter');
    const createdMs = Number(created[1]) * 1000;
    const at = (time: JsonValue | undefined): string => {
      const ms = typeof time === 'string' ? Date.parse(time) : Number.NaN;
      // The primary recorded max(its clock, created), and its clock was within the skew of created.
      if (!(ms >= createdMs - 999 && ms <= createdMs + this.deps.maxSkewMs))
        throw reject(`the recorded time ${String(time)} is not within the allowed skew after the signature`);
      return time as string;
    };
    if (group.length !== 1) throw reject('a signed request writes one event');
    const data = head.data;
    if (!isObject(data)) throw reject('the event has no data');
    const entryId = String(data['entryId']);
    if (head.type === 'DatasetVersionPublished') {
      if (
        components.get('@method') !== 'POST' ||
        components.get('@path') !== `/v1/directory/entries/${entryId}/versions`
      )
        throw reject('the signature does not cover an upload to this entry');
      const digest = /^sha-256=:([A-Za-z0-9+/=]+):$/.exec(components.get('content-digest') ?? '');
      const signedDigest = digest === null ? null : decodeBase64(digest[1]!);
      const eventDigest = typeof data['digest'] === 'string' ? fromHex(data['digest']) : null;
      if (signedDigest === null || eventDigest === null || toHex(signedDigest) !== toHex(eventDigest))
        throw reject("the signed content-digest is not the event's digest");
      const stream = catalogEntryStream(entryId);
      const { state, expected } = await this.fold(stream, catalogEntryDecider);
      const events = catalogEntryDecider.decide(
        {
          type: 'PublishDatasetVersion',
          actor: snapshot(actor),
          at: at(data['publishedAt']),
          entryId,
          digest: String(data['digest']),
          mediaType: data['mediaType'] as 'application/json',
          recordCount: data['recordCount'] as number,
          byteCount: data['byteCount'] as number,
          schemaDigest: String(data['schemaDigest']),
        },
        state,
      );
      return { stream, events, expected, metadata: requestMetadata(envelope, base, actorId, keyId) };
    }
    if (head.type === 'DatasetFetched') {
      const path = /^\/v1\/directory\/entries\/([^/]+)\/versions\/(latest|[1-9][0-9]{0,8})\/data$/.exec(
        components.get('@path') ?? '',
      );
      if (components.get('@method') !== 'GET' || path === null || path[1] !== entryId)
        throw reject('the signature does not cover a fetch of this entry');
      const grantId = data['grantId'];
      const grant =
        typeof grantId === 'string'
          ? {
              grantId,
              state: (await this.fold(accessRequestStream(requestIdOfGrant(grantId)), accessDecider)).state,
            }
          : null;
      const entry = (await this.fold(catalogEntryStream(entryId), catalogEntryDecider)).state;
      const stream = fetchAuditStream(entryId);
      const answer = authorizeFetch({
        entryId,
        entry,
        version: path[2] === 'latest' ? 'latest' : Number(path[2]),
        consumer: snapshot(actor),
        grant,
        at: at(data['fetchedAt']),
      });
      const { expected } = await this.fold(stream, { initialState: () => null, evolve: () => null });
      return {
        stream,
        events: answer.event === null ? [] : [answer.event],
        expected,
        metadata: requestMetadata(envelope, base, actorId, keyId),
      };
    }
    throw reject(`${head.type} is not an event a signed request causes`);
  }
}

function snapshot(actor: RegistryIdentity): ActorSnapshot {
  return {
    identityId: actor.identityId,
    roles: actor.roles,
    accreditations: actor.accreditations,
    status: actor.status,
  };
}

/** The digest list a batch uploaded, from its BatchDigestsRecorded slices in order. */
function batchDigests(group: readonly UpstreamEntry[]): string[] {
  const digests: string[] = [];
  for (const entry of group) {
    if (entry.type !== 'BatchDigestsRecorded' || !isObject(entry.data)) continue;
    const slice = entry.data['digests'];
    if (Array.isArray(slice)) for (const d of slice) if (typeof d === 'string') digests.push(d);
  }
  return digests;
}

/** Whether a CertifyBatch write has fewer digests in its slices so far than the count its command signs. */
function batchIncomplete(group: readonly UpstreamEntry[]): boolean {
  const envelope = group[0]!.envelope;
  const payload = isObject(envelope) ? envelope['payload'] : undefined;
  if (!isObject(payload) || payload['type'] !== 'CertifyBatch') return false;
  const count = payload['count'];
  return typeof count === 'number' && batchDigests(group).length < count;
}

/** The metadata the primary stored for a signed request (signedRequestMetadata), rebuilt from the leaf. */
function requestMetadata(envelope: JsonObject, base: string, actor: string, keyId: string): JsonObject {
  const digest = toHex(sha256(new TextEncoder().encode(base)));
  return { commandId: `rfc9421:${digest.slice(0, 32)}`, actor, keyId, payloadDigest: digest, envelope };
}

/**
 * The lines of an RFC 9421 signature base, `"name": value`, by component
 * name. Only read, never trusted: the signature over the whole base is
 * checked first, and then the base must name this entry.
 */
function signatureBaseComponents(base: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of base.split('\n')) {
    const match = /^"([^"]+)": (.*)$/.exec(line);
    if (match !== null && !out.has(match[1]!)) out.set(match[1]!, match[2]!);
  }
  return out;
}
