import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { BLOCK_LEAVES } from '../../../src/cli/commands/certify-bulk/batch-root-pipeline.js';
import { batchRootHex } from '../../../src/cli/commands/certify-bulk/batch-tree.js';

/**
 * certify-bulk's worker thread as `npm run build` ships it: compiled to .js,
 * run by plain node with no TypeScript loader. Under vitest the pipeline takes
 * its TypeScript branch, so this is the one test of the path dist/ takes (the
 * worker file's name and extension resolved from the compiled module). A
 * worker that cannot start would not fail certify-bulk (its blocks are hashed
 * on the main thread), so the test asks how many blocks the worker hashed.
 *
 * Fast: it compiles only the pipeline and its worker (with tsconfig.build.json's
 * options, into a temporary dist/), not the whole project.
 */

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../../..');
const SOURCES = ['batch-root-pipeline.ts', 'subtree-root-worker.ts'].map((f) =>
  join(ROOT, 'src/cli/commands/certify-bulk', f),
);
const out = mkdtempSync(join(tmpdir(), 'chancery-dist-'));

afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Emits SOURCES and what they import as `npm run build` would, but into `out`; returns the emitted pipeline. */
function buildSlice(): string {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.build.json'),
    { outDir: out, sourceMap: false },
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => assert(d) },
  );
  if (config === undefined) throw new Error('cannot read tsconfig.build.json');
  const program = ts.createProgram(SOURCES, config.options);
  const emitted = program.emit();
  for (const d of emitted.diagnostics) assert(d);
  // dist/ is ESM because the package.json above it says so.
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  return join(out, 'cli/commands/certify-bulk/batch-root-pipeline.js');
}

function assert(diagnostic: ts.Diagnostic): never {
  throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

describe('BatchRootPipeline from compiled JavaScript (the dist/ path)', () => {
  it('starts its worker from the .js file next to it, the worker hashes blocks, and the root is right', () => {
    const pipeline = buildSlice();
    const count = 3 * BLOCK_LEAVES + 5;
    const digests = randomBytes(count * 32);
    const input = join(out, 'digests.bin');
    writeFileSync(input, digests);
    // Plain node: no tsx, no vitest transform, as `node dist/cli/main.js certify-bulk` runs it. A file, not
    // --input-type=module -e: a worker inherits the flags, and that one refuses to load a worker's file.
    const script = join(out, 'root.js');
    writeFileSync(
      script,
      `
      import { readFileSync } from 'node:fs';
      const { BatchRootPipeline } = await import(${JSON.stringify(pathToFileURL(pipeline).href)});
      const packed = readFileSync(${JSON.stringify(input)});
      const count = packed.length / 32;
      const pipeline = new BatchRootPipeline();
      pipeline.offer(packed, count);
      const root = await pipeline.root(packed, count);
      console.log(JSON.stringify({ root, blocksFromWorker: pipeline.blocksFromWorker }));`,
    );
    const answer = JSON.parse(
      execFileSync(process.execPath, [script], {
        cwd: out,
        encoding: 'utf8',
        timeout: 60_000,
      }),
    ) as { root: string; blocksFromWorker: number };
    expect(answer.root).toBe(batchRootHex(digests, count));
    expect(answer.blocksFromWorker).toBeGreaterThan(0);
  }, 90_000);
});
