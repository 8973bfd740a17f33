import { describe, expect, it } from 'vitest';
import { formatVerifierKey, SIGNATURE_TYPE_ED25519 } from '../../../src/domain/log/index.js';
import { resolveFederationConfig } from '../../../src/infrastructure/federation/federation-config.js';
import { generateKeyPair } from '../../../src/protocol/key-pair.js';

const mirror = {
  role: 'mirror',
  upstream: ['http://127.0.0.1:8080'],
  trust: formatVerifierKey('example.test/log', SIGNATURE_TYPE_ED25519, generateKeyPair().publicKey),
};

describe('how a mirror reads its upstream', () => {
  it('is tiles unless told otherwise, by flag over environment', () => {
    expect(resolveFederationConfig(mirror, {}).mirrorSync).toBe('tiles');
    expect(resolveFederationConfig(mirror, { CHANCERY_MIRROR_SYNC: 'entries' }).mirrorSync).toBe('entries');
    expect(
      resolveFederationConfig({ ...mirror, mirrorSync: 'tiles' }, { CHANCERY_MIRROR_SYNC: 'entries' })
        .mirrorSync,
    ).toBe('tiles');
  });

  it('refuses anything else, naming what is allowed', () => {
    expect(() => resolveFederationConfig({ ...mirror, mirrorSync: 'json' }, {})).toThrow(
      'invalid mirror sync: json (expected tiles or entries)',
    );
  });
});
