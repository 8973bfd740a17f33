/**
 * What an identity may do. `authority` is held only by the root identity made
 * at genesis; it registers, accredits and revokes the others.
 */
export const ROLES = ['authority', 'issuer', 'publisher', 'consumer'] as const;
export type Role = (typeof ROLES)[number];

/** Roles the authority may hand out. A second authority cannot be minted through the API. */
export const ASSIGNABLE_ROLES = ['issuer', 'publisher', 'consumer'] as const satisfies readonly Role[];
