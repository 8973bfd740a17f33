/**
 * Canonical padded base64 (RFC 4648 §4) through Buffer, which decodes natively
 * but forgivingly: it skips characters outside the alphabet and accepts
 * missing padding or non-zero trailing bits. Re-encoding and comparing holds
 * it to the one canonical spelling the domain's decoder accepts, at Buffer's
 * speed (a million-record batch is 43 MB of base64 in its events).
 */
export function decodeStrictBase64(text: string): Buffer | null {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

/** Canonical padded base64 of bytes, natively: what the domain's encodeBase64 spells, several times faster. */
export function encodeBase64Natively(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
