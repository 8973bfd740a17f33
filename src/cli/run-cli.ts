import { EXIT_OK, EXIT_USAGE, UsageError } from './command-line/cli-errors.js';
import {
  type CommandSpec,
  helpText,
  parseCommand,
  usageLine,
  wantsHelp,
} from './command-line/command-spec.js';
import { printResult } from './command-line/output.js';
import { COMMANDS, GROUPS, groupHelp, rootHelp } from './command-table.js';
import { reportError } from './report-error.js';

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Runs one command line. Resolves to the exit code, or to undefined when the
 * command keeps running (start) and owns the process's exit from then on.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number | undefined> {
  let spec: CommandSpec | undefined;
  let json = argv.includes('--json');
  const usageHint = (): string =>
    spec === undefined
      ? "run 'chancery --help' for the list of commands\n"
      : `usage: ${usageLine(spec)}\nrun 'chancery ${spec.name} --help' for details\n`;
  try {
    const [first, second] = argv;
    if (first === undefined) {
      io.stderr.write(rootHelp());
      return EXIT_USAGE;
    }
    if (first === '--help' || first === '-h' || first === 'help') {
      const topic = argv.slice(1).filter((a) => !a.startsWith('-'));
      if (topic.length === 0) {
        io.stdout.write(rootHelp());
        return EXIT_OK;
      }
      return await runCli([...topic, '--help'], io);
    }
    if (first === '--version' || first === '-v') {
      const { PACKAGE_VERSION } = await import('../node/package-version.js');
      io.stdout.write(`${PACKAGE_VERSION}\n`);
      return EXIT_OK;
    }
    if (first.startsWith('-'))
      throw new UsageError(`options go after the command: unknown command '${first}'`);

    let rest = argv.slice(1);
    let name = first;
    if (GROUPS.has(first)) {
      if (second === undefined || second.startsWith('-')) {
        if (wantsHelp(rest)) {
          io.stdout.write(await groupHelp(first));
          return EXIT_OK;
        }
        io.stderr.write(`error: '${first}' needs a subcommand\n${await groupHelp(first)}`);
        return EXIT_USAGE;
      }
      name = `${first} ${second}`;
      rest = argv.slice(2);
    }
    const entry = COMMANDS.find((c) => c.name === name);
    if (entry === undefined) throw new UsageError(`unknown command '${name}'`);
    spec = await entry.load();

    if (wantsHelp(rest)) {
      io.stdout.write(helpText(spec));
      return EXIT_OK;
    }
    const args = parseCommand(spec, rest, io.env);
    json = args.json;
    const result = await spec.run(args);
    if (result === undefined) return undefined;
    printResult(result, json, io.stdout);
    return result.exitCode ?? EXIT_OK;
  } catch (error) {
    const code = reportError(
      error,
      { json, usage: usageHint, debug: io.env['CHANCERY_DEBUG'] === '1' },
      io.stderr,
    );
    // A node that failed half-way through starting still holds its store open: leave now.
    if (spec?.scope === 'server') process.exit(code);
    return code;
  }
}
