/**
 * Replaying an RFC 9421-signed request (a dataset upload or a fetch): the
 * recorded request is checked again (recorded-request.ts), then its base must
 * name this entry's method and path (and, for an upload, a content-digest
 * equal to the event's digest), and the event's time must lie within the
 * allowed skew after the signature's `created`. The write is then planned
 * with the same command (upload) or the same fetch policy (fetch) as on the
 * primary, and the same metadata.
 */

import { decodeBase64 } from '../../domain/crypto/base64.js';
import { fromHex, toHex } from '../../domain/crypto/hex.js';
import { catalogEntryDecider } from '../../domain/directory/catalog-entry-decider.js';
import {
  catalogEntryStream,
  type DatasetMediaType,
  fetchAuditStream,
} from '../../domain/directory/events.js';
import { authorizeFetch } from '../../domain/directory/fetch-policy.js';
import type { JsonObject } from '../../domain/shared/json.js';
import type { IdentityRegistry } from '../../infrastructure/projections/identity-registry.js';
import { actorSnapshot } from '../auth/actor-snapshot.js';
import { entryState, fetchAuditDecider, presentedGrant } from '../directory/dataset-fetches.js';
import { datasetVersionCommand } from '../directory/dataset-uploads.js';
import type { CommandHandler } from '../pipeline/handle-command.js';
import { signedRequestMetadata } from '../pipeline/write-metadata.js';
import { checkRecordedRequest, type RecordedRequest, recordedTime } from './recorded-request.js';
import type { ReplayWrite } from './replay-write.js';
import { isObject, type UpstreamEntry } from './upstream-entries.js';

const FETCH_PATH = /^\/v1\/directory\/entries\/([^/]+)\/versions\/(latest|[1-9][0-9]{0,8})\/data$/;

export interface SignedRequestReplayDeps {
  /** Folds a stream's valid events, as the pipeline does. */
  readonly streams: Pick<CommandHandler, 'fold'>;
  readonly registry: IdentityRegistry;
  /** The skew the primary allows between a signed request's `created` and its own clock. */
  readonly maxSkewMs: number;
}

type Reject = (message: string) => Error;

export async function replaySignedRequest(
  group: readonly UpstreamEntry[],
  envelope: JsonObject,
  deps: SignedRequestReplayDeps,
  reject: Reject,
): Promise<ReplayWrite> {
  const head = group[0]!;
  const request = checkRecordedRequest(envelope, deps.registry, reject);
  if (group.length !== 1) throw reject('a signed request writes one event');
  const data = head.data;
  if (!isObject(data)) throw reject('the event has no data');
  if (head.type === 'DatasetVersionPublished') return replayUpload(request, data, deps, reject);
  if (head.type === 'DatasetFetched') return replayFetch(request, data, deps, reject);
  throw reject(`${head.type} is not an event a signed request causes`);
}

function replayUpload(
  request: RecordedRequest,
  data: JsonObject,
  deps: SignedRequestReplayDeps,
  reject: Reject,
) {
  const entryId = String(data['entryId']);
  const { components } = request;
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
  const at = recordedTime(request, data['publishedAt'], deps.maxSkewMs, reject);
  const command = datasetVersionCommand(actorSnapshot(request.actor), at, entryId, {
    digest: String(data['digest']),
    mediaType: data['mediaType'] as DatasetMediaType,
    recordCount: data['recordCount'] as number,
    byteCount: data['byteCount'] as number,
    schemaDigest: String(data['schemaDigest']),
  });
  return {
    stream: catalogEntryStream(entryId),
    decider: catalogEntryDecider,
    command,
    metadata: signedRequestMetadata(request.envelope),
  };
}

async function replayFetch(
  request: RecordedRequest,
  data: JsonObject,
  deps: SignedRequestReplayDeps,
  reject: Reject,
): Promise<ReplayWrite> {
  const entryId = String(data['entryId']);
  const path = FETCH_PATH.exec(request.components.get('@path') ?? '');
  if (request.components.get('@method') !== 'GET' || path === null || path[1] !== entryId)
    throw reject('the signature does not cover a fetch of this entry');
  const grantId = typeof data['grantId'] === 'string' ? data['grantId'] : null;
  const answer = authorizeFetch({
    entryId,
    entry: await entryState(deps.streams, entryId),
    version: path[2] === 'latest' ? 'latest' : Number(path[2]),
    consumer: actorSnapshot(request.actor),
    grant: await presentedGrant(deps.streams, grantId),
    at: recordedTime(request, data['fetchedAt'], deps.maxSkewMs, reject),
  });
  if (answer.event === null) throw reject('the fetch policy records nothing for this fetch');
  return {
    stream: fetchAuditStream(entryId),
    decider: fetchAuditDecider,
    command: answer.event,
    metadata: signedRequestMetadata(request.envelope),
    appendOnly: true,
  };
}
