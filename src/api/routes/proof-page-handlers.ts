/** GET /p/:certificationId and its assets: the citizen page that verifies a proof in the browser. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from '../../application/problems/problem.js';
import type { ProofSources } from '../../application/proofs/proof-bundle-builder.js';
import type { LogReader } from '../../infrastructure/sequencer/log-reader.js';
import { certificationIdParam, problemResponses } from '../schemas/route-schemas.js';
import { acceptedLanguages, chooseLanguage, translator } from '../web/i18n/page-i18n.js';
import { proofPageIcon, proofPageScript, proofPageStyle, type WebAsset } from '../web/proof-page-assets.js';
import { renderProofPage } from '../web/proof-page-html.js';
import { proofQrSvg } from '../web/proof-qr.js';

export interface ProofPageDeps {
  readonly log: Pick<LogReader, 'origin' | 'verifierKey'>;
  readonly certifications: Pick<ProofSources['certifications'], 'get'>;
  /** The node's C2SP tlog-policy text, which the page judges cosignatures by; null when it has none. */
  readonly policyText?: () => string | null;
  /** The authority's public keys (base64), which the page pins to check a key's registration. */
  readonly authorityKeys?: () => readonly string[];
  /** The node's public URL, read at each request (a node on port 0 learns it once listening): the QR code's. */
  readonly links?: { readonly publicUrl: string };
}

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

export interface ProofPageRoute {
  Params: { certificationId: string };
  Querystring: { lang?: string };
}

export const proofPageSchema = {
  tags: ['proofs'],
  summary: 'The citizen page: verifies the proof in the browser',
  description:
    'An HTML page that fetches /v1/proofs/{certificationId} and verifies it with the log key it embeds and ' +
    'shows. 404 when the certification is unknown (the page still renders and says so).',
  params: certificationIdParam,
  querystring: {
    type: 'object',
    properties: {
      lang: {
        type: 'string',
        maxLength: 16,
        description:
          'zh-CN or en: the language to render in (the language switch without script); otherwise Accept-Language. Anything else is ignored.',
      },
    },
  },
  response: {
    200: { description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } },
    404: {
      description: 'The page, for an unknown certification',
      content: { 'text/html': { schema: { type: 'string' } } },
    },
    ...problemResponses,
  },
};

export function proofPage(deps: ProofPageDeps) {
  return async (request: FastifyRequest<ProofPageRoute>, reply: FastifyReply) => {
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
    const language = chooseLanguage(
      request.query.lang,
      acceptedLanguages(request.headers['accept-language']),
    );
    const proofUrl = `${deps.links?.publicUrl ?? ''}/p/${certificationId}`;
    const html = renderProofPage({
      language,
      ...(deps.links === undefined
        ? {}
        : {
            proofUrl,
            qrSvg: await proofQrSvg(proofUrl, translator(language)('qr.label', { url: proofUrl })),
          }),
      certificationId,
      logKey: deps.log.verifierKey,
      origin: deps.log.origin,
      policy: deps.policyText?.() ?? null,
      authorityKeys: deps.authorityKeys?.() ?? [],
      // Relative to /p/ID, so the page also works behind a proxy that mounts the node under a path prefix.
      scriptUrl: `assets/proof-page.js?v=${script.version}`,
      scriptIntegrity: script.integrity,
      styleUrl: `assets/proof-page.css?v=${proofPageStyle.version}`,
      iconUrl: `assets/icon.svg?v=${proofPageIcon.version}`,
    });
    const known = deps.certifications.get(certificationId) !== undefined;
    return (
      pageHeaders(reply)
        .code(known ? 200 : 404)
        .header('cache-control', 'no-cache')
        // The same URL renders in the language the request asks for: caches must keep them apart.
        .header('vary', 'accept-language')
        .header('content-language', language)
        .type('text/html; charset=utf-8')
        .send(html)
    );
  };
}

function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: WebAsset): FastifyReply {
  pageHeaders(reply).header('etag', asset.etag).header('cache-control', 'no-cache');
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  return reply.type(asset.contentType).send(asset.body);
}

export async function proofPageScriptAsset(request: FastifyRequest, reply: FastifyReply) {
  return sendAsset(request, reply, await proofPageScript());
}

export async function proofPageStyleAsset(request: FastifyRequest, reply: FastifyReply) {
  return sendAsset(request, reply, proofPageStyle);
}

export async function proofPageIconAsset(request: FastifyRequest, reply: FastifyReply) {
  return sendAsset(request, reply, proofPageIcon);
}
