import { isAbsolute, relative, resolve } from 'node:path';

/** What a finished command prints: `json` with --json, otherwise the human lines. */
export interface CommandResult {
  readonly json: unknown;
  readonly text: readonly string[];
  /** Exit status after printing; 0 when absent. `verify` prints its report and still fails with 1. */
  readonly exitCode?: number;
}

export function printResult(result: CommandResult, json: boolean, out: NodeJS.WritableStream): void {
  if (json) out.write(JSON.stringify(result.json, null, 2) + '\n');
  else if (result.text.length > 0) out.write(result.text.join('\n') + '\n');
}

/** Label/value rows with the values aligned, indented under a heading line. */
export function fieldLines(rows: readonly (readonly [string, string])[], indent = '  '): string[] {
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}`);
}

/** A path as a user would type it: relative when under the working directory, absolute otherwise. */
export function displayPath(path: string, cwd: string = process.cwd()): string {
  const absolute = resolve(cwd, path);
  const rel = relative(cwd, absolute);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? absolute : rel;
}

/** Quotes a shell word when it needs it, for copy-pasteable next-step hints. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
