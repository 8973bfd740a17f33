import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalBytes, canonicalJson } from '../../../src/domain/canonical/canonical-json.js';
import { SignedPayloadTexts } from '../../../src/domain/canonical/signed-payload-texts.js';
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

  const signed = fc.record({
    payload: fc.dictionary(text, json, { maxKeys: 8 }),
    signature: fc.record({ keyId: text, alg: fc.constant('Ed25519'), value: text }),
  });
  const signedEvent = (envelope: JsonValue): RecordedEvent => ({
    stream: 'certification-crt_x',
    revision: 0n,
    position: 7n,
    type: 'RecordCertified',
    data: { a: 1 },
    metadata: { actor: 'TRANSPORT', commandId: 'c-1', envelope },
    recordedAt: '2025-01-01T00:00:00.000Z',
  });
  const leafText = (e: RecordedEvent, texts?: SignedPayloadTexts) =>
    Buffer.from(logLeafOf(e, texts)).toString('utf8');
  const canonicalText = (e: RecordedEvent) => Buffer.from(canonicalBytes(logEntryOf(e))).toString('utf8');

  it('writes the same bytes when the payload text comes from its signature check', () => {
    fc.assert(
      fc.property(signed, (envelope) => {
        const texts = new SignedPayloadTexts();
        // The event store hands the projector a parsed copy, not the object that was checked.
        texts.remember(envelope.signature.value, envelope.payload, canonicalJson(envelope.payload));
        const e = signedEvent(JSON.parse(JSON.stringify(envelope)) as JsonValue);
        expect(leafText(e, texts)).toBe(canonicalText(e));
      }),
      { numRuns: 500 },
    );
  });

  it('writes its own payload when another was checked under the same signature value (a replayed signature)', () => {
    fc.assert(
      fc.property(signed, fc.dictionary(text, json, { maxKeys: 8 }), (checked, other) => {
        const texts = new SignedPayloadTexts();
        texts.remember(checked.signature.value, checked.payload, canonicalJson(checked.payload));
        const e = signedEvent({ payload: other, signature: checked.signature });
        expect(leafText(e, texts)).toBe(canonicalText(e));
      }),
      { numRuns: 500 },
    );
    // The shrunk case spelled out: same signature value, a payload that differs in one member.
    const texts = new SignedPayloadTexts();
    const signature = { keyId: 'k', alg: 'Ed25519', value: 'c2ln' };
    texts.remember('c2ln', { amount: 1 }, '{"amount":1}');
    const e = signedEvent({ payload: { amount: 2 }, signature });
    expect(leafText(e, texts)).toContain('"envelope":{"payload":{"amount":2},"signature":');
  });

  it('writes an envelope with a member beside payload and signature whole', () => {
    const texts = new SignedPayloadTexts();
    texts.remember('c2ln', { amount: 1 }, '{"amount":1}');
    const e = signedEvent({
      payload: { amount: 1 },
      signature: { keyId: 'k', alg: 'Ed25519', value: 'c2ln' },
      extra: true,
    });
    expect(leafText(e, texts)).toBe(canonicalText(e));
    expect(leafText(e, texts)).toContain('"extra":true');
  });
});
