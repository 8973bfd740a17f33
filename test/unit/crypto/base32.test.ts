import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  batchIdFor,
  batchRecordIdFor,
  certificationIdFor,
} from '../../../src/domain/certification/certification-id.js';
import { encodeBase32 } from '../../../src/domain/crypto/base32.js';
import { entryIdFor, grantIdFor, requestIdFor } from '../../../src/domain/directory/directory-ids.js';

const ascii = (text: string) => new TextEncoder().encode(text);

describe('encodeBase32', () => {
  // RFC 4648 §10, lowercased and without the padding.
  it.each([
    ['', ''],
    ['f', 'my'],
    ['fo', 'mzxq'],
    ['foo', 'mzxw6'],
    ['foob', 'mzxw6yq'],
    ['fooba', 'mzxw6ytb'],
    ['foobar', 'mzxw6ytboi'],
  ])('encodes %j as %j (RFC 4648 test vector)', (input, expected) => {
    expect(encodeBase32(ascii(input))).toBe(expected);
  });

  it('encodes like an independent BigInt encoder, however long the input (fast-check)', () => {
    // Long inputs would overflow an unmasked 32-bit accumulator; the output must not depend on that.
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        let bits = 0n;
        for (const b of bytes) bits = (bits << 8n) | BigInt(b);
        const chars = Math.ceil((bytes.length * 8) / 5);
        bits <<= BigInt(chars * 5 - bytes.length * 8);
        let expected = '';
        for (let i = 0; i < chars; i++) {
          expected = 'abcdefghijklmnopqrstuvwxyz234567'[Number(bits & 31n)] + expected;
          bits >>= 5n;
        }
        expect(encodeBase32(bytes)).toBe(expected);
      }),
    );
  });
});

describe('derived ids', () => {
  // Pinned from the two encoders this one replaced (and checked with Python's base64.b32encode): stored
  // streams, proof URLs and receipts name these ids, so they must never change.
  it('keeps the certification and batch ids the earlier releases derived', () => {
    expect(certificationIdFor('TRANSPORT', 'cmd-1')).toBe('crt_gwyks2btw2npvlcjbjnlwerr');
    expect(certificationIdFor('HEALTH', 'cmd-0001')).toBe('crt_d4xz65toegp7afstpqhiioib');
    expect(certificationIdFor('', '')).toBe('crt_e6h4weflzgcofyxnwmvi3pjk');
    expect(certificationIdFor('教育厅', '命令-1')).toBe('crt_z7dihq3fhrccss6l57j2an2t');
    const batchId = batchIdFor('HEALTH', 'bulk-1');
    expect(batchId).toBe('bat_g3g6esekvmun4um3slmsorpm');
    expect(batchRecordIdFor(batchId, 0)).toBe('crt_u4my7qk6sqpmnowpt3do6vwh');
    expect(batchRecordIdFor(batchId, 99)).toBe('crt_l573qvmpnwqmpnang3p6r6qw');
  });

  it('keeps the directory ids the earlier releases derived', () => {
    expect(entryIdFor('HEALTH', 'cmd-1')).toBe('ent_cjh3fkeckymbbo7z2b4lukv5');
    const requestId = requestIdFor('TRANSPORT', 'cmd-2');
    expect(requestId).toBe('req_4hdqpyn6xbo2c3imsyy7pe3g');
    expect(grantIdFor(requestId)).toBe('grt_4hdqpyn6xbo2c3imsyy7pe3g');
  });
});
