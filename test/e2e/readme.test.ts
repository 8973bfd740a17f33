import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/cli-process.js';

/**
 * The README's walk-through, executed as written: the fenced `sh` blocks of
 * the Quick start, Directory and Federation sections, in order, in one fresh
 * folder, each command in bash with real node processes on free ports. A
 * newcomer's path can then never silently break again.
 *
 * What the test changes, and only that:
 * - `npx chancery` runs this checkout's CLI (`node --import tsx src/cli/main.ts`): no build, no registry;
 * - `npm start [-- FLAGS]` and `npx chancery start …` run in the background, as in a terminal of
 *   their own; a second start of the same data folder stops the first (Ctrl-C) as the README says;
 * - the README's ports 8080 and 8090 become free ports, and CHANCERY_URL is set as the quick start
 *   tells a reader on another port to do;
 * - HOME is the walk's own folder, so `~/.chancery` is too;
 * - `npm ci` and `npm test` are skipped, and `crt_…`, `ent_…`, `req_…` become the ids printed last.
 */

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const TSX = pathToFileURL(createRequire(join(REPO_ROOT, 'package.json')).resolve('tsx')).href;
const CLI = `node --import ${TSX} ${join(REPO_ROOT, 'src/cli/main.ts')}`;
const SKIPPED = /^npm (ci|test)$/;
const SERVER = /^(npm start\b|npx chancery start\b)/;

/** The text of one `## title` section, up to the next second-level heading. */
function section(title: string): string {
  const start = README.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no section ${title}`);
  const end = README.indexOf('\n## ', start + 4);
  return README.slice(start, end < 0 ? undefined : end);
}

/** The commands of a section's ```sh blocks: continuation lines joined, comments and blank lines dropped. */
function shellCommands(text: string): string[] {
  const commands: string[] = [];
  for (const [, body] of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
    let pending = '';
    for (const line of body!.split('\n')) {
      if (pending === '' && (line.trim() === '' || line.trim().startsWith('#'))) continue;
      if (line.endsWith('\\')) {
        pending += `${line.slice(0, -1)} `;
        continue;
      }
      commands.push((pending + line).trim());
      pending = '';
    }
  }
  return commands;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(),
      );
    });
  });
}

interface Ran {
  readonly command: string;
  readonly stdout: string;
  readonly stderr: string;
}

class Walk {
  readonly ran: Ran[] = [];
  private readonly servers = new Map<
    string,
    { child: ChildProcess; exited: Promise<unknown>; log: () => string }
  >();
  private readonly ids = new Map<string, string>();

  constructor(
    private readonly cwd: string,
    private readonly ports: { primary: number; mirror: number },
  ) {}

  private env(): NodeJS.ProcessEnv {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CHANCERY_')));
    // HOME is the walk's folder: the README keeps data and keys in ~/.chancery.
    return {
      ...env,
      HOME: this.cwd,
      CHANCERY_LOG_LEVEL: 'warn',
      CHANCERY_URL: `http://127.0.0.1:${this.ports.primary}`,
    };
  }

  /** The command as this machine runs it (see the file comment); ids from earlier output filled in. */
  private rewrite(command: string): string {
    let out = command
      .replaceAll('npx chancery', CLI)
      .replaceAll('8080', String(this.ports.primary))
      .replaceAll('8090', String(this.ports.mirror));
    out = out.replace(/^npm start(?: --)?/, `${CLI} start`);
    if (/^\S+ --import \S+ \S+ start\b/.test(out) && !out.includes('--port'))
      out += ` --port ${this.ports.primary}`;
    return out.replace(/\b(crt|ent|req|grt)_…/g, (_whole, prefix: string) => {
      const id = this.ids.get(prefix);
      if (id === undefined) throw new Error(`${command}: no ${prefix}_ id printed before it`);
      return id;
    });
  }

  private remember(output: string): void {
    for (const [id, prefix] of output.matchAll(/\b(crt|ent|req|grt)_[a-z2-7]{24}\b/g))
      this.ids.set(prefix!, id);
  }

