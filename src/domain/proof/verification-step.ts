import { decodeBase64, LogProofError } from '../log/index.js';
import type { JsonValue } from '../shared/json.js';
import { STEP_LABELS, type VerificationStep, type VerificationStepId } from './verification-report.js';

/** A check that failed, with a message fit to show as the step's detail. */
export class StepFailure extends Error {}

export function ensure(condition: boolean, message: string): asserts condition {
  if (!condition) throw new StepFailure(message);
}

/** Runs one check: what it returns is the step's detail, what it throws is why the step failed. */
export function step(id: VerificationStepId, check: () => string): VerificationStep {
  try {
    return { id, label: STEP_LABELS[id], ok: true, detail: check() };
  } catch (error) {
    // Only our own failures and the log library's typed errors are expected; anything else is still a failure.
    const detail =
      error instanceof StepFailure || error instanceof LogProofError
        ? error.message
        : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
    return { id, label: STEP_LABELS[id], ok: false, detail };
  }
}

/** A string field of the bundle, or the step fails saying which one is missing. */
export function text(value: JsonValue | undefined, what: string): string {
  ensure(typeof value === 'string', `${what} is missing`);
  return value;
}

/** The base64 SHA-256 hashes of a proof path, or the step fails naming the first unreadable one. */
export function decodeHashes(hashes: readonly string[], what: string): Uint8Array[] {
  return hashes.map((hash, i) => {
    const bytes = decodeBase64(hash);
    ensure(bytes !== undefined && bytes.length === 32, `${what} hash ${i} is not base64 of 32 bytes`);
    return bytes;
  });
}
