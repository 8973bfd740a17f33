/**
 * How a JSON Schema (ajv) error reads in a problem: a JSON pointer to the bad
 * value and a message that names the value and what is allowed. Shared by the
 * API's body and parameter refusals and by the records of dataset uploads.
 */

/** One ajv error; `data` is the offending value (ajv `verbose`). */
export interface SchemaIssue {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
  data?: unknown;
}

/** A bad value is quoted in a problem only up to this many characters. */
const MAX_QUOTED = 80;

/** Keywords about the value itself (not about a key it lacks or has too many of): its message names it. */
const ABOUT_THE_VALUE = new Set([
  'type',
  'pattern',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
]);

/** The pointer to the bad value; additionalProperties names the offending key in params, not in the path. */
export function issuePointer(issue: SchemaIssue): string {
  const extra =
    issue.keyword === 'additionalProperties' ? `/${String(issue.params['additionalProperty'])}` : '';
  return `${issue.instancePath}${extra}`;
}

/** enum and const name the value and the allowed ones; everything else is ajv's message. */
export function issueMessage(issue: SchemaIssue): string {
  if (issue.keyword === 'enum' && Array.isArray(issue.params['allowedValues'])) {
    return `is ${quote(issue.data)}; allowed: ${issue.params['allowedValues'].map(String).join(', ')}`;
  }
  if (issue.keyword === 'const')
    return `is ${quote(issue.data)}; allowed: ${String(issue.params['allowedValue'])}`;
  return issue.message ?? issue.keyword;
}

/**
 * issueMessage, and for the keywords about the value itself (type, pattern,
 * format, bounds) the value first: `is "12"; must be integer`. Used where the
 * reader cannot see the value next to the message (a record deep in an upload).
 */
export function issueMessageWithValue(issue: SchemaIssue): string {
  const message = issueMessage(issue);
  if (!ABOUT_THE_VALUE.has(issue.keyword) || !('data' in issue)) return message;
  return `is ${quote(issue.data)}; ${message}`;
}

export function quote(value: unknown): string {
  const text = typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
}