  async run(command: string): Promise<void> {
    if (SKIPPED.test(command)) return;
    if (SERVER.test(command)) return this.start(command);
    const child = spawn('bash', ['-eo', 'pipefail', '-c', this.rewrite(command)], {
      cwd: this.cwd,
      env: this.env(),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0)
      throw new Error(
        `README command failed (exit ${code}): ${command}\n${stderr}${stdout}\nnodes:\n${this.serverLogs()}`,
      );
    this.remember(stdout);
    this.ran.push({ command, stdout, stderr });
  }

  /** A long-running node, as in a terminal of its own; the same data folder started again replaces it. */
  private async start(command: string): Promise<void> {
    const data = /--data (\S+)/.exec(command)?.[1] ?? './data';
    const running = this.servers.get(data);
    if (running !== undefined) {
      running.child.kill('SIGINT');
      await running.exited;
    }
    const child = spawn('bash', ['-c', `exec ${this.rewrite(command)}`], { cwd: this.cwd, env: this.env() });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    let stderr = '';
    this.servers.set(data, { child, exited, log: () => stderr });
    // The node's own log lines (pino, on stdout) join its banner, to explain a failed command.
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${command} did not start:\n${stderr}`)), 60_000);
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (/listening on http/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then((code) => reject(new Error(`${command} exited with ${code}:\n${stderr}`)));
    });
    this.ran.push({ command, stdout: '', stderr });
  }

  /** What the running nodes wrote on stderr, to explain a failed command. */
  private serverLogs(): string {
    return [...this.servers].map(([data, s]) => `--- ${data}\n${s.log().slice(-4000)}`).join('\n');
  }

  /** The output of the last command that starts with `prefix`, as written in the README. */
  output(prefix: string): string {
    const ran = this.ran.filter((r) => r.command.startsWith(prefix)).at(-1);
    if (ran === undefined) throw new Error(`no README command starting with ${prefix} ran`);
    return ran.stdout + ran.stderr;
  }

  async stop(): Promise<void> {
    for (const { child, exited } of this.servers.values()) {
      child.kill('SIGKILL');
      await exited;
    }
  }
}

describe('the README walk-through, as written', () => {
  let tmp: string;
  let walk: Walk;
  let ports: { primary: number; mirror: number };

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'chancery-readme-'));
    ports = { primary: await freePort(), mirror: await freePort() };
    walk = new Walk(tmp, ports);
  });

  afterAll(async () => {
    await walk?.stop();
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  // Dozens of CLI processes (tsx start-up each) and three node starts: minutes on a loaded 2-core machine.
  const TIMEOUT_MS = 400_000;

  it(
    'Quick start: a node, a department, a certificate, its revocation',
    async () => {
      for (const command of shellCommands(section('Quick start'))) await walk.run(command);
      const primary = walk.output('npm start');
      expect(primary).toMatch(/log key\s+\S+\+[0-9a-f]{8}\+\S+/);
      expect(walk.output('npx chancery certify')).toMatch(
        new RegExp(
          `certified crt_[a-z2-7]{24} → proof URL http://127.0.0.1:${ports.primary}/p/crt_[a-z2-7]{24}`,
        ),
      );
      expect(walk.output('npx chancery certification show')).toMatch(/revoked/);
    },
    TIMEOUT_MS,
  );

  it(
    'Directory: roles changed, publish, upload, request, the pending list, grant, fetch, audit',
    async () => {
      for (const command of shellCommands(section('Directory'))) await walk.run(command);
      expect(walk.output('npx chancery identity update-roles')).toContain(
        'TRANSPORT now holds the roles issuer, publisher',
      );
      expect(walk.output('npx chancery directory requests')).toMatch(
        /1 pending request on the entries of TRANSPORT\n\s+req_[a-z2-7]{24}\s+pending .* from HEALTH .*accident study/,
      );
      expect(readFileSync(join(tmp, 'fetched.ndjson'), 'utf8')).toBe(
        readFileSync(join(tmp, 'counts.ndjson'), 'utf8'),
      );
      expect(walk.output('npx chancery directory audit')).toMatch(/1 fetch of ent_[a-z2-7]{24}\n.*HEALTH/);
    },
    TIMEOUT_MS,
  );

  it(
    "Federation: a mirror started before the policy follows it, and verifies a record with the witness's cosignature",
    async () => {
      for (const command of shellCommands(section('Federation'))) await walk.run(command);
      expect(readFileSync(join(tmp, 'policy.txt'), 'utf8')).toMatch(
        new RegExp(
          `^log \\S+\\nauthority \\S+\\nwitness w1 \\S+ http://127.0.0.1:${ports.mirror}\\nquorum w1\\n$`,
        ),
      );
      expect(walk.output('npx chancery status --url')).toMatch(/trust policy\s+w1; latest checkpoint final/);
      const verified = walk.output('npx chancery verify');
      expect(verified).toContain('Cosigned by w1 (1 of 1 witnesses): the quorum (w1) is met.');
      expect(verified).toMatch(/^verified: every check passed$/m);
    },
    TIMEOUT_MS,
  );
});
