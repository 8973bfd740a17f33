/** GET /v1/log/consistency and /v1/log/proofs/inclusion: RFC 6962 proofs between signed heads. */
import type { FastifyRequest } from 'fastify';
import { ProblemError } from '../../application/problems/problem.js';
import { encodeBase64, LogProofError, leafHash } from '../../domain/log/index.js';
import type {
  CheckpointHistory,
  LogReader,
  SealedCheckpoint,
} from '../../infrastructure/sequencer/log-reader.js';
import { leafIndexProperty, treeSizeProperty } from '../schemas/log-schemas.js';
import { problemResponses, schemas } from '../schemas/route-schemas.js';
import { latestOrRetry } from './log-checkpoint-handlers.js';

function beyondCheckpoint(what: string, size: number, latest: SealedCheckpoint): ProblemError {
  return new ProblemError(
    'LOG_SIZE_OUT_OF_RANGE',
    `${what} ${size} is beyond the latest checkpoint (tree size ${latest.treeSize})`,
    { treeSize: latest.treeSize },
  );
}

/** The reader bounds its inputs too; if it still refuses, say so in the log's vocabulary rather than 500. */
function asProblem(error: unknown): unknown {
  if (error instanceof LogProofError && error.code === 'INDEX_OUT_OF_RANGE') {
    return new ProblemError('LOG_INDEX_OUT_OF_RANGE', error.message);
  }
  if (error instanceof LogProofError && error.code === 'SIZE_OUT_OF_RANGE') {
    return new ProblemError('LOG_SIZE_OUT_OF_RANGE', error.message);
  }
  return error;
}

export interface ConsistencyRoute {
  Querystring: { from: number; to?: number };
}

export const consistencySchema = {
  tags: ['log'],
  summary: 'RFC 6962 consistency proof that the tree of size `to` extends the tree of size `from`',
  querystring: {
    type: 'object',
    additionalProperties: false,
    required: ['from'],
    properties: {
      from: { ...treeSizeProperty, description: 'old tree size' },
      to: { ...treeSizeProperty, description: 'new tree size (default: the latest checkpoint)' },
    },
  },
  response: { 200: schemas.logConsistency, ...problemResponses },
};

export function consistencyProof(log: LogReader) {
  return async (request: FastifyRequest<ConsistencyRoute>) => {
    const latest = latestOrRetry(log);
    const { from } = request.query;
    const to = request.query.to ?? latest.treeSize;
    // A tree never shrinks: a proof "back" to a smaller size would describe a rollback.
    if (from > to) throw new ProblemError('LOG_RANGE_INVALID', `from ${from} is greater than to ${to}`);
    // Proofs only between published heads: a size nobody has signed gives the client nothing to check against.
    if (to > latest.treeSize) throw beyondCheckpoint('to', to, latest);
    try {
      return { from, to, proof: log.consistencyProof(from, to).map(encodeBase64) };
    } catch (error) {
      throw asProblem(error);
    }
  };
}

export interface InclusionRoute {
  Querystring: { index: number; size?: number };
}

export const inclusionSchema = {
  tags: ['log'],
  summary: 'RFC 6962 inclusion proof of one leaf in a tree (default: the latest checkpoint)',
  querystring: {
    type: 'object',
    additionalProperties: false,
    required: ['index'],
    properties: {
      index: { ...leafIndexProperty, description: 'leaf index' },
      size: { ...treeSizeProperty, description: 'tree size (default: the latest checkpoint)' },
    },
  },
  response: { 200: schemas.logInclusionProof, ...problemResponses },
};

export function inclusionProof(log: LogReader & Partial<CheckpointHistory>) {
  return async (request: FastifyRequest<InclusionRoute>) => {
    const latest = latestOrRetry(log);
    const { index } = request.query;
    const size = request.query.size ?? latest.treeSize;
    if (size > latest.treeSize) throw beyondCheckpoint('size', size, latest);
    if (index >= size) {
      throw new ProblemError(
        'LOG_INDEX_OUT_OF_RANGE',
        `leaf index ${index} is not in a tree of size ${size}`,
        {
          treeSize: size,
        },
      );
    }
    try {
      const entry = log.entry(index);
      if (entry === null) throw new LogProofError('INDEX_OUT_OF_RANGE', `no leaf ${index}`);
      const checkpoint = size === latest.treeSize ? latest : (log.checkpointAt?.(size) ?? null);
      return {
        leafIndex: index,
        treeSize: size,
        leafHash: encodeBase64(leafHash(entry.leaf)),
        proof: log.inclusionProof(index, size).map(encodeBase64),
        checkpoint: checkpoint?.note ?? null,
      };
    } catch (error) {
      throw asProblem(error);
    }
  };
}
