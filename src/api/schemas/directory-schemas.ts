import { loadSchema } from './schema-files.js';

/** The directory's command, response and parameter schemas (schemas/commands, schemas/api, schemas/directory.json). */
export const directorySchemas = {
  publishCatalogEntry: loadSchema('commands/publish-catalog-entry.json'),
  updateCatalogEntry: loadSchema('commands/update-catalog-entry.json'),
  withdrawCatalogEntry: loadSchema('commands/withdraw-catalog-entry.json'),
  requestAccess: loadSchema('commands/request-access.json'),
  grantAccess: loadSchema('commands/grant-access.json'),
  denyAccess: loadSchema('commands/deny-access.json'),
  revokeGrant: loadSchema('commands/revoke-grant.json'),
  describeCatalog: loadSchema('commands/describe-catalog.json'),
  entry: loadSchema('api/directory-entry.json'),
  history: loadSchema('api/directory-entry-history.json'),
  versions: loadSchema('api/directory-versions.json'),
  upload: loadSchema('api/directory-upload.json'),
  search: loadSchema('api/directory-search.json'),
  request: loadSchema('api/directory-request.json'),
  grantProof: loadSchema('api/directory-grant-proof.json'),
  requestPage: loadSchema('api/directory-request-page.json'),
  audit: loadSchema('api/directory-audit.json'),
  jsonld: loadSchema('api/dcat-jsonld.json'),
};

export const entryIdParam = {
  type: 'object',
  required: ['entryId'],
  additionalProperties: false,
  properties: { entryId: { type: 'string', pattern: '^ent_[a-z2-7]{24}$' } },
} as const;

export const requestIdParam = {
  type: 'object',
  required: ['requestId'],
  additionalProperties: false,
  properties: { requestId: { type: 'string', pattern: '^req_[a-z2-7]{24}$' } },
} as const;

export const grantIdParam = {
  type: 'object',
  required: ['grantId'],
  additionalProperties: false,
  properties: { grantId: { type: 'string', pattern: '^grt_[a-z2-7]{24}$' } },
} as const;
