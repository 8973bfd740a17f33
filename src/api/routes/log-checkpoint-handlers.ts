/** GET /v1/log and /v1/log/checkpoint: the log's latest signed head. */
import type { FastifyReply } from 'fastify';
import { ProblemError } from '../../application/problems/problem.js';
import { encodeBase64 } from '../../domain/log/index.js';
import type { LogReader, SealedCheckpoint } from '../../infrastructure/sequencer/log-reader.js';
import { problemResponses, schemas } from '../schemas/route-schemas.js';

/** A node seals within its seal interval, so "no checkpoint yet" is worth retrying about this soon. */
const CHECKPOINT_RETRY_SECONDS = 1;

export function latestOrRetry(log: LogReader): SealedCheckpoint {
  const latest = log.latestCheckpoint();
  if (latest === null) {
    throw new ProblemError(
      'CHECKPOINT_NOT_YET',
      'the log has not signed a checkpoint yet',
      { sequencedSize: log.sequencedSize() },
      CHECKPOINT_RETRY_SECONDS,
    );
  }
  return latest;
}

export const logSchema = {
  tags: ['log'],
  summary: "The log's origin, verifier key, sizes and latest signed checkpoint",
  response: { 200: schemas.log, ...problemResponses },
};

export function logHead(log: LogReader) {
  return async () => {
    const latest = log.latestCheckpoint();
    return {
      origin: log.origin,
      verifierKey: log.verifierKey,
      treeSize: latest?.treeSize ?? 0,
      rootHash: latest === null ? null : encodeBase64(latest.rootHash),
      sequencedSize: log.sequencedSize(),
      checkpoint: latest?.note ?? null,
    };
  };
}

export const checkpointSchema = {
  tags: ['log'],
  summary: 'The latest checkpoint as a C2SP signed note (text/plain)',
  response: {
    200: {
      description: 'C2SP tlog-checkpoint body and signature lines',
      content: { 'text/plain': { schema: { type: 'string' } } },
    },
    ...problemResponses,
  },
};

export function latestCheckpoint(log: LogReader) {
  return async (_request: unknown, reply: FastifyReply) => {
    const latest = latestOrRetry(log);
    return reply.type('text/plain; charset=utf-8').send(latest.note);
  };
}
