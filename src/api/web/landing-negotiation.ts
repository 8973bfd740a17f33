/**
 * HTML for people, JSON for programs: whether a request would rather have an
 * HTML page than problem+json. Hand-written because it is a few lines over the
 * Accept header (RFC 9110 §12.5.1) and the one library that does media-type
 * negotiation here is only a transitive dependency. Ties go to JSON: a client
 * that says nothing (curl's star-slash-star) or lists JSON first keeps JSON.
 */

interface Preference {
  readonly type: string;
  readonly q: number;
  readonly order: number;
}

function preferences(accept: string): Preference[] {
  return accept.split(',').map((part, order) => {
    const [type = '', ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    return { type: type.trim(), q: Number.isFinite(q) ? q : 0, order };
  });
}

/** The best (highest q, then earliest) preference matching any of the types exactly; null for none. */
function best(prefs: readonly Preference[], types: readonly string[]): Preference | null {
  const matching = prefs.filter((p) => types.includes(p.type) && p.q > 0);
  matching.sort((a, b) => b.q - a.q || a.order - b.order);
  return matching[0] ?? null;
}

export function prefersHtml(accept: string | undefined): boolean {
  if (accept === undefined || accept === '') return false;
  const prefs = preferences(accept);
  const html = best(prefs, ['text/html', 'application/xhtml+xml']);
  if (html === null) return false;
  const json = best(prefs, ['application/json', 'application/problem+json']);
  return json === null || html.q > json.q || (html.q === json.q && html.order < json.order);
}
