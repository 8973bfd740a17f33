import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../../application/problems/problem.js';
import { encodeBase64, LogProofError, leafHash } from '../../domain/log/index.js';
import type {
  CheckpointHistory,
  LogEntryRecord,
  LogReader,
  SealedCheckpoint,
} from '../../infrastructure/sequencer/log-reader.js';
import { problemResponses, schemas } from '../schemas/route-schemas.js';

export interface LogRouteDeps {
  /** checkpointAt, when the reader has it, lets inclusion proofs at older sizes carry their checkpoint. */
  readonly log: LogReader & Partial<CheckpointHistory>;
}

/** Largest page of GET /v1/log/entries: bounds the work and the response size of one request. */
export const MAX_ENTRIES_PAGE = 256;
/** Largest tree the stored-hash layout holds (2^52); bigger numbers are refused by the schema. */
const MAX_TREE_SIZE = 2 ** 52;
/** A node seals within its seal interval, so "no checkpoint yet" is worth retrying about this soon. */
const CHECKPOINT_RETRY_SECONDS = 1;

const treeSize = { type: 'integer', minimum: 0, maximum: MAX_TREE_SIZE } as const;
const leafIndex = { type: 'integer', minimum: 0, maximum: MAX_TREE_SIZE - 1 } as const;

function latestOrRetry(log: LogReader): SealedCheckpoint {
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

function entryView(record: LogEntryRecord) {
  return {
    leafIndex: record.leafIndex,
    position: record.position.toString(),
    // The leaf is RFC 8785 JSON we wrote ourselves; clients re-canonicalise it to check leafHash.
    leaf: JSON.parse(new TextDecoder().decode(record.leaf)) as unknown,
    leafHash: encodeBase64(leafHash(record.leaf)),
  };
}

export async function logRoutes(app: FastifyInstance, deps: LogRouteDeps): Promise<void> {
  const { log } = deps;

  app.get(
    '/v1/log',
    {
      schema: {
        tags: ['log'],
        summary: "The log's origin, verifier key, sizes and latest signed checkpoint",
        response: { 200: schemas.log, ...problemResponses },
      },
    },
    async () => {
      const latest = log.latestCheckpoint();
      return {
        origin: log.origin,
        verifierKey: log.verifierKey,
        treeSize: latest?.treeSize ?? 0,
        rootHash: latest === null ? null : encodeBase64(latest.rootHash),
        sequencedSize: log.sequencedSize(),
        checkpoint: latest?.note ?? null,
      };
    },
  );

  app.get(
    '/v1/log/checkpoint',
    {
      schema: {
        tags: ['log'],
        summary: 'The latest checkpoint as a C2SP signed note (text/plain)',
        response: {
          200: {
            description: 'C2SP tlog-checkpoint body and signature lines',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
          ...problemResponses,
        },
      },
    },
    async (_request, reply) => {
      const latest = latestOrRetry(log);
      return reply.type('text/plain; charset=utf-8').send(latest.note);
    },
  );

  app.get<{ Querystring: { from: number; to?: number } }>(
    '/v1/log/consistency',
    {
      schema: {
        tags: ['log'],
        summary: 'RFC 6962 consistency proof that the tree of size `to` extends the tree of size `from`',
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['from'],
          properties: {
            from: { ...treeSize, description: 'old tree size' },
            to: { ...treeSize, description: 'new tree size (default: the latest checkpoint)' },
          },
        },
        response: { 200: schemas.logConsistency, ...problemResponses },
      },
    },
    async (request) => {
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
    },
  );

  app.get<{ Querystring: { start: number; end?: number; limit: number } }>(
    '/v1/log/entries',
    {
      schema: {
        tags: ['log'],
        summary: `Log entries [start, end) in leaf order, at most ${MAX_ENTRIES_PAGE} per page`,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            start: { ...leafIndex, default: 0, description: 'first leaf index' },
            end: { ...treeSize, description: 'exclusive end (default: every sequenced entry)' },
            limit: { type: 'integer', minimum: 1, maximum: MAX_ENTRIES_PAGE, default: MAX_ENTRIES_PAGE },
          },
        },
        response: { 200: schemas.logEntries, ...problemResponses },
      },
    },
    async (request) => {
      const size = log.sequencedSize();
      const { start, limit } = request.query;
      const end = request.query.end ?? size;
      if (start > end)
        throw new ProblemError('LOG_RANGE_INVALID', `start ${start} is greater than end ${end}`);
      if (end > size) {
        throw new ProblemError(
          'LOG_INDEX_OUT_OF_RANGE',
          `end ${end} is beyond the ${size} sequenced entries`,
          {
            sequencedSize: size,
          },
        );
      }
      const records = log.entries(start, end, Math.min(limit, MAX_ENTRIES_PAGE));
      const reached = start + records.length;
      return { entries: records.map(entryView), next: reached < end ? reached : null };
    },
  );

  app.get<{ Querystring: { index: number; size?: number } }>(
    '/v1/log/proofs/inclusion',
    {
      schema: {
        tags: ['log'],
        summary: 'RFC 6962 inclusion proof of one leaf in a tree (default: the latest checkpoint)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['index'],
          properties: {
            index: { ...leafIndex, description: 'leaf index' },
            size: { ...treeSize, description: 'tree size (default: the latest checkpoint)' },
          },
        },
        response: { 200: schemas.logInclusionProof, ...problemResponses },
      },
    },
    async (request) => {
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
    },
  );
}
