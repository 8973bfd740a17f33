/**
 * Standard base64 as every C2SP format in this folder uses it. One strict
 * implementation lives in src/domain/crypto/base64.ts; this module gives the
 * log code its `undefined`-on-failure form.
 */
import { decodeBase64 as decodeOrNull, encodeBase64 } from '../crypto/base64.js';

export { encodeBase64 };

/** Decodes canonical padded base64, or returns undefined (see src/domain/crypto/base64.ts for what is refused). */
export function decodeBase64(text: string): Uint8Array | undefined {
  return decodeOrNull(text) ?? undefined;
}
