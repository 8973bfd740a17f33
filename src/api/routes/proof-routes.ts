import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  buildProofBundle,
  type ProofSources,
  tlogProofOf,
} from '../../application/proofs/proof-bundle-builder.js';
import { certificationIdParam, problemResponses } from '../schemas/route-schemas.js';
import { loadSchema } from '../schemas/schema-files.js';
import {
  type ProofPageDeps,
  type ProofPageRoute,
  proofPage,
  proofPageIconAsset,
  proofPageSchema,
  proofPageScriptAsset,
  proofPageStyleAsset,
} from './proof-page-handlers.js';

export interface ProofRouteDeps extends ProofSources {
  readonly log: ProofSources['log'] & ProofPageDeps['log'];
  readonly policyText?: ProofPageDeps['policyText'];
}

export const TLOG_PROOF_CONTENT_TYPE = 'text/x-tlog-proof';

interface ProofBundleRoute {
  Params: { certificationId: string };
  Querystring: { format: 'json' | 'tlog-proof' };
}

const proofBundleSchema = {
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
        'application/json': { schema: loadSchema('proof-bundle-v1.json') },
        [TLOG_PROOF_CONTENT_TYPE]: { schema: { type: 'string' } },
      },
    },
    ...problemResponses,
  },
};

function proofBundle(deps: ProofRouteDeps) {
  return async (request: FastifyRequest<ProofBundleRoute>, reply: FastifyReply) => {
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
  };
}

export async function proofRoutes(app: FastifyInstance, deps: ProofRouteDeps): Promise<void> {
  app.get<ProofBundleRoute>('/v1/proofs/:certificationId', { schema: proofBundleSchema }, proofBundle(deps));
  app.get<ProofPageRoute>('/p/:certificationId', { schema: proofPageSchema }, proofPage(deps));
  app.get('/p/assets/proof-page.js', { schema: { hide: true } }, proofPageScriptAsset);
  app.get('/p/assets/proof-page.css', { schema: { hide: true } }, proofPageStyleAsset);
  app.get('/p/assets/icon.svg', { schema: { hide: true } }, proofPageIconAsset);
}
