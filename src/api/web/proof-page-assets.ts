/**
 * The citizen page's script and stylesheet. The script is bundled with
 * esbuild on first use and kept in memory: that works straight after
 * `npm ci` (tsx, from src/) and after `npm run build` (from dist/, where tsc
 * has compiled the browser entry to .js), with no separate build step and no
 * generated file to keep in sync.
 */

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PROOF_PAGE_CSS } from './proof-page-css.js';

export interface WebAsset {
  readonly body: string;
  readonly contentType: string;
  /** Strong ETag: a hash of the body. */
  readonly etag: string;
  /** Subresource Integrity value for a tag that loads it. */
  readonly integrity: string;
  /** Short content hash, to make the URL change when the content does. */
  readonly version: string;
}

function asset(body: string, contentType: string): WebAsset {
  const digest = createHash('sha384').update(body).digest();
  return {
    body,
    contentType,
    etag: `"${digest.subarray(0, 16).toString('base64url')}"`,
    integrity: `sha384-${digest.toString('base64')}`,
    version: digest.subarray(0, 8).toString('hex'),
  };
}

/** The browser entry: the .ts source under tsx/vitest, the compiled .js under dist/. */
function browserEntry(): string {
  for (const name of ['./browser/proof-page.ts', './browser/proof-page.js']) {
    const path = fileURLToPath(new URL(name, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error('the proof page script source is missing (src/api/web/browser/proof-page.ts)');
}

async function bundleScript(): Promise<WebAsset> {
  // Imported on first use only: a node that never serves the page never loads esbuild.
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [browserEntry()],
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
  if (output === undefined) throw new Error('esbuild produced no output for the proof page');
  return asset(output.text, 'text/javascript; charset=utf-8');
}

let script: Promise<WebAsset> | undefined;

/** The bundled page script, built once per process; a failed build is retried on the next call. */
export function proofPageScript(): Promise<WebAsset> {
  if (script === undefined) {
    script = bundleScript().catch((error: unknown) => {
      script = undefined;
      throw error;
    });
  }
  return script;
}

export const proofPageStyle: WebAsset = asset(PROOF_PAGE_CSS, 'text/css; charset=utf-8');

/** A seal with a check mark; served by the node so the browser asks no one else for an icon. */
export const proofPageIcon: WebAsset = asset(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="15" fill="#176b3a"/>' +
    '<path d="M9 16.5l4.5 4.5L23 11.5" fill="none" stroke="#fff" stroke-width="3.5" stroke-linecap="round" ' +
    'stroke-linejoin="round"/></svg>',
  'image/svg+xml',
);
