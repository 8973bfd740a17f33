import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// DESIGN §2: src/domain is pure TypeScript: no node:* imports, no clock, no randomness, no I/O.
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const DOMAIN = join(ROOT, 'src', 'domain');

const BUILTINS = new Set(builtinModules.filter((name) => !name.startsWith('_')));

const FORBIDDEN_CALLS: readonly [RegExp, string][] = [
  [/(?<![\w$.])Date\s*\.\s*now\s*\(/, 'reads the clock with Date.now(); take time from the command'],
  [/\bnew\s+Date\s*\(/, 'constructs a Date with new Date(); take time from the command as a string'],
  [/(?<![\w$.])Math\s*\.\s*random\s*\(/, 'draws randomness with Math.random(); take it from the command'],
  [/(?<![\w$.])process\s*\./, 'touches process.; the domain must not see the environment'],
];

const SPECIFIER_PATTERNS: readonly RegExp[] = [
  /\bfrom\s*['"]([^'"]+)['"]/g, // import … from 'x', export … from 'x'
  /^\s*import\s*['"]([^'"]+)['"]/g, // import 'x' (side effects only)
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, // import('x')
  /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g, // require('x')
];

function isNodeBuiltin(specifier: string): boolean {
  if (specifier.startsWith('node:')) return true;
  // 'fs/promises' is the fs builtin too.
  return BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0] ?? '');
}

/** Blanks comments so prose about Date.now() does not trip the scan; keeps line numbers. */
function stripComments(source: string): string[] {
  let inBlock = false;
  return source.split('\n').map((line) => {
    let out = '';
    let rest = line;
    while (rest.length > 0) {
      if (inBlock) {
        const end = rest.indexOf('*/');
        if (end < 0) return out;
        inBlock = false;
        rest = rest.slice(end + 2);
        continue;
      }
      // A // or /* preceded by ':' is most likely inside a URL string; leave it be.
      const match = /(^|[^:'"`\\])(\/\/|\/\*)/.exec(rest);
      if (!match) return out + rest;
      const at = match.index + match[1]!.length;
      out += rest.slice(0, at);
      if (match[2] === '//') return out;
      inBlock = true;
      rest = rest.slice(at + 2);
    }
    return out;
  });
}

/** Every impurity in one source text, as 'line: what'. */
function findImpurities(source: string): string[] {
  const found: string[] = [];
  stripComments(source).forEach((line, index) => {
    for (const pattern of SPECIFIER_PATTERNS) {
      for (const match of line.matchAll(pattern)) {
        const specifier = match[1]!;
        if (isNodeBuiltin(specifier)) found.push(`${index + 1}: imports the Node builtin '${specifier}'`);
      }
    }
    for (const [pattern, what] of FORBIDDEN_CALLS) {
      if (pattern.test(line)) found.push(`${index + 1}: ${what}`);
    }
  });
  return found;
}

const domainFiles = (readdirSync(DOMAIN, { recursive: true, encoding: 'utf8' }) as string[])
  .filter((name) => name.endsWith('.ts'))
  .map((name) => join(DOMAIN, name))
  .sort();

describe('src/domain purity', () => {
  it('finds the domain sources', () => {
    expect(domainFiles.length).toBeGreaterThan(0);
  });

  it.each(
    domainFiles.map((file) => [relative(ROOT, file).replaceAll('\\', '/'), file]),
  )('%s imports no Node builtin and reads no clock, randomness or process', (name, file) => {
    const impurities = findImpurities(readFileSync(file, 'utf8')).map((entry) => `${name}:${entry}`);
    expect(impurities, `impure domain code (DESIGN §2):\n  ${impurities.join('\n  ')}\n`).toEqual([]);
  });
});

describe('the purity scan itself', () => {
  it.each([
    ["import { readFileSync } from 'node:fs';", "imports the Node builtin 'node:fs'"],
    ["import { createHash } from 'crypto';", "imports the Node builtin 'crypto'"],
    ["import type { Stats } from 'fs/promises';", "imports the Node builtin 'fs/promises'"],
    ["export { join } from 'path';", "imports the Node builtin 'path'"],
    ["import 'node:process';", "imports the Node builtin 'node:process'"],
    ["const os = await import('os');", "imports the Node builtin 'os'"],
    ["const fs = require('fs');", "imports the Node builtin 'fs'"],
    ['const t = Date.now();', 'Date.now()'],
    ['const d = new Date(at);', 'new Date()'],
    ['const r = Math.random();', 'Math.random()'],
    ['if (process.env.DEBUG) log();', 'process.'],
    ['const x = 1; /* fine */ const y = process.argv;', 'process.'],
  ])('flags %s', (source, what) => {
    const found = findImpurities(source);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(what);
  });

  it.each([
    "import { sha256 } from '@noble/hashes/sha2.js';",
    "import { foldEvents } from '../shared/decider.js';",
    "import { pathFor } from './path.js';",
    'const t = Date.parse(command.at);',
    'const n = state.process.count; const m = subprocess.length; const k = myDate.now();',
    '// never call Date.now() in a decider',
    '/** time comes from the command, not new Date() */',
    '/**\n * or from process.env, or Math.random().\n */',
    "const url = 'https://example.org/path';",
  ])('lets through %s', (source) => {
    expect(findImpurities(source)).toEqual([]);
  });

  it('follows block comments across lines and reports the right line', () => {
    const source = ['/*', ' * Date.now()', ' */', 'const ok = 1;', 'const bad = Math.random();'].join('\n');
    expect(findImpurities(source)).toEqual([
      '5: draws randomness with Math.random(); take it from the command',
    ]);
  });
});
