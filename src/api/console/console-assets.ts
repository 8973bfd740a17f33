/**
 * The console's page, script and stylesheet, all served by the node itself.
 * The script is bundled with esbuild on first use (uPlot included) and kept
 * in memory, as the citizen page's is (src/api/web/browser-bundle.ts).
 */

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { builtOnce, bundleBrowserScript } from '../web/browser-bundle.js';
import { CONSOLE_CSS } from './console-css.js';

export interface ConsoleAsset {
  readonly body: string;
  readonly contentType: string;
  readonly etag: string;
}

function asset(body: string, contentType: string): ConsoleAsset {
  return {
    body,
    contentType,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
  };
}

/** The console's script with uPlot, built once per process; a failed build is retried on the next call. */
export const consoleScript: () => Promise<ConsoleAsset> = builtOnce(async () =>
  asset(
    await bundleBrowserScript(import.meta.url, './browser/console', 'the console'),
    'text/javascript; charset=utf-8',
  ),
);

/** uPlot's own stylesheet (from the package), then the console's. */
function stylesheet(): ConsoleAsset {
  const uplotCss = readFileSync(createRequire(import.meta.url).resolve('uplot/dist/uPlot.min.css'), 'utf8');
  return asset(`${uplotCss}\n${CONSOLE_CSS}`, 'text/css; charset=utf-8');
}

let style: ConsoleAsset | undefined;

export function consoleStyle(): ConsoleAsset {
  style ??= stylesheet();
  return style;
}

export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chancery console</title>
<link rel="stylesheet" href="/console/assets/console.css">
<script defer src="/console/assets/console.js"></script>
</head>
<body>
<a class="skip" href="#view">Skip to content</a>
<header>
  <h1>Chancery console</h1>
  <p id="updated" aria-live="polite">loading…</p>
  <nav aria-label="views">
    <a href="#network">Network</a>
    <a href="#log">Log</a>
    <a href="#registry">Registry</a>
    <a href="#directory">Directory</a>
  </nav>
</header>
<section id="alerts" aria-live="assertive" aria-label="open alerts"></section>
<main id="view" tabindex="-1"></main>
<footer>Read-only view of public log data. Admin actions: the <code>chancery</code> CLI, signed with keys.</footer>
</body>
</html>
`;
