import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// STYLE 8: a file holds one idea you can name; a function that runs past a screenful holds several.
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const MAX_LINES = 80;

/**
 * Functions that are tables or templates rather than logic, and may run long. Each names why; keep it
 * short. Key: 'path:name'.
 */
const TABLES: Readonly<Record<string, string>> = {};

interface LongFunction {
  readonly where: string;
  readonly lines: number;
}

function nameOf(node: ts.Node): string {
  const named = node as { name?: ts.Node };
  if (named.name !== undefined) return named.name.getText();
  const parent = node.parent;
  if (parent !== undefined && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)))
    return parent.name.getText();
  if (parent !== undefined && ts.isCallExpression(parent)) {
    // A route handler or callback: name it after the call and its first string argument (the route).
    const first = parent.arguments[0];
    const label = first !== undefined && ts.isStringLiteral(first) ? `(${first.text})` : '';
    return `${parent.expression.getText()}${label} callback`;
  }
  return '(anonymous)';
}

/** Every function, method or arrow body of MAX_LINES or more lines in one source file. */
function longFunctions(path: string, source: string, max = MAX_LINES): LongFunction[] {
  const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true);
  const out: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body !== undefined) {
      const start = file.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > max) out.push({ where: `${path}:${start + 1} ${nameOf(node)}`, lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('function length', () => {
  it(`has no function over ${MAX_LINES} lines in src/, tables and templates aside`, () => {
    const long = sourceFiles(join(ROOT, 'src')).flatMap((path) => {
      const rel = relative(ROOT, path).split('\\').join('/');
      return longFunctions(rel, readFileSync(path, 'utf8')).filter(
        (f) => TABLES[`${rel}:${f.where.split(' ').slice(1).join(' ')}`] === undefined,
      );
    });
    expect(
      long.map((f) => `${f.where} runs ${f.lines} lines`),
      'split these into functions that each do one thing',
    ).toEqual([]);
  });

  it('measures a function from its first line to its last', () => {
    const body = Array.from({ length: 78 }, (_, i) => `  const a${i} = ${i};`).join('\n');
    expect(longFunctions('x.ts', `function ok() {\n${body}\n}`)).toEqual([]);
    expect(longFunctions('x.ts', `function long() {\n${body}\n  return;\n}`)).toEqual([
      { where: 'x.ts:1 long', lines: 81 },
    ]);
  });
});
