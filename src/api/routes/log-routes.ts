import type { FastifyInstance } from 'fastify';
import type { CheckpointHistory, LogReader } from '../../infrastructure/sequencer/log-reader.js';
import { checkpointSchema, latestCheckpoint, logHead, logSchema } from './log-checkpoint-handlers.js';
import { type EntriesRoute, entriesSchema, logEntries } from './log-entry-handlers.js';
import {
  type ConsistencyRoute,
  consistencyProof,
  consistencySchema,
  type InclusionRoute,
  inclusionProof,
  inclusionSchema,
} from './log-proof-handlers.js';

export interface LogRouteDeps {
  /** checkpointAt, when the reader has it, lets inclusion proofs at older sizes carry their checkpoint. */
  readonly log: LogReader & Partial<CheckpointHistory>;
}

export async function logRoutes(app: FastifyInstance, deps: LogRouteDeps): Promise<void> {
  const { log } = deps;
  app.get('/v1/log', { schema: logSchema }, logHead(log));
  app.get('/v1/log/checkpoint', { schema: checkpointSchema }, latestCheckpoint(log));
  app.get<ConsistencyRoute>('/v1/log/consistency', { schema: consistencySchema }, consistencyProof(log));
  app.get<EntriesRoute>('/v1/log/entries', { schema: entriesSchema }, logEntries(log));
  app.get<InclusionRoute>('/v1/log/proofs/inclusion', { schema: inclusionSchema }, inclusionProof(log));
}
