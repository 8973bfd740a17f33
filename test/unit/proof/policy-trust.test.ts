import { describe, expect, it } from 'vitest';
import { FederationError, parseTrustPolicy } from '../../../src/domain/federation/index.js';

const KEY = Buffer.alloc(32, 7).toString('base64');
const OTHER = Buffer.alloc(32, 9).toString('base64');

describe('trust policy: the authority key and the maximum age (Chancery lines beside C2SP tlog-policy)', () => {
  it('reads authority keys and a max-age', () => {
    const policy = parseTrustPolicy(`authority ${KEY}\nauthority ${OTHER}\nmax-age 86400\nquorum none\n`);
    expect(policy.authorities).toEqual([KEY, OTHER]);
    expect(policy.maxAgeSeconds).toBe(86_400);
  });

  it('a policy without them pins no authority and sets no age', () => {
    const policy = parseTrustPolicy('quorum none\n');
    expect(policy.authorities).toEqual([]);
    expect(policy.maxAgeSeconds).toBeNull();
  });

  it.each([
    [
      'a short key',
      'authority AAAA\nquorum none\n',
      'policy line 1: expected: authority <base64 of a 32-byte Ed25519 public key>',
    ],
    // The last character of 32 bytes in base64 carries 4 bits and 2 zero bits: 'B' would be a second spelling of 'A'.
    [
      'a non-canonical key',
      `authority ${KEY.slice(0, 42)}B=\nquorum none\n`,
      'policy line 1: expected: authority <base64 of a 32-byte Ed25519 public key>',
    ],
    [
      'a key twice',
      `authority ${KEY}\nauthority ${KEY}\nquorum none\n`,
      'policy line 2: authority key listed twice',
    ],
    [
      'a zero max-age',
      'max-age 0\nquorum none\n',
      'policy line 1: expected: max-age <seconds>, a whole number from 1 to 999999999',
    ],
    [
      'a max-age with a unit',
      'max-age 1d\nquorum none\n',
      'policy line 1: expected: max-age <seconds>, a whole number from 1 to 999999999',
    ],
    [
      'two max-age lines',
      'max-age 1\nmax-age 2\nquorum none\n',
      'policy line 2: a policy has at most one max-age line',
    ],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseTrustPolicy(text)).toThrow(FederationError);
    expect(() => parseTrustPolicy(text)).toThrow(message);
  });
});
