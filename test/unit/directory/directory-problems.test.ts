import { describe, expect, it } from 'vitest';
import { PROBLEM_CATALOGUE } from '../../../src/application/problems/catalogue.js';
import type { DirectoryError } from '../../../src/domain/directory/directory-error.js';

describe('directory problem codes', () => {
  it('has a catalogue entry for every directory error code, so the mapping by name cannot miss', () => {
    // Keyed by the closed union: adding a DirectoryError code without listing it here fails the typecheck.
    const codes: Record<DirectoryError['code'], true> = {
      ENTRY_ALREADY_EXISTS: true,
      ENTRY_NOT_FOUND: true,
      ENTRY_WITHDRAWN: true,
      NOT_OWNER: true,
      ROLE_MISSING: true,
      ACTOR_REVOKED: true,
      SCHEMA_CHANGED: true,
      COVERAGE_INVALID: true,
      LANGUAGE_UNKNOWN: true,
      OWN_DATASET: true,
      REQUEST_ALREADY_EXISTS: true,
      REQUEST_NOT_FOUND: true,
      REQUEST_NOT_PENDING: true,
      GRANT_NOT_FOUND: true,
      GRANT_NOT_ACTIVE: true,
      EXPIRY_INVALID: true,
      VERSION_NOT_FOUND: true,
      ACCESS_NOT_GRANTED: true,
      GRANT_EXPIRED: true,
      GRANT_REVOKED: true,
      GRANT_HOLDER_MISMATCH: true,
      VERSION_NOT_IN_GRANT_SCOPE: true,
    };
    for (const code of Object.keys(codes)) expect(PROBLEM_CATALOGUE).toHaveProperty(code);
  });
});
