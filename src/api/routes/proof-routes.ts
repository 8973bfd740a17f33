import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from '../../application/problems/problem.js';
import {
  buildProofBundle,
  type ProofSources,
  tlogProofOf,
} from '../../application/proofs/proof-bundle-builder.js';
import type { LogReader } from '../../infrastructure/sequencer/log-reader.js';
import { certificationIdParam, problemResponses } from '../schemas/route-schemas.js';
import { loadSchema } from '../schemas/schema-files.js';
import { proofPageIcon, proofPageScript, proofPageStyle, type WebAsset } from '../web/proof-page-assets.js';
import { renderProofPage } from '../web/proof-page-html.js';

export interface ProofRouteDeps extends ProofSources {
  readonly log: ProofSources['log'] & Pick<LogReader, 'origin' | 'verifierKey'>;
  /** The node's C2SP tlog-policy text, which the page judges cosignatures by; null when it has none. */
  readonly policyText?: () => string | null;
}

export const TLOG_PROOF_CONTENT_TYPE = 'text/x-tlog-proof';

const SCRIPT_PATH = '/p/assets/proof-page.js';
const STYLE_PATH = '/p/assets/proof-page.css';
const ICON_PATH = '/p/assets/icon.svg';

/**
 * The page loads nothing but its own script, style and /v1/proofs: no inline
 * code, no other origin, no framing, no forms. Verification runs in the
 * browser, so a script injected into this page would be the one thing that
 * could lie to a citizen.
 */
export const PROOF_PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', PROOF_PAGE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: WebAsset): FastifyReply {
  pageHeaders(reply).header('etag', asset.etag).header('cache-control', 'no-cache');
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  return reply.type(asset.contentType).send(asset.body);
}

export async function proofRoutes(app: FastifyInstance, deps: ProofRouteDeps): Promise<void> {
  const bundleSchema = loadSchema('proof-bundle-v1.json');

  app.get<{ Params: { certificationId: string }; Querystring: { format: 'json' | 'tlog-proof' } }>(
    '/v1/proofs/:certificationId',
    {
      schema: {
        tags: ['proofs'],
        summary: 'The proof bundle of a certification, to verify offline',
        description:
          'The certification entry with its inclusion proof under the latest signed checkpoint, the entry that last ' +
          'set its status (proven under the same checkpoint) and the issuing key (schemas/proof-bundle-v1.json). ' +
          `With ?format=tlog-proof, the same inclusion proof as a C2SP tlog-proof@v1 text (${TLOG_PROOF_CONTENT_TYPE}) ` +
          'whose extra line is the leaf itself. 503 PROOF_NOT_SEALED with Retry-After until the record and its ' +
          'latest status change are under a signed checkpoint.',
        params: certificationIdParam,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { format: { type: 'string', enum: ['json', 'tlog-proof'], default: 'json' } },
        },
        response: {
          200: {
            description: 'The proof',
            content: {
              'application/json': { schema: bundleSchema },
              [TLOG_PROOF_CONTENT_TYPE]: { schema: { type: 'string' } },
            },
          },
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const { certificationId } = request.params;
      const bundle = buildProofBundle(certificationId, deps);
      // A proof is a snapshot of a growing log: always ask again rather than reuse a stale status.
      reply.header('cache-control', 'no-cache');
      if (request.query.format === 'tlog-proof') {
        return reply
          .type(`${TLOG_PROOF_CONTENT_TYPE}; charset=utf-8`)
          .header('content-disposition', `inline; filename="${certificationId}.tlog-proof"`)
          .send(tlogProofOf(bundle));
      }
      return reply.type('application/json; charset=utf-8').send(bundle);
    },
  );

  app.get<{ Params: { certificationId: string } }>(
    '/p/:certificationId',
    {
      schema: {
        tags: ['proofs'],
        summary: 'The citizen page: verifies the proof in the browser',
        description:
          'An HTML page that fetches /v1/proofs/{certificationId} and verifies it with the log key it embeds and ' +
          'shows. 404 when the certification is unknown (the page still renders and says so).',
        params: certificationIdParam,
        response: {
          200: { description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } },
          404: {
            description: 'The page, for an unknown certification',
            content: { 'text/html': { schema: { type: 'string' } } },
          },
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const { certificationId } = request.params;
      let script: WebAsset;
      try {
        script = await proofPageScript();
      } catch (error) {
        request.log.error({ err: error }, 'cannot bundle the proof page script');
        throw new ProblemError(
          'INTERNAL',
          'the proof page is unavailable on this node; use /v1/proofs instead',
        );
      }
      const html = renderProofPage({
        certificationId,
        logKey: deps.log.verifierKey,
        origin: deps.log.origin,
        policy: deps.policyText?.() ?? null,
        // Relative to /p/ID, so the page also works behind a proxy that mounts the node under a path prefix.
        scriptUrl: `assets/proof-page.js?v=${script.version}`,
        scriptIntegrity: script.integrity,
        styleUrl: `assets/proof-page.css?v=${proofPageStyle.version}`,
        iconUrl: `assets/icon.svg?v=${proofPageIcon.version}`,
      });
      const known = deps.certifications.get(certificationId) !== undefined;
      return pageHeaders(reply)
        .code(known ? 200 : 404)
        .header('cache-control', 'no-cache')
        .type('text/html; charset=utf-8')
        .send(html);
    },
  );

  app.get(SCRIPT_PATH, { schema: { hide: true } }, async (request, reply) =>
    sendAsset(request, reply, await proofPageScript()),
  );
  app.get(STYLE_PATH, { schema: { hide: true } }, async (request, reply) =>
    sendAsset(request, reply, proofPageStyle),
  );
  app.get(ICON_PATH, { schema: { hide: true } }, async (request, reply) =>
    sendAsset(request, reply, proofPageIcon),
  );
}
