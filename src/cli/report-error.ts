import { ChanceryProblemError } from '../client/index.js';
import {
  CliError,
  EXIT_FAILURE,
  EXIT_USAGE,
  NodeUnreachableError,
  UsageError,
} from './command-line/cli-errors.js';

/**
 * Refusals of what the user typed (a value outside its schema or format): usage errors, exit 2 as
 * documented, like the CLI's own flag checks. Everything else the node refuses exits 1.
 */
const USAGE_PROBLEMS = new Set([
  'BODY_INVALID',
  'PARAMS_INVALID',
  'QUERY_INVALID',
  'BODY_NOT_I_JSON',
  'BODY_TOO_DEEP',
  'ISSUED_AT_INVALID',
]);

/**
 * Prints a failure on stderr and returns the exit code. A refusal from the
 * node prints `error CODE: detail` and its field errors, or with --json the
 * problem body itself, so scripts can branch on `code`.
 */
export function reportError(
  error: unknown,
  options: { json: boolean; usage?: (command: string | undefined) => string; debug?: boolean },
  err: NodeJS.WritableStream,
): number {
  if (error instanceof UsageError) {
    err.write(`error: ${error.message}\n`);
    if (options.usage !== undefined) err.write(options.usage(error.command));
    return EXIT_USAGE;
  }
  if (error instanceof ChanceryProblemError) {
    const { problem } = error;
    const exitCode = USAGE_PROBLEMS.has(problem.code) ? EXIT_USAGE : EXIT_FAILURE;
    if (options.json) {
      err.write(JSON.stringify(problem) + '\n');
      return exitCode;
    }
    err.write(`error ${problem.code}: ${problem.detail}\n`);
    for (const item of Array.isArray(problem.errors) ? problem.errors : []) {
      // Upload refusals name the failing record as well as the pointer inside it.
      const record = typeof item.record === 'number' ? `record ${item.record} ` : '';
      err.write(
        `  ${record}${item.pointer === '' ? (record === '' ? '(body)' : '(the record)') : item.pointer}: ${item.message}\n`,
      );
    }
    return exitCode;
  }
  if (error instanceof NodeUnreachableError || error instanceof CliError) {
    err.write(`${error instanceof CliError ? 'error: ' : ''}${error.message}\n`);
    return EXIT_FAILURE;
  }
  const message = error instanceof Error ? error.message : String(error);
  err.write(`error: ${message}\n`);
  if (options.debug && error instanceof Error && error.stack !== undefined) err.write(error.stack + '\n');
  return EXIT_FAILURE;
}
