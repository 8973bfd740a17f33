import { CertificationError } from '../../domain/certification/certification-error.js';
import { IdentityError } from '../../domain/identity/identity-error.js';
import { StoreUnavailableError } from '../../infrastructure/eventstore/port.js';
import { ProblemError } from '../problems/problem.js';

/** Domain error codes are named exactly as catalogue codes, so the mapping is by name. */
export function domainErrorToProblem(error: unknown): unknown {
  if (error instanceof IdentityError || error instanceof CertificationError) {
    return new ProblemError(error.code, error.message);
  }
  return error;
}

export function storeErrorToProblem(error: unknown): unknown {
  if (error instanceof StoreUnavailableError) {
    return new ProblemError('STORE_UNAVAILABLE', error.message, {}, 5);
  }
  // The sqlite adapter's backpressure error: the queue of pending appends is full.
  if (error instanceof Error && (error as { code?: string }).code === 'STORE_OVERLOADED') {
    return new ProblemError('STORE_OVERLOADED', error.message, {}, 1);
  }
  return error;
}
