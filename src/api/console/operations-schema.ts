/** JSON Schema of GET /v1/operations (src/protocol/operations-status.ts). */

const string = { type: 'string' } as const;
const integer = { type: 'integer', minimum: 0 } as const;
const nullable = <T extends object>(schema: T) => ({ anyOf: [schema, { type: 'null' }] }) as const;

const component = {
  type: 'object',
  additionalProperties: false,
  required: ['ok', 'detail'],
  properties: { ok: { type: 'boolean' }, detail: nullable(string) },
} as const;

export const openAlertSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'kind', 'severity', 'subject', 'detail'],
  properties: {
    id: string,
    kind: string,
    severity: { enum: ['critical', 'warning'] },
    subject: nullable(string),
    detail: string,
  },
} as const;

const witness = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'url', 'up', 'cosignedSize', 'lastSuccessAt', 'lastLatencyMs', 'lastError'],
  properties: {
    name: string,
    url: string,
    up: { type: 'boolean' },
    cosignedSize: nullable(integer),
    lastSuccessAt: nullable(string),
    lastLatencyMs: nullable({ type: 'number' }),
    lastError: nullable(string),
  },
} as const;

const mirrorLag = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'url', 'up', 'replicatedSize', 'lagEntries', 'checkedAt', 'error'],
  properties: {
    name: string,
    url: string,
    up: { type: 'boolean' },
    replicatedSize: nullable(integer),
    lagEntries: nullable(integer),
    checkedAt: nullable(string),
    error: nullable(string),
  },
} as const;

const mirror = {
  type: 'object',
  additionalProperties: false,
  required: ['upstream', 'replicatedSize', 'upstreamSize', 'lagEntries', 'lastSyncAt', 'halted'],
  properties: {
    upstream: string,
    replicatedSize: integer,
    upstreamSize: nullable(integer),
    lagEntries: nullable(integer),
    lastSyncAt: nullable(string),
    halted: nullable(string),
  },
} as const;

export const operationsSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'origin',
    'role',
    'ready',
    'notReadyReason',
    'components',
    'finality',
    'log',
    'witnesses',
    'mirrors',
    'mirror',
    'alerts',
  ],
  properties: {
    origin: string,
    role: { enum: ['primary', 'mirror'] },
    ready: { type: 'boolean' },
    notReadyReason: nullable(string),
    components: {
      type: 'object',
      additionalProperties: false,
      required: ['store', 'eventFeed', 'log'],
      properties: { store: component, eventFeed: component, log: component },
    },
    finality: {
      type: 'object',
      additionalProperties: false,
      required: ['state', 'reason', 'quorum', 'checkpointTreeSize', 'finalTreeSize'],
      properties: {
        state: { enum: ['ok', 'degraded', 'none'] },
        reason: nullable(string),
        quorum: nullable(string),
        checkpointTreeSize: integer,
        finalTreeSize: integer,
      },
    },
    log: {
      type: 'object',
      additionalProperties: false,
      required: ['sequencedSize', 'checkpointAgeSeconds', 'unsealedLeaves', 'sealLatencyMs'],
      properties: {
        sequencedSize: integer,
        checkpointAgeSeconds: { type: 'number' },
        unsealedLeaves: integer,
        sealLatencyMs: nullable({
          type: 'object',
          additionalProperties: false,
          required: ['p50', 'p99'],
          properties: { p50: { type: 'number' }, p99: { type: 'number' } },
        }),
      },
    },
    witnesses: { type: 'array', items: witness },
    mirrors: {
      type: 'array',
      items: mirrorLag,
      description:
        "Primary: each mirror-witness's replication lag (this node's log size minus the size the mirror says it replayed and verified), from polling its GET /v1/operations",
    },
    mirror: nullable(mirror),
    alerts: { type: 'array', items: openAlertSchema },
  },
} as const;
