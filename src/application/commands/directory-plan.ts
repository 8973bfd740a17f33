import type { CommandPayload } from '../../domain/crypto/envelope.js';
import { accessDecider } from '../../domain/directory/access-decider.js';
import { catalogEntryDecider } from '../../domain/directory/catalog-entry-decider.js';
import type { CatalogMetadata } from '../../domain/directory/catalog-metadata.js';
import type { AccessCommand, CatalogEntryCommand, EntrySnapshot } from '../../domain/directory/commands.js';
import {
  entryIdFor,
  grantIdFor,
  requestIdFor,
  requestIdOfGrant,
} from '../../domain/directory/directory-ids.js';
import { accessRequestStream, catalogEntryStream, type GrantScope } from '../../domain/directory/events.js';
import type { ActorSnapshot } from '../../domain/shared/decider.js';
import type { JsonObject } from '../../domain/shared/json.js';
import type { RecordSchemas } from '../directory/record-schemas.js';
import type { CommandPlan } from './command-plan.js';

/** What planning a directory command needs from the node besides the payload. */
export interface DirectoryPlanning {
  /** The entry as the read model knows it, or null. */
  entry(entryId: string): EntrySnapshot | null;
  /** The entry a request is about, or null when the read model has no such request. */
  entryOfRequest(requestId: string): string | null;
  readonly schemas: RecordSchemas;
}

export const DIRECTORY_COMMAND_TYPES = [
  'PublishCatalogEntry',
  'UpdateCatalogEntry',
  'WithdrawCatalogEntry',
  'RequestAccess',
  'GrantAccess',
  'DenyAccess',
  'RevokeGrant',
] as const;

const str = (payload: CommandPayload, field: string) => payload[field] as string;
const orNull = <T>(payload: CommandPayload, field: string): T | null =>
  payload[field] === undefined ? null : (payload[field] as T);

/** The payload's metadata fields with the optional ones filled in, so every event has one shape. */
function metadataOf(payload: CommandPayload): CatalogMetadata {
  return {
    title: str(payload, 'title'),
    description: str(payload, 'description'),
    keywords: (payload['keywords'] as string[] | undefined) ?? [],
    themes: (payload['themes'] as string[] | undefined) ?? [],
    contactPoint: orNull(payload, 'contactPoint'),
    license: str(payload, 'license'),
    accessRights: payload['accessRights'] as CatalogMetadata['accessRights'],
    updateFrequency: orNull(payload, 'updateFrequency'),
    spatial: orNull(payload, 'spatial'),
    temporal: orNull(payload, 'temporal'),
    distributions: (payload['distributions'] as CatalogMetadata['distributions'] | undefined) ?? [],
    conformsTo: payload['conformsTo'] as JsonObject,
  };
}

/**
 * Translates a verified directory payload into a domain command aimed at one
 * stream; null for a type that is not a directory command. Facts from other
 * streams (the entry behind a request) come from the read model, as the
 * identity registry answers for identity commands.
 */
export function planDirectoryCommand(
  payload: CommandPayload,
  actor: ActorSnapshot,
  directory: DirectoryPlanning | undefined,
): CommandPlan | null {
  if (!(DIRECTORY_COMMAND_TYPES as readonly string[]).includes(payload.type)) return null;
  if (directory === undefined) throw new Error('directory commands need the directory read model');
  const at = payload.issuedAt;
  switch (payload.type) {
    case 'PublishCatalogEntry':
    case 'UpdateCatalogEntry': {
      const metadata = metadataOf(payload);
      const { digest } = directory.schemas.check(metadata.conformsTo);
      const entryId =
        payload.type === 'PublishCatalogEntry'
          ? entryIdFor(payload.actor, payload.commandId)
          : str(payload, 'entryId');
      const command: CatalogEntryCommand = {
        type: payload.type,
        actor,
        at,
        entryId,
        metadata,
        schemaDigest: digest,
      };
      return {
        stream: catalogEntryStream(entryId),
        decider: catalogEntryDecider,
        command,
        resourceIds: { entryId },
      };
    }
    case 'WithdrawCatalogEntry': {
      const entryId = str(payload, 'entryId');
      const command: CatalogEntryCommand = {
        type: 'WithdrawCatalogEntry',
        actor,
        at,
        entryId,
        reason: str(payload, 'reason'),
      };
      return {
        stream: catalogEntryStream(entryId),
        decider: catalogEntryDecider,
        command,
        resourceIds: { entryId },
      };
    }
    case 'RequestAccess': {
      const entryId = str(payload, 'entryId');
      const requestId = requestIdFor(payload.actor, payload.commandId);
      const command: AccessCommand = {
        type: 'RequestAccess',
        actor,
        at,
        requestId,
        entryId,
        entry: directory.entry(entryId),
        purpose: str(payload, 'purpose'),
        durationSeconds: payload['durationSeconds'] as number,
      };
      return {
        stream: accessRequestStream(requestId),
        decider: accessDecider,
        command,
        resourceIds: { entryId, requestId },
      };
    }
    case 'GrantAccess':
    case 'DenyAccess': {
      const requestId = str(payload, 'requestId');
      const entryId = directory.entryOfRequest(requestId);
      const command: AccessCommand =
        payload.type === 'GrantAccess'
          ? {
              type: 'GrantAccess',
              actor,
              at,
              requestId,
              entry: entryId === null ? null : directory.entry(entryId),
              scope: payload['scope'] as GrantScope,
              expiresAt: str(payload, 'expiresAt'),
            }
          : { type: 'DenyAccess', actor, at, requestId, reason: orNull(payload, 'reason') };
      return {
        stream: accessRequestStream(requestId),
        decider: accessDecider,
        command,
        resourceIds: {
          requestId,
          ...(payload.type === 'GrantAccess' ? { grantId: grantIdFor(requestId) } : {}),
        },
      };
    }
    case 'RevokeGrant': {
      const grantId = str(payload, 'grantId');
      const requestId = requestIdOfGrant(grantId);
      const command: AccessCommand = {
        type: 'RevokeGrant',
        actor,
        at,
        requestId,
        grantId,
        reason: str(payload, 'reason'),
      };
      return {
        stream: accessRequestStream(requestId),
        decider: accessDecider,
        command,
        resourceIds: { requestId, grantId },
      };
    }
    default:
      return null;
  }
}
