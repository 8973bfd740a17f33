/**
 * The few facts of a bundle that the page's headline names: who issued the
 * record, its validity dates and the entry that changed its status. The
 * bundle arrived over the network, so every field is read defensively; the
 * headline uses them only once the verifier has proven them (see
 * citizen-headline.ts), so a forged field never reaches the reader as fact.
 */

export interface StatusChange {
  /** RFC 3339 time the department gave. */
  readonly at: string;
  /** The identity that changed the status. */
  readonly by: string;
  readonly reason: string;
}

export interface BundleFacts {
  readonly issuer?: string;
  readonly validFrom?: string;
  readonly validUntil?: string | null;
  /** The entry that set the current status, when it was not the certification itself. */
  readonly statusChange?: StatusChange;
}

type Loose = Record<string, unknown>;

function objectAt(value: unknown, name: string): Loose | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const field = (value as Loose)[name];
  return field !== null && typeof field === 'object' && !Array.isArray(field) ? (field as Loose) : undefined;
}

function textAt(value: Loose | undefined, name: string): string | undefined {
  const field = value?.[name];
  return typeof field === 'string' ? field : undefined;
}

function statusChangeOf(bundle: unknown): StatusChange | undefined {
  const data = objectAt(objectAt(objectAt(bundle, 'statusEntry'), 'entry'), 'data');
  const at = textAt(data, 'at');
  const by = textAt(data, 'by');
  const reason = textAt(data, 'reason');
  return at === undefined || by === undefined || reason === undefined ? undefined : { at, by, reason };
}

export function bundleFacts(bundle: unknown): BundleFacts {
  const data = objectAt(objectAt(bundle, 'entry'), 'data');
  const issuer = textAt(data, 'issuerId');
  const validFrom = textAt(data, 'validFrom');
  const validUntil = data?.['validUntil'] === null ? null : textAt(data, 'validUntil');
  const statusChange = statusChangeOf(bundle);
  return {
    ...(issuer === undefined ? {} : { issuer }),
    ...(validFrom === undefined ? {} : { validFrom }),
    ...(validUntil === undefined ? {} : { validUntil }),
    ...(statusChange === undefined ? {} : { statusChange }),
  };
}

/** Why a record is outside its validity period at `now` (ms), or 'unreadable' when its dates are not dates. */
export function validityProblem(
  facts: BundleFacts,
  now: number,
): 'not-yet-valid' | 'expired' | 'unreadable' | undefined {
  const from = facts.validFrom === undefined ? Number.NaN : Date.parse(facts.validFrom);
  const until =
    facts.validUntil === null
      ? Number.POSITIVE_INFINITY
      : facts.validUntil === undefined
        ? Number.NaN
        : Date.parse(facts.validUntil);
  if (Number.isNaN(from) || Number.isNaN(until)) return 'unreadable';
  if (now < from) return 'not-yet-valid';
  if (now >= until) return 'expired';
  return undefined;
}
