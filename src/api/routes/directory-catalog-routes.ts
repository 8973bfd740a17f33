import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from '../../application/problems/problem.js';
import type { SignedEnvelope } from '../../domain/crypto/envelope.js';
import { entryView, metadataVersionView, versionView } from '../presenters/directory-views.js';
import { directorySchemas, entryIdParam } from '../schemas/directory-schemas.js';
import { problemResponses, schemas } from '../schemas/route-schemas.js';
import { type CatalogSearchRoute, catalogSearch, catalogSearchSchema } from './catalog-search-handler.js';
import type { DirectoryRouteDeps } from './directory-route-deps.js';

/** A publish or update carries a JSON Schema (conformsTo, ≤ 128 KiB canonical): more room than a command's 64 KiB. */
export const CATALOG_BODY_LIMIT = 256 * 1024;

const write = (summary: string, body: object, status: 200 | 201, withParams: boolean) => ({
  bodyLimit: CATALOG_BODY_LIMIT,
  schema: {
    tags: ['directory'],
    summary,
    ...(withParams ? { params: entryIdParam } : {}),
    body,
    response: { [status]: schemas.writeResult, ...problemResponses },
  },
});

interface PublishRoute {
  Body: SignedEnvelope;
}

function publishEntry(deps: DirectoryRouteDeps) {
  return async (request: FastifyRequest<PublishRoute>, reply: FastifyReply) =>
    reply.code(201).send(await deps.commands.execute(request.body, ['PublishCatalogEntry']));
}

/** The writes on an existing entry: path action, command type, body schema, summary. */
const BY_ID = [
  [
    'update',
    'UpdateCatalogEntry',
    directorySchemas.updateCatalogEntry,
    "Replace an entry's metadata (its publisher)",
  ],
  [
    'withdraw',
    'WithdrawCatalogEntry',
    directorySchemas.withdrawCatalogEntry,
    'Withdraw an entry (its publisher or the authority)',
  ],
] as const;

interface EntryWriteRoute {
  Body: SignedEnvelope;
  Params: { entryId: string };
}

function writeEntry(deps: DirectoryRouteDeps, type: string) {
  return async (request: FastifyRequest<EntryWriteRoute>) =>
    deps.commands.execute(request.body, [type], { field: 'entryId', value: request.params.entryId });
}

interface EntryRoute {
  Params: { entryId: string };
}

function found(deps: DirectoryRouteDeps, entryId: string) {
  const entry = deps.catalog.get(entryId);
  if (entry === undefined) throw new ProblemError('ENTRY_NOT_FOUND', `no catalog entry ${entryId}`);
  return entry;
}

const entrySchema = {
  tags: ['directory'],
  summary: 'A catalog entry with its current metadata and latest dataset version',
  params: entryIdParam,
  response: { 200: directorySchemas.entry, ...problemResponses },
};

function getEntry(deps: DirectoryRouteDeps) {
  return async (request: FastifyRequest<EntryRoute>) => entryView(found(deps, request.params.entryId));
}

const recordSchemaSchema = {
  tags: ['directory'],
  summary: "The entry's record schema (dct:conformsTo), as application/schema+json",
  params: entryIdParam,
  response: { 200: { type: 'object', additionalProperties: true }, ...problemResponses },
};

function getRecordSchema(deps: DirectoryRouteDeps) {
  return async (request: FastifyRequest<EntryRoute>, reply: FastifyReply) =>
    reply.type('application/schema+json').send(found(deps, request.params.entryId).metadata.conformsTo);
}

const historySchema = {
  tags: ['directory'],
  summary: 'Every metadata version of an entry, oldest first',
  params: entryIdParam,
  response: { 200: directorySchemas.history, ...problemResponses },
};

function getHistory(deps: DirectoryRouteDeps) {
  return async (request: FastifyRequest<EntryRoute>) => {
    const { entryId } = request.params;
    found(deps, entryId);
    return { entryId, items: deps.catalog.history(entryId).map(metadataVersionView) };
  };
}

const versionsSchema = {
  tags: ['directory'],
  summary: 'Dataset versions of an entry: digest, record and byte counts, schema digest',
  params: entryIdParam,
  response: { 200: directorySchemas.versions, ...problemResponses },
};

function getVersions(deps: DirectoryRouteDeps) {
  return async (request: FastifyRequest<EntryRoute>) => {
    const { entryId } = request.params;
    found(deps, entryId);
    return { entryId, items: deps.catalog.versions(entryId).map(versionView) };
  };
}

export async function directoryCatalogRoutes(app: FastifyInstance, deps: DirectoryRouteDeps): Promise<void> {
  app.post<PublishRoute>(
    '/v1/directory/entries',
    write('Publish a catalog entry (publisher role)', directorySchemas.publishCatalogEntry, 201, false),
    publishEntry(deps),
  );
  for (const [action, type, body, summary] of BY_ID) {
    app.post<EntryWriteRoute>(
      `/v1/directory/entries/:entryId/${action}`,
      write(summary, body, 200, true),
      writeEntry(deps, type),
    );
  }
  app.get<EntryRoute>('/v1/directory/entries/:entryId', { schema: entrySchema }, getEntry(deps));
  app.get<EntryRoute>(
    '/v1/directory/entries/:entryId/schema',
    { schema: recordSchemaSchema },
    getRecordSchema(deps),
  );
  app.get<EntryRoute>('/v1/directory/entries/:entryId/history', { schema: historySchema }, getHistory(deps));
  app.get<EntryRoute>(
    '/v1/directory/entries/:entryId/versions',
    { schema: versionsSchema },
    getVersions(deps),
  );
  app.get<CatalogSearchRoute>('/v1/directory/search', { schema: catalogSearchSchema }, catalogSearch(deps));
}
