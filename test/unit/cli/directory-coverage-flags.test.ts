import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run-cli.js';

/**
 * The DCAT-AP flags of `directory publish`, `update` and `describe-catalog`:
 * every malformed value is a usage error (exit 2) naming the flag, the value
 * and what is allowed, found before a key is read or a node is asked.
 */

async function run(argv: string[]): Promise<{ code: number | undefined; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  stdout.resume();
  const code = await runCli(argv, { stdout, stderr, env: {} });
  return { code, stderr: err };
}

const PUBLISH = [
  'directory',
  'publish',
  '--as',
  '/nonexistent/transport.key',
  '--title',
  'Traffic counts',
  '--description',
  'Hourly counts',
  '--access-rights',
  'restricted',
  '--license',
  'CC-BY-4.0',
  '--schema',
  '/nonexistent/counts.schema.json',
  '--url',
  'http://127.0.0.1:9',
];

describe('DCAT-AP flags of the directory commands', () => {
  it.each([
    [
      ['--language', 'ENG,xx'],
      /^error: --language XX: not an EU language code this node accepts; allowed: BUL, CES, /,
    ],
    [['--bbox', '110,31,116'], /^error: --bbox 110,31,116: expected west,south,east,north in degrees/],
    [['--bbox', '110,40,116,31'], /^error: --bbox 110,40,116,31: expected west,south,east,north/],
    [['--bbox', '200,31,116,36'], /^error: --bbox 200,31,116,36: expected/],
    [
      ['--spatial', 'geonames:1808520'],
      /^error: --spatial geonames:1808520: only http and https URLs are allowed/,
    ],
    [['--spatial', 'not a url'], /^error: --spatial not a url: not a URL/],
    [['--temporal-start', '2025-02-30'], /^error: --temporal-start 2025-02-30: expected a date, YYYY-MM-DD/],
    [
      ['--temporal-start', '2025-03-01', '--temporal-end', '2025-01-31'],
      /^error: --temporal-end 2025-01-31 is before the start 2025-03-01/,
    ],
    [
      ['--contact-email', 'data@transport.example'],
      /^error: --contact-email and --contact-url need --contact-name/,
    ],
    [
      ['--contact-name', 'Desk', '--contact-url', 'ftp://x'],
      /^error: --contact-url ftp:\/\/x: only http and https/,
    ],
    [
      ['--update-frequency', 'hourly'],
      /^error: --update-frequency hourly: expected one of continuous, daily, /,
    ],
  ])('publish %j is a usage error', async (flags, message) => {
    const { code, stderr } = await run([...PUBLISH, ...flags]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toContain('usage: chancery directory publish');
  });

  it('update checks its flags before it asks the node for the entry', async () => {
    const { code, stderr } = await run([
      'directory',
      'update',
      'ent_aaaaaaaaaaaaaaaaaaaaaaaa',
      '--as',
      '/nonexistent/transport.key',
      '--bbox',
      'west',
      '--url',
      'http://127.0.0.1:9',
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error: --bbox west: expected west,south,east,north/);
  });

  it.each([
    [
      ['--theme-taxonomy', 'http://eurovoc.europa.eu/100141'],
      /^error: --theme-taxonomy http:\/\/eurovoc.europa.eu\/100141: expected URI=TITLE/,
    ],
    [['--theme-taxonomy', 'eurovoc=EuroVoc'], /^error: --theme-taxonomy eurovoc: not a URL/],
    [
      ['--publisher-type', 'Province'],
      /^error: --publisher-type Province: expected an ADMS publisher type: Academia-ScientificOrganisation, /,
    ],
    [['--language', 'english'], /^error: --language ENGLISH: not an EU language code/],
  ])('describe-catalog %j is a usage error', async (flags, message) => {
    const { code, stderr } = await run([
      'directory',
      'describe-catalog',
      '--as',
      '/nonexistent/authority.key',
      '--url',
      'http://127.0.0.1:9',
      ...flags,
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('documents the new flags in the help', async () => {
    const stdout = new PassThrough();
    let out = '';
    stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const code = await runCli(['directory', 'publish', '--help'], {
      stdout,
      stderr: new PassThrough(),
      env: {},
    });
    expect(code).toBe(0);
    for (const flag of [
      '--language CODE',
      '--spatial URI',
      '--bbox W,S,E,N',
      '--temporal-start DATE',
      '--contact-url URL',
    ])
      expect(out).toContain(flag);
  });
});
