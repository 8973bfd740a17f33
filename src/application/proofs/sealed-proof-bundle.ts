import { type SealedDecorator, withSealedReceipt } from '../commands/sealed-write.js';
import { ProblemError } from '../problems/problem.js';
import { buildProofBundle, type ProofSources } from './proof-bundle-builder.js';
import { buildProofBundleV2, type StateProofSource } from './proof-bundle-v2-builder.js';

/**
 * The `?wait=sealed` answer for certification writes: the sealed receipt plus
 * the full proof bundle (version 2 where the node keeps a state map) under the checkpoint that now holds the entry, so an
 * issuer can hand the citizen a proof without a second request. Other writes
 * get the plain receipt.
 */
export function withProofBundle(sources: ProofSources & { state?: StateProofSource }): SealedDecorator {
  const { state } = sources;
  const build = (id: string) =>
    state === undefined ? buildProofBundle(id, sources) : buildProofBundleV2(id, { ...sources, state });
  return (result, receipt, log) => {
    const sealed = withSealedReceipt(result, receipt, log);
    if (result.certificationId === undefined) return sealed;
    try {
      return { ...sealed, proofBundle: build(result.certificationId) };
    } catch (error) {
      // A newer status change of the same record may still be unsealed; the receipt alone is still true.
      if (error instanceof ProblemError && error.code === 'PROOF_NOT_SEALED') return sealed;
      throw error;
    }
  };
}
