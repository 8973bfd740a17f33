/**
 * Who may read an access request. A request names a purpose (why a department
 * wants another's data); only the two departments it concerns may read it:
 * the entry's owner and the requester. Reads are RFC 9421-signed so the node
 * knows who asks; an unsigned read learns nothing.
 */

import type {
  AccessRequestView,
  RequestFilter,
} from '../../infrastructure/projections/sharing-read-model.js';
import type { VerifiedRequest } from '../auth/verify-request.js';
import { ProblemError } from '../problems/problem.js';

/** The signing department's id; an unsigned read is refused before anything is looked up. */
export function requestReader(verified: VerifiedRequest | null, what: string): string {
  if (verified === null)
    throw new ProblemError(
      'SIGNATURE_MISSING',
      `${what} is for the entry's owner and the requester: sign the request (RFC 9421) with your department's key`,
    );
  return verified.actor.identityId;
}

/** The request, if the reader is its owner or requester. */
export function visibleRequest(view: AccessRequestView, reader: string): AccessRequestView {
  if (view.ownerId !== reader && view.requesterId !== reader)
    throw new ProblemError(
      'REQUEST_NOT_VISIBLE',
      `access request ${view.requestId} concerns ${view.ownerId} and ${view.requesterId}; ${reader} may not read it`,
    );
  return view;
}

/**
 * Narrows a listing to the reader's own requests. Naming another department as owner or requester
 * is refused unless the reader is the other side: a listing never widens past the reader.
 */
export function visibleFilter(filter: RequestFilter, reader: string): RequestFilter {
  for (const [name, id] of [
    ['owner', filter.ownerId],
    ['requester', filter.requesterId],
  ] as const) {
    if (id !== undefined && id !== reader && filter.ownerId !== reader && filter.requesterId !== reader)
      throw new ProblemError(
        'REQUEST_NOT_VISIBLE',
        `${name}=${id}: ${reader} may list only requests it made or received (owner=${reader} or requester=${reader})`,
      );
  }
  const namesReader = filter.ownerId === reader || filter.requesterId === reader;
  return namesReader ? filter : { ...filter, partyId: reader };
}
