/** The citizen page's script (bundled on first use: browser-bundle.ts), stylesheet and icon. */

import { createHash } from 'node:crypto';
import { builtOnce, bundleBrowserScript } from './browser-bundle.js';
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

/** The bundled page script, built once per process; a failed build is retried on the next call. */
export const proofPageScript: () => Promise<WebAsset> = builtOnce(async () =>
  asset(
    await bundleBrowserScript(import.meta.url, './browser/proof-page', 'the proof page'),
    'text/javascript; charset=utf-8',
  ),
);

export const proofPageStyle: WebAsset = asset(PROOF_PAGE_CSS, 'text/css; charset=utf-8');

/** A seal with a check mark; served by the node so the browser asks no one else for an icon. */
export const proofPageIcon: WebAsset = asset(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="15" fill="#176b3a"/>' +
    '<path d="M9 16.5l4.5 4.5L23 11.5" fill="none" stroke="#fff" stroke-width="3.5" stroke-linecap="round" ' +
    'stroke-linejoin="round"/></svg>',
  'image/svg+xml',
);
