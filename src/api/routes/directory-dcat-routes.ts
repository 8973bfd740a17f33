import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../../application/problems/problem.js';
import { catalogDocument, type DcatLinks, datasetDocument } from '../presenters/dcat-jsonld.js';
import { directorySchemas, entryIdParam } from '../schemas/directory-schemas.js';
import { problemResponses } from '../schemas/route-schemas.js';
import type { DirectoryRouteDeps } from './directory-route-deps.js';

const JSON_LD = 'application/ld+json';

export async function directoryDcatRoutes(app: FastifyInstance, deps: DirectoryRouteDeps): Promise<void> {
  const links = (): DcatLinks => ({
    base: deps.links.publicUrl,
    publisherName: (id) => deps.registry.get(id)?.name,
  });

  app.get<{ Querystring: { page: number; pageSize: number } }>(
    '/v1/catalog.jsonld',
    {
      schema: {
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
      },
    },
    async (request, reply) => {
      const { page, pageSize } = request.query;
      const entries = deps.catalog.list((page - 1) * pageSize, pageSize);
      const doc = catalogDocument(
        entries,
        { page, pageSize, total: deps.catalog.count() },
        deps.catalogInfo,
        links(),
      );
      return reply.type(JSON_LD).send(doc);
    },
  );

  app.get<{ Params: { entryId: string } }>(
    '/v1/directory/entries/:entryId.jsonld',
    {
      schema: {
        tags: ['directory'],
        summary: 'One catalog entry as a DCAT-AP 3 dcat:Dataset in JSON-LD',
        params: entryIdParam,
        response: { 200: directorySchemas.jsonld, ...problemResponses },
      },
    },
    async (request, reply) => {
      const entry = deps.catalog.get(request.params.entryId);
      if (entry === undefined)
        throw new ProblemError('ENTRY_NOT_FOUND', `no catalog entry ${request.params.entryId}`);
      return reply.type(JSON_LD).send(datasetDocument(entry, links()));
    },
  );
}
