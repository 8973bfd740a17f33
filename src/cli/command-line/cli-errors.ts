/**
 * The CLI's own failures. Each maps to an exit code: usage mistakes exit 2 so
 * scripts can tell "you called me wrong" from "the node said no" (exit 1).
 */

/** The command line itself is wrong: unknown command or flag, missing argument, malformed value. */
export class UsageError extends Error {
  /** The command whose usage line to print, e.g. `identity register`; undefined for the root. */
  command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/** A local runtime failure with a message fit to print as is (unreadable file, unregistered key, ...). */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** The node did not answer at all: refused, unresolvable, reset. */
export class NodeUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`cannot reach node at ${url}: ${reason}`);
    this.name = 'NodeUnreachableError';
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
