import { describe, expect, it } from 'vitest';
import { requireUtcIssuedAt } from '../../../src/application/auth/issued-at.js';

describe('requireUtcIssuedAt', () => {
  it.each([
    '2026-11-21T10:00:00Z',
    '2026-11-21T10:00:00.5Z',
    '2024-02-29T23:59:59.123456789Z',
  ])('accepts %s', (value) => expect(() => requireUtcIssuedAt(value)).not.toThrow());
  it.each([
    '2026-11-21T10:00:00+00:00',
    '2026-11-21T10:00:00-01:00',
    '2026-11-21t10:00:00Z',
    '2026-11-21T10:00:00z',
    '2026-02-30T10:00:00Z',
    '2026-11-21T24:00:00Z',
    '2026-11-21T10:00Z',
    '2026-11-21T10:00:00.Z',
  ])('refuses %s as ISSUED_AT_INVALID', (value) => {
    expect(() => requireUtcIssuedAt(value)).toThrow(/^ISSUED_AT_INVALID: issuedAt/);
  });
});
