import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../src/domain/canonical/canonical-json.js';
import type { JsonValue, RecordedEvent } from '../../../src/infrastructure/eventstore/port.js';
import { logEntryOf, logLeafOf } from '../../../src/infrastructure/sequencer/log-entry.js';

const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('', '1', '10', 'a"b\\c'));
const json: fc.Arbitrary<JsonValue> = fc.jsonValue() as fc.Arbitrary<JsonValue>;

/** Metadata as the command service writes it (with the signed envelope), or odd shapes a store may hold. */
const metadata = fc.oneof(
  fc.record({
    commandId: text,
    actor: text,
    keyId: text,
    payloadDigest: text,
    envelope: fc.record({
      payload: fc.dictionary(text, json, { maxKeys: 8 }),
      signature: fc.record({ keyId: text, alg: fc.constant('Ed25519'), value: text }),
    }),
  }),
  fc.record({ commandId: text, actor: text, envelope: json }),
  fc.record({ commandId: text, actor: text }),
  fc.constant(null),
  json,
);

const event: fc.Arbitrary<RecordedEvent> = fc.record({
  stream: text,
  revision: fc.bigInt({ min: 0n, max: 2n ** 40n }),
  position: fc.bigInt({ min: 1n, max: 2n ** 40n }),
  type: text,
  data: json,
  metadata: metadata as fc.Arbitrary<JsonValue | null>,
  recordedAt: fc.constant('2025-01-01T00:00:00.000Z'),
});

describe('logLeafOf', () => {
  it('is the RFC 8785 form of the whole log entry, written from its parts', () => {
    fc.assert(
      fc.property(event, (e) => {
        expect(Buffer.from(logLeafOf(e)).toString('utf8')).toBe(
          Buffer.from(canonicalBytes(logEntryOf(e))).toString('utf8'),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps the four members in RFC 8785 order, envelope null when no command caused the event', () => {
    const leaf = logLeafOf({
      stream: 'certification-crt_x',
      revision: 0n,
      position: 7n,
      type: 'RecordCertified',
      data: { b: 1, a: [true, null] },
      metadata: null,
      recordedAt: '2025-01-01T00:00:00.000Z',
    });
    expect(new TextDecoder().decode(leaf)).toBe(
      '{"data":{"a":[true,null],"b":1},"envelope":null,"stream":"certification-crt_x","type":"RecordCertified"}',
    );
  });
});
