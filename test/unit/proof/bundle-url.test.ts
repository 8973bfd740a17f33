import { describe, expect, it } from 'vitest';
import { bundleUrlOf } from '../../../src/cli/commands/verify.js';

const ID = 'crt_abcdefghijklmnopqrstuvwx';

describe('chancery verify: which URL holds the bundle', () => {
  it.each([
    [`https://node.example/p/${ID}`, `https://node.example/v1/proofs/${ID}`, ID],
    [`https://gov.example/chancery/p/${ID}/?utm=x#top`, `https://gov.example/chancery/v1/proofs/${ID}`, ID],
    [`http://127.0.0.1:8080/v1/proofs/${ID}`, `http://127.0.0.1:8080/v1/proofs/${ID}`, ID],
    ['https://mirror.example/bundles/latest.json', 'https://mirror.example/bundles/latest.json', undefined],
    ['https://node.example/p/not-an-id', 'https://node.example/p/not-an-id', undefined],
  ])('%s → %s', (input, bundleUrl, expectedId) => {
    const result = bundleUrlOf(new URL(input));
    expect(result.url.href).toBe(bundleUrl);
    expect(result.expectedId).toBe(expectedId);
  });
});
