import { ProblemError } from '../../application/problems/problem.js';

export interface ValidationIssue {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
  /** The offending value (ajv `verbose`). */
  data?: unknown;
}

/** How many schema errors one problem lists. */
const MAX_LISTED = 10;
/** A bad value is quoted in a problem only up to this many characters. */
const MAX_QUOTED = 80;

/**
 * A schema refusal that names the bad value and what is allowed: path
 * parameters get PARAMS_INVALID, everything else BODY_INVALID, with the first
 * issue in `detail` and up to ten in `errors`.
 */
export function validationProblem(issues: readonly ValidationIssue[], context: string): ProblemError {
  const errors = issues.slice(0, MAX_LISTED).map((v) => {
    // additionalProperties names the offending key in params, not in the path.
    const extra = v.keyword === 'additionalProperties' ? `/${String(v.params['additionalProperty'])}` : '';
    return { pointer: `${v.instancePath}${extra}`, message: issueMessage(v) };
  });
  const first = errors[0];
  const detail =
    first === undefined ? `the ${context} is invalid` : `${context}${first.pointer} ${first.message}`;
  return new ProblemError(context === 'params' ? 'PARAMS_INVALID' : 'BODY_INVALID', detail, { errors });
}

function issueMessage(v: ValidationIssue): string {
  if (v.keyword === 'enum' && Array.isArray(v.params['allowedValues'])) {
    return `is ${quote(v.data)}; allowed: ${v.params['allowedValues'].map(String).join(', ')}`;
  }
  if (v.keyword === 'const') return `is ${quote(v.data)}; allowed: ${String(v.params['allowedValue'])}`;
  return v.message ?? v.keyword;
}

function quote(value: unknown): string {
  const text = typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
}
