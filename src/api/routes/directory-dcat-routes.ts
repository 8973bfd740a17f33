import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from '../../application/problems/problem.js';
import type { SignedEnvelope } from '../../domain/crypto/envelope.js';
import {
  type CatalogContext,
  catalogDocument,
  type DcatLinks,
  datasetDocument,
  themeSchemeDocument,
} from '../presenters/dcat-jsonld.js';
import { directorySchemas, entryIdParam } from '../schemas/directory-schemas.js';
import { problemResponses, schemas } from '../schemas/route-schemas.js';
import type { DirectoryRouteDeps } from './directory-route-deps.js';

const JSON_LD = 'application/ld+json';

const catalogSchema = {
  tags: ['directory'],
  summary: 'The catalog as DCAT-AP 3 JSON-LD, paged (Hydra partial-collection view)',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      page: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 },
      pageSize: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    },
  },
  response: { 200: directorySchemas.jsonld, ...problemResponses },
};

const datasetSchema = {
  tags: ['directory'],
  summary: 'One catalog entry as a DCAT-AP 3 dcat:Dataset in JSON-LD',
  params: entryIdParam,
  response: { 200: directorySchemas.jsonld, ...problemResponses },
};

const themesSchema = {
  tags: ['directory'],
  summary: "The catalog's own theme scheme (skos:ConceptScheme): the themes that are not EU data themes",
  response: { 200: directorySchemas.jsonld, ...problemResponses },
};

const describeSchema = {
  tags: ['directory'],
  summary:
    'Describe the catalog as a whole: languages, licence, spatial coverage, theme taxonomies (authority)',
  body: directorySchemas.describeCatalog,
  response: { 200: schemas.writeResult, ...problemResponses },
};

interface CatalogRoute {
  Querystring: { page: number; pageSize: number };
}

interface DatasetRoute {
  Params: { entryId: string };
}

export async function directoryDcatRoutes(app: FastifyInstance, deps: DirectoryRouteDeps): Promise<void> {
  const links = (): DcatLinks => ({
    base: deps.links.publicUrl,
    publisherName: (id) => deps.registry.get(id)?.name,
  });
  const catalog = (): CatalogContext => ({
    ...deps.catalogInfo,
    description: deps.catalog.description()?.description ?? null,
  });

  app.get<CatalogRoute>('/v1/catalog.jsonld', { schema: catalogSchema }, async (request, reply) => {
    const { page, pageSize } = request.query;
    const entries = deps.catalog.list((page - 1) * pageSize, pageSize);
    const total = deps.catalog.count();
    const doc = catalogDocument(entries, { page, pageSize, total }, catalog(), deps.catalog.dates(), links());
    return reply.type(JSON_LD).send(doc);
  });

  app.get<DatasetRoute>(
    '/v1/directory/entries/:entryId.jsonld',
    { schema: datasetSchema },
    async (request, reply) => {
      const entry = deps.catalog.get(request.params.entryId);
      if (entry === undefined)
        throw new ProblemError('ENTRY_NOT_FOUND', `no catalog entry ${request.params.entryId}`);
      return reply.type(JSON_LD).send(datasetDocument(entry, links(), catalog().description));
    },
  );

  app.get('/v1/directory/themes', { schema: themesSchema }, async (_request, reply) =>
    reply.type(JSON_LD).send(themeSchemeDocument(deps.catalog.themes(), catalog(), links())),
  );

  app.post<{ Body: SignedEnvelope }>(
    '/v1/directory/catalog',
    { schema: describeSchema },
    async (request: FastifyRequest<{ Body: SignedEnvelope }>, reply: FastifyReply) =>
      reply.send(await deps.commands.execute(request.body, ['DescribeCatalog'])),
  );
}
