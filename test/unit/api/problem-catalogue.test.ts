import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROBLEM_CATALOGUE, problemType } from '../../../src/application/problems/catalogue.js';
import { ProblemError } from '../../../src/application/problems/problem.js';
import type { CertificationError } from '../../../src/domain/certification/certification-error.js';
import type { IdentityError } from '../../../src/domain/identity/identity-error.js';

const docs = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

function documentedRows(): Map<string, { status: number; title: string; type: string }> {
  const rows = new Map<string, { status: number; title: string; type: string }>();
  for (const line of docs.split('\n')) {
    // Cells are trimmed: the formatter pads the table's columns.
    const cells = line.split('|').map((c) => c.trim());
    const m = /^`([A-Z_]+)`$/.exec(cells[1] ?? '');
    if (m && cells.length === 6) {
      rows.set(m[1]!, { status: Number(cells[2]), title: cells[3]!, type: cells[4]!.replaceAll('`', '') });
    }
  }
  return rows;
}

describe('problem catalogue', () => {
  it('docs/errors.md lists exactly the catalogue, with the same status, title and type', () => {
    const documented = documentedRows();
    const expected = new Map(
      Object.entries(PROBLEM_CATALOGUE).map(([code, e]) => [
        code,
        { status: e.status, title: e.title, type: problemType(code as never) },
      ]),
    );
    expect(documented).toEqual(expected);
  });

  it('maps every status into the 4xx/5xx range', () => {
    for (const entry of Object.values(PROBLEM_CATALOGUE)) {
      expect(entry.status).toBeGreaterThanOrEqual(400);
      expect(entry.status).toBeLessThan(600);
    }
  });

  it('has a catalogue entry for every domain error code, so the mapping by name cannot miss', () => {
    // Records keyed by the closed unions: adding a domain code without listing it here fails the typecheck.
    const identityCodes: Record<IdentityError['code'], true> = {
      IDENTITY_ALREADY_EXISTS: true,
      IDENTITY_NOT_FOUND: true,
      IDENTITY_REVOKED: true,
      PARENT_NOT_FOUND: true,
      KEY_ALREADY_REGISTERED: true,
      KEY_NOT_ACTIVE: true,
      AUTHORITY_NOT_REVOCABLE: true,
      ROLE_MISSING: true,
      ROLE_NOT_ASSIGNABLE: true,
      NOT_AN_ISSUER: true,
    };
    const certificationCodes: Record<CertificationError['code'], true> = {
      CERTIFICATION_ALREADY_EXISTS: true,
      RECORD_ALREADY_CERTIFIED: true,
      CERTIFICATION_NOT_FOUND: true,
      INVALID_STATUS_TRANSITION: true,
      NOT_ISSUER: true,
      ROLE_MISSING: true,
      ACCREDITATION_MISSING: true,
      ACTOR_REVOKED: true,
      VALIDITY_WINDOW_INVALID: true,
      BATCH_ROOT_MISMATCH: true,
      BATCH_COUNT_MISMATCH: true,
    };
    for (const code of [...Object.keys(identityCodes), ...Object.keys(certificationCodes)])
      expect(PROBLEM_CATALOGUE).toHaveProperty(code);
  });

  it('renders an RFC 9457 body with the stable code', () => {
    expect(new ProblemError('KEY_RETIRED', 'key k was retired').toBody('/v1/x')).toEqual({
      type: 'urn:chancery:problem:key-retired',
      title: 'The key was retired by a rotation',
      status: 401,
      code: 'KEY_RETIRED',
      detail: 'key k was retired',
      instance: '/v1/x',
    });
  });
});
