import { CertificationError } from '../../domain/certification/certification-error.js';
import { DirectoryError } from '../../domain/directory/directory-error.js';
import { IdentityError } from '../../domain/identity/identity-error.js';
import { StoreOverloadedError, StoreUnavailableError } from '../../infrastructure/eventstore/port.js';
import { ProblemError } from '../problems/problem.js';

/** Domain error codes are named exactly as catalogue codes, so the mapping is by name. */
export function domainErrorToProblem(error: unknown): unknown {
  if (error instanceof CertificationError)
    return new ProblemError(error.code, error.message, { ...error.details });
  if (error instanceof IdentityError || error instanceof DirectoryError) {
    return new ProblemError(error.code, error.message);
  }
  return error;
}

export function storeErrorToProblem(error: unknown): unknown {
  // Backpressure first: the sqlite adapter's overload error is a kind of StoreUnavailableError.
  if (error instanceof StoreOverloadedError) {
    return new ProblemError('STORE_OVERLOADED', error.message, {}, error.retryAfterSeconds);
  }
  if (error instanceof StoreUnavailableError) {
    return new ProblemError('STORE_UNAVAILABLE', error.message, {}, 5);
  }
  return error;
}
