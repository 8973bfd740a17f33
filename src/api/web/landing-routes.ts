/**
 * `/` and `/go` for people, and the friendly "not found" page a browser gets
 * instead of problem+json. A program that asks for JSON keeps getting JSON:
 * the choice is the Accept header's (landing-negotiation.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ProblemError } from '../../application/problems/problem.js';
import { problemResponses } from '../schemas/route-schemas.js';
import { LANDING_STYLE_SOURCE, renderLanding, renderNotFound } from './landing-html.js';
import { prefersHtml } from './landing-negotiation.js';

export const LANDING_CSP = [
  "default-src 'none'",
  `style-src ${LANDING_STYLE_SOURCE}`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PROOF_ID = /crt_[a-z2-7]{24}/;

function sendHtml(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .header('content-security-policy', LANDING_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache')
    .header('vary', 'accept')
    .type('text/html; charset=utf-8')
    .send(html);
}

/** The relative way back to the root from a path, so the pages work under a proxy's path prefix. */
function baseOf(path: string): string {
  const depth = path.split('/').length - 2;
  return depth <= 0 ? './' : '../'.repeat(depth);
}

/** Problems a person's browser gets as a page: nothing under this path, or a proof id that cannot be one. */
function isNotFoundForPeople(request: FastifyRequest, problem: ProblemError): boolean {
  const path = request.url.split('?')[0] ?? '/';
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (path.startsWith('/v1/') || !prefersHtml(request.headers.accept)) return false;
  // A path parameter that cannot be a proof id is PARAMS_INVALID (hardening) for programs.
  const mistypedProof = path.startsWith('/p/') && problem.code === 'PARAMS_INVALID';
  return problem.status === 404 || mistypedProof;
}

/** Sends the friendly 404 page when a person's browser asked; false when problem+json should go out. */
export function sendNotFoundPage(
  request: FastifyRequest,
  reply: FastifyReply,
  problem: ProblemError,
): boolean {
  if (!isNotFoundForPeople(request, problem)) return false;
  const path = request.url.split('?')[0] ?? '/';
  const asked = decodeURIComponentSafe(path.startsWith('/p/') ? path.slice(3) : path);
  sendHtml(reply, 404, renderNotFound({ asked, base: baseOf(path) }));
  return true;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

interface LandingDeps {
  readonly origin: string;
}

const landingSchema = {
  tags: ['node'],
  summary: 'The landing page (HTML for a browser; a JSON index of links otherwise)',
  response: {
    200: {
      description: 'The page, or the index',
      content: {
        'text/html': { schema: { type: 'string' } },
        'application/json': {
          schema: {
            type: 'object',
            properties: {
              origin: { type: 'string' },
              links: { type: 'object', additionalProperties: { type: 'string' } },
            },
          },
        },
      },
    },
    ...problemResponses,
  },
};

function landing(deps: LandingDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (prefersHtml(request.headers.accept)) return sendHtml(reply, 200, renderLanding(deps.origin));
    return reply.header('vary', 'accept').send({
      origin: deps.origin,
      links: {
        docs: '/docs',
        openapi: '/docs/json',
        console: '/console',
        status: '/v1/status',
        proofPage: '/p/{certificationId}',
        proofBundle: '/v1/proofs/{certificationId}',
      },
    });
  };
}

interface GoRoute {
  Querystring: { proof?: string };
}

const goSchema = {
  tags: ['proofs'],
  summary: 'From a pasted proof id or proof URL to its page (303), or a friendly page saying none was found',
  querystring: {
    type: 'object',
    properties: { proof: { type: 'string', maxLength: 2048 } },
  },
  response: {
    303: { description: 'To p/{certificationId}' },
    404: { description: 'Not a proof id or URL', content: { 'text/html': { schema: { type: 'string' } } } },
    ...problemResponses,
  },
};

function go() {
  return async (request: FastifyRequest<GoRoute>, reply: FastifyReply) => {
    const typed = (request.query.proof ?? '').trim();
    const id = PROOF_ID.exec(typed.toLowerCase())?.[0];
    // Relative, so it stays under a proxy's path prefix.
    if (id !== undefined) return reply.code(303).header('location', `p/${id}`).send();
    return sendHtml(reply, 404, renderNotFound({ asked: typed, base: './' }));
  };
}

export async function landingRoutes(app: FastifyInstance, deps: LandingDeps): Promise<void> {
  app.get('/', { schema: landingSchema }, landing(deps));
  app.get<GoRoute>('/go', { schema: goSchema }, go());
}
