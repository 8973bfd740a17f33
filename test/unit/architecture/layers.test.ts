import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// DESIGN §2: dependencies point one way, domain ← protocol ← infrastructure ← application ← api/client ← node ← cli.
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SRC = join(ROOT, 'src');

type Layer = 'domain' | 'protocol' | 'infrastructure' | 'application' | 'api' | 'client' | 'node' | 'cli';

/** What each layer may import from the project, itself included. */
const ALLOWED: Readonly<Record<Layer, readonly Layer[]>> = {
  domain: ['domain'],
  protocol: ['domain', 'protocol'],
  infrastructure: ['domain', 'protocol', 'infrastructure'],
  application: ['domain', 'protocol', 'infrastructure', 'application'],
  api: ['domain', 'protocol', 'infrastructure', 'application', 'api'],
  // The SDK integrators embed: it must not drag the node's database, HTTP server or pipeline along.
  client: ['domain', 'protocol', 'client'],
  node: ['domain', 'protocol', 'infrastructure', 'application', 'api', 'node'],
  cli: ['domain', 'protocol', 'infrastructure', 'application', 'api', 'client', 'node', 'cli'],
};

/** Third-party packages that belong to one layer: Fastify is the HTTP layer's, nobody else's. */
const PACKAGE_OWNERS: readonly { readonly pattern: RegExp; readonly layers: readonly Layer[] }[] = [
  { pattern: /^(fastify|@fastify\/)/, layers: ['api', 'node'] },
  { pattern: /^better-sqlite3$/, layers: ['infrastructure', 'node', 'cli'] },
  // The PostgreSQL client is the postgres adapter's (src/infrastructure/eventstore/postgres) alone.
  { pattern: /^pg$/, layers: ['infrastructure'] },
];

const SPECIFIER = /(?:\bfrom\s*|^\s*import\s*|\bimport\s*\(\s*)['"]([^'"]+)['"]/gm;

interface ImportEdge {
  /** Importing file, relative to the repository root. */
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
  /** Imported file relative to the repository root, or null for a package. */
  readonly target: string | null;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every import of one source text, relative ones resolved to a repository path. */
function importsOf(file: string, source: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  source.split('\n').forEach((text, i) => {
    // Comments may quote imports; they are not dependencies.
    if (/^\s*(\*|\/\/)/.test(text)) return;
    for (const match of text.matchAll(SPECIFIER)) {
      const specifier = match[1]!;
      const target = specifier.startsWith('.')
        ? normalize(join(dirname(file), specifier)).replace(/\.js$/, '.ts')
        : null;
      edges.push({ file, line: i + 1, specifier, target });
    }
  });
  return edges;
}

function layerOf(path: string): Layer {
  return path.split('/')[1] as Layer;
}

/** 'file:line imports specifier (a → b)' for every import against the direction. */
function violations(edges: readonly ImportEdge[]): string[] {
  const out: string[] = [];
  for (const edge of edges) {
    const from = layerOf(edge.file);
    if (edge.target !== null) {
      const to = layerOf(edge.target);
      if (!ALLOWED[from].includes(to)) {
        out.push(
          `${edge.file}:${edge.line} imports '${edge.specifier}': ${from} may not depend on ${to} ` +
            `(allowed: ${ALLOWED[from].join(', ')})`,
        );
      }
      continue;
    }
    const owner = PACKAGE_OWNERS.find((o) => o.pattern.test(edge.specifier));
    if (owner !== undefined && !owner.layers.includes(from)) {
      out.push(
        `${edge.file}:${edge.line} imports '${edge.specifier}': only ${owner.layers.join(', ')} may use it`,
      );
    }
  }
  return out;
}

/** Folders that import each other, directly or round a loop, each cycle with the imports that close it. */
function folderCycles(edges: readonly ImportEdge[]): string[] {
  const graph = new Map<string, Map<string, ImportEdge>>();
  for (const edge of edges) {
    if (edge.target === null) continue;
    const a = dirname(edge.file);
    const b = dirname(edge.target);
    if (a === b) continue;
    if (!graph.has(a)) graph.set(a, new Map());
    if (!graph.get(a)!.has(b)) graph.get(a)!.set(b, edge);
  }
  // Tarjan's strongly connected components: every component of two or more folders is a cycle.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) components.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return components.map((component) => {
    const closing = component.flatMap((a) =>
      [...(graph.get(a) ?? new Map<string, ImportEdge>())]
        .filter(([b]) => component.includes(b))
        .map(([, e]) => `    ${e.file}:${e.line} imports '${e.specifier}'`),
    );
    return `folders ${component.join(' ⇄ ')} import each other:\n${closing.join('\n')}`;
  });
}

function projectEdges(): ImportEdge[] {
  return sourceFiles(SRC).flatMap((path) =>
    importsOf(relative(ROOT, path).split('\\').join('/'), readFileSync(path, 'utf8')),
  );
}

describe('dependencies point one way', () => {
  const edges = projectEdges();

  it('has no import against domain ← protocol ← infrastructure ← application ← api/client ← node ← cli', () => {
    expect(violations(edges), violations(edges).join('\n')).toEqual([]);
  });

  it('has no cycle between folders', () => {
    expect(folderCycles(edges), folderCycles(edges).join('\n')).toEqual([]);
  });

  it('knows every folder under src as a layer', () => {
    const layers = new Set(readdirSync(SRC));
    expect([...layers].sort()).toEqual(Object.keys(ALLOWED).sort());
  });
});

describe('the layer check itself', () => {
  it('names the file, the line and the import that breaks the direction', () => {
    const edges = importsOf(
      'src/infrastructure/node/x.ts',
      "import { a } from './y.js';\nimport { b } from '../../api/app.js';\n",
    );
    expect(violations(edges)).toEqual([
      "src/infrastructure/node/x.ts:2 imports '../../api/app.js': infrastructure may not depend on api " +
        '(allowed: domain, protocol, infrastructure)',
    ]);
  });

  it('keeps the client SDK off the application layer and Fastify out of the application', () => {
    expect(
      violations([
        ...importsOf('src/client/c.ts', "import type { X } from '../application/commands/x.js';"),
        ...importsOf('src/application/a.ts', "import Fastify from 'fastify';"),
      ]),
    ).toEqual([
      "src/client/c.ts:1 imports '../application/commands/x.js': client may not depend on application " +
        '(allowed: domain, protocol, client)',
      "src/application/a.ts:1 imports 'fastify': only api, node may use it",
    ]);
  });

  it('finds dynamic imports and ignores imports quoted in comments', () => {
    const edges = importsOf(
      'src/domain/d.ts',
      "// import x from '../api/app.js'\nconst m = await import('../node/n.js');\n",
    );
    expect(edges.map((e) => [e.line, e.target])).toEqual([[2, 'src/node/n.ts']]);
  });

  it('reports two folders that import each other, with the imports that close the loop', () => {
    const edges = [
      ...importsOf('src/application/a/one.ts', "import { b } from '../b/two.js';"),
      ...importsOf('src/application/b/two.ts', "import { a } from '../a/one.js';"),
    ];
    expect(folderCycles(edges)).toEqual([
      'folders src/application/a ⇄ src/application/b import each other:\n' +
        "    src/application/a/one.ts:1 imports '../b/two.js'\n" +
        "    src/application/b/two.ts:1 imports '../a/one.js'",
    ]);
  });
});
