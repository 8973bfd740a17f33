import type { CertifiedBundle } from './signature-step.js';
import type { VerificationStep } from './verification-report.js';
import { ensure, step, text } from './verification-step.js';

export function documentStep(bundle: CertifiedBundle, digest: string): VerificationStep {
  return step('document', () => {
    // A batch entry signs the root; the record's digest is the leaf the batch step proved under it.
    const certified =
      bundle.batch === undefined
        ? text(bundle.entry.data['recordDigest'], 'the certified digest')
        : bundle.batch.recordDigest;
    ensure(
      digest.toLowerCase() === certified,
      `your document's SHA-256 is ${digest.toLowerCase()}, the certified one is ${certified}: it is a different document`,
    );
    return `Your document's SHA-256 is ${certified}, the certified digest.`;
  });
}
