import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { storeErrorToProblem } from '../../application/pipeline/error-mapping.js';
import type { ProblemCode } from '../../application/problems/catalogue.js';
import { ProblemError } from '../../application/problems/problem.js';
import { sendNotFoundPage } from '../web/landing-routes.js';
import { localiseProblem, problemLanguage } from './problem-language.js';
import { type ValidationIssue, validationProblem } from './validation-problem.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  problem: ProblemError,
): FastifyReply {
  // A person's browser that finds nothing gets a page it can act on; a program keeps problem+json.
  if (sendNotFoundPage(request, reply, problem)) return reply;
  if (problem.retryAfterSeconds !== undefined) reply.header('retry-after', String(problem.retryAfterSeconds));
  const language = problemLanguage(request.headers['accept-language']);
  return reply
    .code(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .header('content-language', language)
    .header('vary', varyOn(reply.getHeader('vary'), 'accept-language'))
    .send(localiseProblem(problem.toBody(request.url.split('?')[0]), language));
}

/** Adds a field to a Vary header another part of the reply may have set. */
function varyOn(existing: unknown, field: string): string {
  const fields = String(existing ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f.length > 0);
  return fields.some((f) => f.toLowerCase() === field) ? fields.join(', ') : [...fields, field].join(', ');
}

/** Fastify's own error codes, translated to ours so clients see one vocabulary. */
const FASTIFY_CODES: Record<string, ProblemCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BODY_MALFORMED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BODY_MALFORMED',
  FST_ERR_CTP_INVALID_JSON_BODY: 'BODY_MALFORMED',
};

function toProblem(
  error: FastifyError & { validation?: ValidationIssue[]; validationContext?: string },
  request: FastifyRequest,
): ProblemError {
  if (error instanceof ProblemError) return error;
  // The store failing under any route (a write's read of its stream, a status) is a 503 + Retry-After, never a 500.
  const storeProblem = storeErrorToProblem(error);
  if (storeProblem instanceof ProblemError) return storeProblem;
  if (error.validation !== undefined)
    return validationProblem(error.validation, error.validationContext ?? 'body');
  const mapped = error.code === undefined ? undefined : FASTIFY_CODES[error.code];
  if (mapped === 'UNSUPPORTED_MEDIA_TYPE') {
    const sent = String(request.headers['content-type'] ?? 'none');
    return new ProblemError(mapped, `content type ${sent} is not accepted; send application/json`);
  }
  if (mapped !== undefined) return new ProblemError(mapped, error.message);
  // Fastify reports malformed JSON as a SyntaxError with status 400.
  if (error instanceof SyntaxError || (error.statusCode === 400 && /JSON/i.test(error.message))) {
    return new ProblemError('BODY_MALFORMED', 'the request body is not valid JSON');
  }
  if (error.statusCode === 413) return new ProblemError('BODY_TOO_LARGE', error.message);
  if (error.statusCode === 415) return new ProblemError('UNSUPPORTED_MEDIA_TYPE', error.message);
  if (error.statusCode === 400) return new ProblemError('BODY_MALFORMED', error.message);
  return new ProblemError('INTERNAL', 'an internal error occurred; it has been logged');
}

export function installProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = toProblem(error, request);
    if (problem.code === 'INTERNAL') request.log.error({ err: error }, 'unhandled error');
    else request.log.info({ code: problem.code }, 'request refused');
    return sendProblem(reply, request, problem);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      request,
      new ProblemError('ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`),
    ),
  );
}
