import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../../application/problems/problem.js';
import { depthBeyond, firstNonIJson, MAX_JSON_DEPTH } from './json-limits.js';

/**
 * The application/json parser for every route that does not bring its own:
 * Fastify reads the body within the route's bodyLimit, then the nesting depth
 * is bounded by a flat scan BEFORE JSON.parse, and the parsed value must be
 * I-JSON (RFC 7493) because every signed payload is canonicalised (RFC 8785)
 * and a value with no canonical form must be refused as input, not crash later.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  // Same poisoning policy as the server options: a __proto__ key is refused, never dropped.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    const depth = depthBeyond(text, MAX_JSON_DEPTH);
    if (depth !== null) {
      done(
        new ProblemError(
          'BODY_TOO_DEEP',
          `the body nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep; allowed: at most ${MAX_JSON_DEPTH}`,
          { maxDepth: MAX_JSON_DEPTH },
        ),
        undefined,
      );
      return;
    }
    parseJson(request, text, (error, value) => {
      if (error !== null) return done(error, undefined);
      const bad = firstNonIJson(value);
      if (bad === null) return done(null, value);
      done(
        new ProblemError(
          'BODY_NOT_I_JSON',
          `body${bad.pointer} is ${bad.reason}; allowed: I-JSON (RFC 7493) values, which have an RFC 8785 form`,
          { pointer: bad.pointer },
        ),
        undefined,
      );
    });
  });
}
