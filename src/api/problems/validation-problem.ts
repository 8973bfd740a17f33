import { ProblemError } from '../../application/problems/problem.js';
import { issueMessage, issuePointer, type SchemaIssue } from '../../application/problems/schema-issue.js';

export type ValidationIssue = SchemaIssue;

/** How many schema errors one problem lists. */
const MAX_LISTED = 10;

/**
 * A schema refusal that names the bad value and what is allowed: path
 * parameters get PARAMS_INVALID, everything else BODY_INVALID, with the first
 * issue in `detail` and up to ten in `errors`.
 */
export function validationProblem(issues: readonly ValidationIssue[], context: string): ProblemError {
  const errors = issues
    .slice(0, MAX_LISTED)
    .map((v) => ({ pointer: issuePointer(v), message: issueMessage(v) }));
  const first = errors[0];
  const detail =
    first === undefined ? `the ${context} is invalid` : `${context}${first.pointer} ${first.message}`;
  return new ProblemError(context === 'params' ? 'PARAMS_INVALID' : 'BODY_INVALID', detail, { errors });
}
