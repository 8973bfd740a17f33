import { derivedId } from '../crypto/derived-id.js';

/**
 * Directory ids are derived from who asked and their command id, like
 * certification ids: a retried command lands on the same stream and cannot
 * publish or request twice.
 */
export function entryIdFor(actor: string, commandId: string): string {
  return derivedId('ent_', `chancery/directory-entry\n${actor}\n${commandId}`);
}

export function requestIdFor(actor: string, commandId: string): string {
  return derivedId('req_', `chancery/access-request\n${actor}\n${commandId}`);
}

/**
 * A request is granted at most once, so its grant is named after it: the
 * grant id tells which request stream holds it without a lookup.
 */
export function grantIdFor(requestId: string): string {
  return 'grt_' + requestId.slice(4);
}

export function requestIdOfGrant(grantId: string): string {
  return 'req_' + grantId.slice(4);
}

export const ENTRY_ID_PATTERN = '^ent_[a-z2-7]{24}$';
export const REQUEST_ID_PATTERN = '^req_[a-z2-7]{24}$';
export const GRANT_ID_PATTERN = '^grt_[a-z2-7]{24}$';
