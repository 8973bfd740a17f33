import { fromHex } from '../crypto/hex.js';
import { decodeBase64, hashesEqual, LogProofError, verifyBatchPath } from '../log/index.js';
import type { CertifiedBundle } from './signature-step.js';
import type { VerificationStep } from './verification-report.js';
import { decodeHashes, ensure, StepFailure, step, text } from './verification-step.js';

export function batchStep(bundle: CertifiedBundle): VerificationStep {
  return step('batch', () => {
    const { batch, entry } = bundle;
    ensure(entry.type === 'BatchCertified', `the entry is a ${entry.type} event, which certifies no batch`);
    ensure(batch !== undefined, 'the entry certifies a batch, but the bundle gives no path into it');
    const signedRoot = fromHex(text(entry.data['batchRoot'], 'the signed batch root'));
    ensure(
      signedRoot !== null && signedRoot.length === 32,
      'the signed batch root is not a hex SHA-256 hash',
    );
    const root = decodeBase64(batch.root);
    // The bundle's copy of the root is a convenience; only the signed one counts.
    ensure(
      root !== undefined && hashesEqual(root, signedRoot),
      'the batch root in the bundle is not the one the department signed',
    );
    ensure(
      entry.data['count'] === batch.count,
      `the bundle says the batch has ${batch.count} records, the signed entry says ${String(entry.data['count'])}`,
    );
    const digest = fromHex(batch.recordDigest);
    ensure(
      digest !== null && digest.length === 32,
      'the record digest is not a lower-case hex SHA-256 digest',
    );
    const path = decodeHashes(batch.path, 'batch path');
    try {
      verifyBatchPath(digest, batch.index, batch.count, path, signedRoot);
    } catch (error) {
      if (error instanceof LogProofError && error.code === 'INCLUSION_PROOF_INVALID') {
        throw new StepFailure(
          'the batch path does not lead to the signed batch root: the record digest or the path was altered',
        );
      }
      throw error;
    }
    return `Record ${batch.index + 1} of the ${batch.count} in batch ${String(entry.data['batchId'])}: its digest leads to the batch root the department signed.`;
  });
}
