/** JSON Schema of GET /v1/operations/history (src/protocol/node-history.ts). */

import { HISTORY_FIELDS } from '../../protocol/node-history.js';

const column = { type: 'array', items: { anyOf: [{ type: 'number' }, { type: 'null' }] } } as const;

const FIELD_DESCRIPTIONS: Record<(typeof HISTORY_FIELDS)[number], string> = {
  up: '1 up (ready, or answering), 0 down',
  logSize: "the node's log size: its own, the size a mirror verified, or else the size a witness cosigned",
  lag: "a mirror's replication lag in entries",
  cosignedLag: "this node's log size minus the size the witness last cosigned",
  lastCosignatureAt: "Unix time (s) of the witness's last cosignature",
  cosignLatencyMs: "latency (ms) of the witness's last cosignature",
};

export const historySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['intervalSeconds', 'capacity', 'nodes'],
  properties: {
    intervalSeconds: { type: 'number', description: 'seconds between samples' },
    capacity: { type: 'integer', description: 'samples kept per node (a ring: the oldest go first)' },
    nodes: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'role', 'samples'],
        properties: {
          name: { type: 'string' },
          role: { enum: ['self', 'witness', 'mirror-witness'] },
          samples: {
            type: 'object',
            additionalProperties: false,
            required: ['t', ...HISTORY_FIELDS],
            description: 'columns, oldest first, one entry per sample; null where unknown at that time',
            properties: {
              t: { type: 'array', items: { type: 'number' }, description: 'Unix time (s) of each sample' },
              ...Object.fromEntries(
                HISTORY_FIELDS.map((f) => [f, { ...column, description: FIELD_DESCRIPTIONS[f] }]),
              ),
            },
          },
        },
      },
    },
  },
} as const;
