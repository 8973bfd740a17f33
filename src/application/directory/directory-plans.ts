/** Planning of the directory commands: catalog entries, access requests and grants. */

import type { CommandPayload } from '../../domain/crypto/envelope.js';
import { accessDecider } from '../../domain/directory/access-decider.js';
import { catalogDecider } from '../../domain/directory/catalog-decider.js';
import type { CatalogDescription } from '../../domain/directory/catalog-description.js';
import { catalogEntryDecider } from '../../domain/directory/catalog-entry-decider.js';
import type { CatalogMetadata } from '../../domain/directory/catalog-metadata.js';
import type { AccessCommand, CatalogEntryCommand } from '../../domain/directory/commands.js';
import {
  entryIdFor,
  grantIdFor,
  requestIdFor,
  requestIdOfGrant,
} from '../../domain/directory/directory-ids.js';
import {
  accessRequestStream,
  CATALOG_STREAM,
  catalogEntryStream,
  type GrantScope,
} from '../../domain/directory/events.js';
import type { JsonObject } from '../../domain/shared/json.js';
import type { CommandPlan, Planner } from '../pipeline/command-plan.js';
import { optionalField, stringField } from '../pipeline/payload-fields.js';

/** The payload's metadata fields with the optional ones filled in, so every event has one shape. */
function metadataOf(payload: CommandPayload): CatalogMetadata {
  return {
    title: stringField(payload, 'title'),
    description: stringField(payload, 'description'),
    keywords: (payload['keywords'] as string[] | undefined) ?? [],
    themes: (payload['themes'] as string[] | undefined) ?? [],
    contactPoint: optionalField(payload, 'contactPoint'),
    license: stringField(payload, 'license'),
    accessRights: payload['accessRights'] as CatalogMetadata['accessRights'],
    updateFrequency: optionalField(payload, 'updateFrequency'),
    languages: (payload['languages'] as string[] | undefined) ?? [],
    spatial: optionalField(payload, 'spatial'),
    temporal: optionalField(payload, 'temporal'),
    distributions: (payload['distributions'] as CatalogMetadata['distributions'] | undefined) ?? [],
    conformsTo: payload['conformsTo'] as JsonObject,
  };
}

function entryPlan(entryId: string, command: CatalogEntryCommand): CommandPlan {
  return {
    stream: catalogEntryStream(entryId),
    decider: catalogEntryDecider,
    command,
    resourceIds: { entryId },
  };
}

function accessPlan(
  requestId: string,
  command: AccessCommand,
  resourceIds: CommandPlan['resourceIds'],
): CommandPlan {
  return { stream: accessRequestStream(requestId), decider: accessDecider, command, resourceIds };
}

/** Publish and update share one shape; the entry id of a new entry is derived from its command. */
const publishOrUpdateEntry: Planner = (payload, actor, context) => {
  const metadata = metadataOf(payload);
  const { digest } = context.directory.checkSchema(metadata.conformsTo);
  const entryId =
    payload.type === 'PublishCatalogEntry'
      ? entryIdFor(payload.actor, payload.commandId)
      : stringField(payload, 'entryId');
  return entryPlan(entryId, {
    type: payload.type as 'PublishCatalogEntry' | 'UpdateCatalogEntry',
    actor,
    at: payload.issuedAt,
    entryId,
    metadata,
    schemaDigest: digest,
  });
};

const withdrawEntry: Planner = (payload, actor) => {
  const entryId = stringField(payload, 'entryId');
  return entryPlan(entryId, {
    type: 'WithdrawCatalogEntry',
    actor,
    at: payload.issuedAt,
    entryId,
    reason: stringField(payload, 'reason'),
  });
};

const requestAccess: Planner = (payload, actor, context) => {
  const entryId = stringField(payload, 'entryId');
  const requestId = requestIdFor(payload.actor, payload.commandId);
  const command: AccessCommand = {
    type: 'RequestAccess',
    actor,
    at: payload.issuedAt,
    requestId,
    entryId,
    entry: context.directory.entry(entryId),
    purpose: stringField(payload, 'purpose'),
    durationSeconds: payload['durationSeconds'] as number,
  };
  return accessPlan(requestId, command, { entryId, requestId });
};

const grantAccess: Planner = (payload, actor, context) => {
  const requestId = stringField(payload, 'requestId');
  const entryId = context.directory.entryOfRequest(requestId);
  const command: AccessCommand = {
    type: 'GrantAccess',
    actor,
    at: payload.issuedAt,
    requestId,
    entry: entryId === null ? null : context.directory.entry(entryId),
    scope: payload['scope'] as GrantScope,
    expiresAt: stringField(payload, 'expiresAt'),
  };
  return accessPlan(requestId, command, { requestId, grantId: grantIdFor(requestId) });
};

const denyAccess: Planner = (payload, actor) => {
  const requestId = stringField(payload, 'requestId');
  const command: AccessCommand = {
    type: 'DenyAccess',
    actor,
    at: payload.issuedAt,
    requestId,
    reason: optionalField(payload, 'reason'),
  };
  return accessPlan(requestId, command, { requestId });
};

const revokeGrant: Planner = (payload, actor) => {
  const grantId = stringField(payload, 'grantId');
  const requestId = requestIdOfGrant(grantId);
  const command: AccessCommand = {
    type: 'RevokeGrant',
    actor,
    at: payload.issuedAt,
    requestId,
    grantId,
    reason: stringField(payload, 'reason'),
  };
  return accessPlan(requestId, command, { requestId, grantId });
};

/** The catalog's description, with omitted fields filled in so every event has one shape. */
function descriptionOf(payload: CommandPayload): CatalogDescription {
  return {
    title: optionalField(payload, 'title'),
    description: optionalField(payload, 'description'),
    languages: (payload['languages'] as string[] | undefined) ?? [],
    license: optionalField(payload, 'license'),
    spatial: optionalField(payload, 'spatial'),
    themeTaxonomies: (payload['themeTaxonomies'] as CatalogDescription['themeTaxonomies'] | undefined) ?? [],
    publisherType: optionalField(payload, 'publisherType'),
  };
}

const describeCatalog: Planner = (payload, actor) => ({
  stream: CATALOG_STREAM,
  decider: catalogDecider,
  command: { type: 'DescribeCatalog', actor, at: payload.issuedAt, description: descriptionOf(payload) },
  resourceIds: {},
});

export const DIRECTORY_PLANNERS: Readonly<Record<string, Planner>> = {
  PublishCatalogEntry: publishOrUpdateEntry,
  UpdateCatalogEntry: publishOrUpdateEntry,
  WithdrawCatalogEntry: withdrawEntry,
  RequestAccess: requestAccess,
  GrantAccess: grantAccess,
  DenyAccess: denyAccess,
  RevokeGrant: revokeGrant,
  DescribeCatalog: describeCatalog,
};
