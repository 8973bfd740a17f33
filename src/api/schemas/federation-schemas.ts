/** Response schemas of the federation routes: the alerts with their evidence, and the federation status. */

const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });
const string = { type: 'string' } as const;
const integer = { type: 'integer', minimum: 0 } as const;

const alertSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'source', 'kind', 'origin', 'detail', 'cosigned', 'submitted', 'proof', 'recordedAt'],
  properties: {
    id: integer,
    source: { enum: ['witness', 'mirror'] },
    kind: { enum: ['split-view', 'inconsistent', 'root-mismatch', 'entry-rejected'] },
    origin: string,
    detail: string,
    cosigned: { ...nullable(string), description: 'The signed note this node had cosigned or accepted' },
    submitted: {
      ...nullable(string),
      description: 'The contradicting signed note (or, for a rejected entry, the entry)',
    },
    proof: { type: 'array', items: string, description: 'The consistency proof that came with it, base64' },
    recordedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const alertListSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['total', 'alerts'],
  properties: { total: integer, alerts: { type: 'array', items: alertSchema } },
} as const;

export const federationStatusSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'role',
    'origin',
    'logVerifierKey',
    'policy',
    'checkpoint',
    'finalTreeSize',
    'witness',
    'mirror',
    'submissions',
    'alerts',
  ],
  properties: {
    role: { enum: ['primary', 'mirror'] },
    origin: string,
    logVerifierKey: string,
    policy: nullable({
      type: 'object',
      additionalProperties: false,
      required: ['digest', 'quorum', 'witnesses'],
      properties: {
        digest: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        quorum: string,
        witnesses: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'vkey', 'url'],
            properties: { name: string, vkey: string, url: nullable(string) },
          },
        },
      },
    }),
    checkpoint: nullable({
      type: 'object',
      additionalProperties: false,
      required: ['treeSize', 'final', 'cosigners'],
      properties: {
        treeSize: integer,
        final: { type: 'boolean' },
        cosigners: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'cosigned', 'timestamp'],
            properties: { name: string, cosigned: { type: 'boolean' }, timestamp: nullable(integer) },
          },
        },
      },
    }),
    finalTreeSize: integer,
    witness: nullable({
      type: 'object',
      additionalProperties: false,
      required: ['name', 'vkey', 'logs'],
      properties: {
        name: string,
        vkey: string,
        logs: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['origin', 'treeSize', 'updatedAt'],
            properties: { origin: string, treeSize: integer, updatedAt: string },
          },
        },
      },
    }),
    mirror: nullable({
      type: 'object',
      additionalProperties: false,
      required: [
        'upstreams',
        'upstream',
        'sync',
        'replicatedSize',
        'acceptedSize',
        'upstreamSize',
        'entriesDownloaded',
        'requests',
        'lastSyncAt',
        'lastError',
        'halted',
        'policySequence',
        'policyRefused',
      ],
      properties: {
        upstreams: { type: 'array', items: string },
        upstream: string,
        sync: { type: 'string', enum: ['tiles', 'entries'] },
        replicatedSize: integer,
        acceptedSize: integer,
        upstreamSize: nullable(integer),
        entriesDownloaded: integer,
        requests: integer,
        lastSyncAt: nullable(string),
        lastError: nullable(string),
        halted: nullable(string),
        policySequence: nullable(integer),
        policyRefused: nullable({
          type: 'object',
          additionalProperties: false,
          required: ['reason', 'upstream', 'at'],
          properties: { reason: string, upstream: string, at: string },
        }),
      },
    }),
    submissions: nullable({
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'url', 'cosignedSize', 'lastError', 'lastLatencyMs'],
        properties: {
          name: string,
          url: string,
          cosignedSize: nullable(integer),
          lastError: nullable(string),
          lastLatencyMs: nullable({ type: 'number' }),
          lastSuccessAt: nullable(string),
        },
      },
    }),
    alerts: integer,
  },
} as const;
