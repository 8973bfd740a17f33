import { canonicallyEqual } from './canonical-json.js';

/**
 * The RFC 8785 text of signed payloads whose signatures were just checked,
 * kept for the log leaves that hold them again. A certification's payload is
 * written canonically once to check its signature and once more inside its
 * leaf's envelope; with the `canonicalize` package (4.x, the last that runs on
 * Node 20), which allocates a Set for every member and scalar it writes, the
 * second time cost some 10 µs and 8 KB of garbage per certification.
 *
 * A leaf asks by the envelope's signature value and gets the text only when
 * its payload is canonically equal to the one remembered (canonicallyEqual: a
 * walk that writes nothing). Whoever sends or relays an envelope with a
 * signature value seen before and another payload (a replayed signature, a
 * forged upstream entry) gets that payload written afresh: no leaf can borrow
 * bytes it does not hold.
 */
export class SignedPayloadTexts {
  private readonly texts = new Map<string, { readonly payload: unknown; readonly text: string }>();

  constructor(
    /**
     * Payloads kept at most. A text waits only from its check to its leaf (milliseconds); what stays
     * is a write refused after its check, the oldest going first.
     */
    private readonly capacity = 1024,
    /** Longer texts are not kept (a bulk slice's): they would cost memory for little time. */
    private readonly maxTextLength = 16 * 1024,
  ) {}

  /**
   * `text` is the RFC 8785 form of `payload`, over which `signatureValue` verified. The payload is
   * frozen, deeply: code that changed it after its check would make the leaf (the text checked)
   * disagree with the stored event (the changed payload), so such code now throws instead.
   */
  remember(signatureValue: string, payload: unknown, text: string): void {
    if (text.length > this.maxTextLength) return;
    deepFreeze(payload);
    if (this.texts.size >= this.capacity && !this.texts.has(signatureValue)) {
      this.texts.delete(this.texts.keys().next().value!);
    }
    this.texts.set(signatureValue, { payload, text });
  }

  /**
   * The RFC 8785 text of `payload`, if it was remembered under `signatureValue`; otherwise
   * undefined. A text is given once: its leaf is written once, and keeping it longer would only
   * carry the payload into V8's old generation. (The second and later events of a write of several
   * write their envelope whole, as before.)
   */
  take(signatureValue: string, payload: unknown): string | undefined {
    const known = this.texts.get(signatureValue);
    if (known === undefined || !canonicallyEqual(known.payload, payload)) return undefined;
    this.texts.delete(signatureValue);
    return known.text;
  }

  get size(): number {
    return this.texts.size;
  }
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const member of Object.values(value)) deepFreeze(member);
}
