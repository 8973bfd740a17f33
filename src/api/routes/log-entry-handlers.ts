/** GET /v1/log/entries: the log's leaves, a page at a time. */
import type { FastifyRequest } from 'fastify';
import { ProblemError } from '../../application/problems/problem.js';
import { encodeBase64, leafHash } from '../../domain/log/index.js';
import type { LogEntryRecord, LogReader } from '../../infrastructure/sequencer/log-reader.js';
import { leafIndexProperty, treeSizeProperty } from '../schemas/log-schemas.js';
import { problemResponses, schemas } from '../schemas/route-schemas.js';

/** Largest page of GET /v1/log/entries: bounds the work and the response size of one request. */
export const MAX_ENTRIES_PAGE = 256;

function entryView(record: LogEntryRecord) {
  return {
    leafIndex: record.leafIndex,
    position: record.position.toString(),
    // The leaf is RFC 8785 JSON we wrote ourselves; clients re-canonicalise it to check leafHash.
    leaf: JSON.parse(new TextDecoder().decode(record.leaf)) as unknown,
    leafHash: encodeBase64(leafHash(record.leaf)),
  };
}

export interface EntriesRoute {
  Querystring: { start: number; end?: number; limit: number };
}

export const entriesSchema = {
  tags: ['log'],
  summary: `Log entries [start, end) in leaf order, at most ${MAX_ENTRIES_PAGE} per page`,
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      start: { ...leafIndexProperty, default: 0, description: 'first leaf index' },
      end: { ...treeSizeProperty, description: 'exclusive end (default: every sequenced entry)' },
      limit: { type: 'integer', minimum: 1, maximum: MAX_ENTRIES_PAGE, default: MAX_ENTRIES_PAGE },
    },
  },
  response: { 200: schemas.logEntries, ...problemResponses },
};

export function logEntries(log: LogReader) {
  return async (request: FastifyRequest<EntriesRoute>) => {
    const size = log.sequencedSize();
    const { start, limit } = request.query;
    const end = request.query.end ?? size;
    if (start > end) throw new ProblemError('LOG_RANGE_INVALID', `start ${start} is greater than end ${end}`);
    if (end > size) {
      throw new ProblemError('LOG_INDEX_OUT_OF_RANGE', `end ${end} is beyond the ${size} sequenced entries`, {
        sequencedSize: size,
      });
    }
    const records = log.entries(start, end, Math.min(limit, MAX_ENTRIES_PAGE));
    const reached = start + records.length;
    return { entries: records.map(entryView), next: reached < end ? reached : null };
  };
}
