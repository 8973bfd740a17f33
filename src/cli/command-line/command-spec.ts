import { parseArgs } from 'node:util';
import { UsageError } from './cli-errors.js';
import { closest } from './did-you-mean.js';
import type { CommandResult } from './output.js';

export const DEFAULT_NODE_URL = 'http://127.0.0.1:8080';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** The flag may repeat; its values arrive as a list. */
  readonly multiple?: boolean;
  /** Placeholder in usage lines, e.g. KEYFILE. */
  readonly value?: string;
  readonly required?: boolean;
  readonly description: string;
}

/**
 * Which shared flags a command takes: `client` commands talk to a node (--url,
 * --json), `local` ones only print (--json), `server` runs a node (neither).
 */
export type CommandScope = 'client' | 'local' | 'server';

export interface CommandSpec {
  /** As typed after `chancery`, e.g. `identity register`. */
  readonly name: string;
  readonly summary: string;
  /** Required positional arguments, by placeholder name. */
  readonly positionals?: readonly string[];
  /** Positional arguments that may follow the required ones, e.g. a search QUERY. */
  readonly optionalPositionals?: readonly string[];
  readonly options?: Readonly<Record<string, OptionSpec>>;
  readonly scope: CommandScope;
  /** Extra help paragraphs, printed after the options. */
  readonly details?: string;
  /** Returns what to print, or undefined when the command runs on (start). */
  run(args: CommandArgs): Promise<CommandResult | undefined>;
}

const SHARED_OPTIONS: Record<CommandScope, Record<string, OptionSpec>> = {
  client: {
    url: {
      type: 'string',
      value: 'URL',
      description: `node to talk to (default ${DEFAULT_NODE_URL}, env CHANCERY_URL)`,
    },
    json: { type: 'boolean', description: 'print one JSON object on stdout' },
  },
  local: { json: { type: 'boolean', description: 'print one JSON object on stdout' } },
  server: {},
};

const HELP_OPTION: OptionSpec = { type: 'boolean', description: 'show this help' };

function allOptions(spec: CommandSpec): Record<string, OptionSpec> {
  return { ...spec.options, ...SHARED_OPTIONS[spec.scope] };
}

/** The parsed command line of one command, with typed accessors. */
export class CommandArgs {
  constructor(
    readonly command: string,
    readonly positionals: readonly string[],
    private readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>,
    readonly json: boolean,
    /** The node URL for client commands (flag, then CHANCERY_URL, then the default). */
    readonly url: string,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  positional(index: number): string {
    const value = this.positionals[index];
    if (value === undefined) throw new UsageError('missing argument', this.command);
    return value;
  }

  string(name: string): string | undefined {
    const value = this.values[name];
    return typeof value === 'string' ? value : undefined;
  }

  /** A required flag; parseCommand has checked presence, this keeps the types honest. */
  required(name: string): string {
    const value = this.string(name);
    if (value === undefined) throw new UsageError(`missing --${name}`, this.command);
    return value;
  }

  strings(name: string): string[] {
    const value = this.values[name];
    if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
    return typeof value === 'string' ? [value] : [];
  }

  /** A repeatable list flag, which also takes comma-separated values: --role issuer,publisher. */
  list(name: string): string[] {
    return this.strings(name)
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter((v) => v !== '');
  }

  flag(name: string): boolean {
    return this.values[name] === true;
  }
}

export function wantsHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/** Parses argv (the words after the command name) against the spec; every mistake is a UsageError. */
export function parseCommand(
  spec: CommandSpec,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): CommandArgs {
  const options = allOptions(spec);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: Object.fromEntries(
        Object.entries(options).map(([name, o]) => [name, { type: o.type, multiple: o.multiple ?? false }]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(withSuggestion(parseErrorMessage(error), Object.keys(options)), spec.name);
  }

  const expected = spec.positionals ?? [];
  const extra = parsed.positionals[expected.length + (spec.optionalPositionals?.length ?? 0)];
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`, spec.name);
  const missingPositional = expected[parsed.positionals.length];
  if (missingPositional !== undefined) throw new UsageError(`missing ${missingPositional}`, spec.name);

  for (const [name, option] of Object.entries(options)) {
    if (option.required && parsed.values[name] === undefined) {
      throw new UsageError(`missing --${name} ${option.value ?? ''}`.trimEnd(), spec.name);
    }
  }

  const values = parsed.values as Record<string, string | boolean | (string | boolean)[] | undefined>;
  const url = spec.scope === 'client' ? nodeUrl(values['url'], env, spec.name) : '';
  return new CommandArgs(spec.name, parsed.positionals, values, values['json'] === true, url, env);
}

function nodeUrl(flag: unknown, env: NodeJS.ProcessEnv, command: string): string {
  const fromEnv = env['CHANCERY_URL'];
  const raw =
    typeof flag === 'string' ? flag : fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_NODE_URL;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new UsageError(`--url ${raw}: not a URL (expected e.g. ${DEFAULT_NODE_URL})`, command);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`--url ${raw}: only http and https URLs are supported`, command);
  }
  return raw.replace(/\/+$/, '');
}

/** Adds "did you mean --x?" to an unknown option's message when a known flag is one typo away. */
function withSuggestion(message: string, known: readonly string[]): string {
  const typed = /^unknown option --?([^=\s]+)/.exec(message)?.[1];
  const match = typed === undefined ? null : closest(typed, known);
  return match === null ? message : `${message}: did you mean --${match}?`;
}

/** node:util's messages name internals ("argument is ambiguous"); say what to type instead. */
function parseErrorMessage(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const flag = /'(-[^' ]+)/.exec(message)?.[1];
  if (flag === undefined) return message;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${flag}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (message.includes('does not take an argument')) return `${flag} does not take a value`;
    if (message.includes('ambiguous'))
      return `${flag} needs a value (for a value starting with '-', write ${flag}=VALUE)`;
    return `${flag} needs a value`;
  }
  return message;
}

export function usageLine(spec: CommandSpec): string {
  const words = [
    'chancery',
    spec.name,
    ...(spec.positionals ?? []),
    ...(spec.optionalPositionals ?? []).map((p) => `[${p}]`),
  ];
  const entries = Object.entries(allOptions(spec));
  const flag = (name: string, o: OptionSpec) =>
    `--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}${o.multiple ? '...' : ''}`;
  for (const [name, o] of entries) if (o.required) words.push(flag(name, o));
  for (const [name, o] of entries) if (!o.required) words.push(`[${flag(name, o)}]`);
  return words.join(' ');
}

export function helpText(spec: CommandSpec): string {
  const rows: [string, string][] = Object.entries(allOptions(spec)).map(([name, o]) => [
    `--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`,
    o.description + (o.multiple ? ' (repeatable)' : ''),
  ]);
  rows.push(['-h, --help', HELP_OPTION.description]);
  const width = Math.max(...rows.map(([left]) => left.length));
  const lines = [
    `usage: ${usageLine(spec)}`,
    '',
    spec.summary,
    '',
    'options:',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
  ];
  if (spec.details !== undefined) lines.push('', spec.details.trim());
  return lines.join('\n') + '\n';
}
