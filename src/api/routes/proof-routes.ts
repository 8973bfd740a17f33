import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  buildProofBundle,
  type ProofSources,
  tlogProofOf,
} from '../../application/proofs/proof-bundle-builder.js';
import {
  buildProofBundleV2,
  type StateProofSource,
} from '../../application/proofs/proof-bundle-v2-builder.js';
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
  readonly authorityKeys?: ProofPageDeps['authorityKeys'];
  readonly links?: ProofPageDeps['links'];
  /** The state map's proofs: with them the route serves version 2 bundles (version 1 on request). */
  readonly state?: StateProofSource;
}

export const TLOG_PROOF_CONTENT_TYPE = 'text/x-tlog-proof';

interface ProofBundleRoute {
  Params: { certificationId: string };
  Querystring: { format: 'json' | 'tlog-proof'; version?: 1 | 2 };
}

const proofBundleSchema = {
  tags: ['proofs'],
  summary: 'The proof bundle of a certification, to verify offline',
  description:
    'Version 2 (schemas/proof-bundle-v2.json): the certification entry with its inclusion proof under the ' +
    "final (else latest) checkpoint, which commits to the state map; the map proofs of the record's state, " +
    "its batch's and its signing key's at that checkpoint; the entry that set the current status; and the " +
    "key's authority-signed registration with its inclusion proof. ?version=1 answers the older form " +
    "(schemas/proof-bundle-v1.json), which proves neither the current state nor the key's authority. " +
    `With ?format=tlog-proof, the same inclusion proof as a C2SP tlog-proof@v1 text (${TLOG_PROOF_CONTENT_TYPE}) ` +
    'whose extra line is the leaf itself. 503 PROOF_NOT_SEALED with Retry-After until the record and its ' +
    'latest status change are under a signed checkpoint.',
  params: certificationIdParam,
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      format: { type: 'string', enum: ['json', 'tlog-proof'], default: 'json' },
      version: { type: 'integer', enum: [1, 2] },
    },
  },
  response: {
    200: {
      description: 'The proof',
      content: {
        'application/json': {
          schema: { anyOf: [loadSchema('proof-bundle-v2.json'), loadSchema('proof-bundle-v1.json')] },
        },
        [TLOG_PROOF_CONTENT_TYPE]: { schema: { type: 'string' } },
      },
    },
    ...problemResponses,
  },
};

function proofBundle(deps: ProofRouteDeps) {
  return async (request: FastifyRequest<ProofBundleRoute>, reply: FastifyReply) => {
    const { certificationId } = request.params;
    const { state } = deps;
    const v1 = request.query.format === 'tlog-proof' || request.query.version === 1 || state === undefined;
    const bundle = v1
      ? buildProofBundle(certificationId, deps)
      : buildProofBundleV2(certificationId, { ...deps, state });
    // A proof is a snapshot of a growing log: always ask again rather than reuse a stale status.
    reply.header('cache-control', 'no-cache');
    if (request.query.format === 'tlog-proof' && bundle.version === 1) {
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
