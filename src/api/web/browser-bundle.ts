/**
 * A page script bundled with esbuild on first use and kept in memory: that
 * works straight after `npm ci` (tsx, from src/) and after `npm run build`
 * (from dist/, where tsc has compiled the browser entry to .js), with no
 * separate build step and no generated file to keep in sync. The citizen
 * page and the console both serve theirs this way.
 */

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The browser entry `stem` beside `moduleUrl`: the .ts source under tsx/vitest, the compiled .js under dist/. */
function browserEntry(moduleUrl: string, stem: string): string {
  for (const name of [`${stem}.ts`, `${stem}.js`]) {
    const path = fileURLToPath(new URL(name, moduleUrl));
    if (existsSync(path)) return path;
  }
  throw new Error(`the ${stem}.ts browser script source is missing beside ${moduleUrl}`);
}

/** The minified IIFE bundle of the entry `stem` (relative to `moduleUrl`), for `what` in errors. */
export async function bundleBrowserScript(moduleUrl: string, stem: string, what: string): Promise<string> {
  // Imported on first use only: a node that never serves the page never loads esbuild.
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [browserEntry(moduleUrl, stem)],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    // BigInt (noble) needs ES2020; every browser a citizen is likely to hold has it.
    target: ['es2020'],
    minify: true,
    charset: 'utf8',
    legalComments: 'eof',
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error(`esbuild produced no output for ${what}`);
  return output.text;
}

/** `build` run once per process and its result kept; a failed build is retried on the next call. */
export function builtOnce<T>(build: () => Promise<T>): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () => {
    built ??= build().catch((error: unknown) => {
      built = undefined;
      throw error;
    });
    return built;
  };
}
