import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * bin/chancery.cjs, the `chancery` command: it sizes libuv's threadpool for
 * `chancery start` before the CLI's first import. Run for real: the launcher
 * is copied next to a stand-in dist/cli/main.js that makes the threadpool
 * start (eight concurrent scrypt jobs) and reports what libuv actually
 * started, counted in /proc/self/task, so a launcher that set the variable
 * too late (after the ES module loader started the pool) would fail here.
 */

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../../..');
const launcher = createRequire(import.meta.url)(join(ROOT, 'bin/chancery.cjs')) as {
  chosenThreadpoolSize(args: readonly string[], env: NodeJS.ProcessEnv, cores: number): string | undefined;
  nodeThreadpoolSize(cores: number): number;
};

const dir = mkdtempSync(join(tmpdir(), 'chancery-launcher-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PROBE = `
import { scrypt } from 'node:crypto';
import { readdirSync } from 'node:fs';
await Promise.all(Array.from({ length: 8 }, () => new Promise((r) => scrypt('p', 's', 16, r))));
process.stdout.write(JSON.stringify({
  args: process.argv.slice(2),
  size: process.env.UV_THREADPOOL_SIZE ?? null,
  threads: readdirSync('/proc/self/task').length,
}));
`;

function install(): string {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  mkdirSync(join(dir, 'dist/cli'), { recursive: true });
  copyFileSync(join(ROOT, 'bin/chancery.cjs'), join(dir, 'bin/chancery.cjs'));
  writeFileSync(join(dir, 'dist/cli/main.js'), PROBE);
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  return join(dir, 'bin/chancery.cjs');
}

interface Probe {
  readonly args: string[];
  readonly size: string | null;
  readonly threads: number;
}

function run(bin: string, args: string[], size?: string): Probe {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'UV_THREADPOOL_SIZE'));
  if (size !== undefined) env['UV_THREADPOOL_SIZE'] = size;
  return JSON.parse(execFileSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' })) as Probe;
}

describe('the launcher chooses the threadpool size', () => {
  it('one thread fewer than the cores for a node, at least one, at most libuv default of four', () => {
    expect([1, 2, 3, 4, 5, 64].map((cores) => launcher.nodeThreadpoolSize(cores))).toEqual([
      1, 1, 2, 3, 4, 4,
    ]);
  });

  it('only for `chancery start`, and never over a size the environment set', () => {
    expect(launcher.chosenThreadpoolSize(['start', '--data', 'x'], {}, 2)).toBe('1');
    expect(launcher.chosenThreadpoolSize(['start'], { UV_THREADPOOL_SIZE: '' }, 8)).toBe('4');
    expect(launcher.chosenThreadpoolSize(['start'], { UV_THREADPOOL_SIZE: '3' }, 2)).toBeUndefined();
    expect(launcher.chosenThreadpoolSize(['certify-bulk', 'files'], {}, 2)).toBeUndefined();
    expect(launcher.chosenThreadpoolSize([], {}, 2)).toBeUndefined();
  });
});

describe.skipIf(!existsSync('/proc/self/task'))('the launcher as a process', () => {
  const bin = install();
  const expected = launcher.nodeThreadpoolSize(availableParallelism());

  it('starts a node with that many pool threads: libuv read the size before the pool started', () => {
    const chosen = run(bin, ['start', '--port', '0']);
    const four = run(bin, ['start', '--port', '0'], '4');
    expect(chosen).toMatchObject({ args: ['start', '--port', '0'], size: String(expected) });
    expect(four.size).toBe('4');
    expect(four.threads - chosen.threads).toBe(4 - expected);
  });

  it("keeps the operator's size, and libuv's default for other commands", () => {
    const kept = run(bin, ['start'], '2');
    const other = run(bin, ['certify-bulk', 'folder']);
    const four = run(bin, ['certify-bulk', 'folder'], '4');
    expect(kept.size).toBe('2');
    expect(four.threads - kept.threads).toBe(2);
    expect(other).toMatchObject({ args: ['certify-bulk', 'folder'], size: null, threads: four.threads });
  });
});
