/** JSON Schemas of GET /v1/operations/certifications (src/protocol/certification-series.ts). */

export const seriesQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    bucket: { enum: ['minute', 'hour', 'day'], default: 'hour', description: 'width of a time bucket' },
    buckets: {
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      default: 48,
      description: 'how many buckets, up to now',
    },
    top: {
      type: 'integer',
      minimum: 1,
      maximum: 20,
      default: 5,
      description: 'keys kept per dimension (by total in the window); the rest are summed as "(other)"',
    },
  },
} as const;

const countSeries = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['key', 'total', 'counts'],
    properties: {
      key: { type: 'string' },
      total: { type: 'integer', minimum: 0 },
      counts: { type: 'array', items: { type: 'integer', minimum: 0 }, description: 'one per bucket' },
    },
  },
} as const;

export const seriesSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['bucket', 'bucketSeconds', 'buckets', 'byType', 'byIssuer', 'byStatus'],
  properties: {
    bucket: { enum: ['minute', 'hour', 'day'] },
    bucketSeconds: { type: 'integer' },
    buckets: {
      type: 'array',
      items: { type: 'integer' },
      description: 'Unix time (s) each bucket starts at',
    },
    byType: { ...countSeries, description: 'certified records by record type' },
    byIssuer: { ...countSeries, description: 'certified records by issuer' },
    byStatus: { ...countSeries, description: 'status changes: certified, suspended, reinstated, revoked' },
  },
} as const;
