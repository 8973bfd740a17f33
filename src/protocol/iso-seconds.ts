/**
 * RFC 3339 UTC in whole seconds (2026-11-21T10:00:00Z), the form signed
 * payloads carry: shorter than toISOString()'s milliseconds and just as exact
 * for what a person signs. No imports, so the browser bundle can use it too.
 */
export function isoSeconds(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
