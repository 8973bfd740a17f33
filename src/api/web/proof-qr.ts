/**
 * The proof URL as a QR code, rendered on the server into the page as an
 * inline SVG: no script draws it and no image is fetched, so the page's
 * strict CSP stays as it is. The `qrcode` library encodes it; its SVG has
 * presentation attributes only (no style attribute the CSP would refuse).
 */
import QRCode from 'qrcode';
import { escapeHtml } from './proof-page-html.js';

/** An `<svg>` element showing `url` as a QR code, labelled for screen readers with `label`. */
export async function proofQrSvg(url: string, label: string): Promise<string> {
  // Level M survives a smudged or creased paper copy and keeps a proof URL's code small enough for a phone.
  const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  const labelled = escapeHtml(label);
  return svg
    .trim()
    .replace('<svg ', `<svg class="qr" role="img" aria-label="${labelled}" `)
    .replace(/^(<svg[^>]*>)/, `$1<title>${labelled}</title>`);
}
