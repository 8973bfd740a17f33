import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { proofQrSvg } from '../../../src/api/web/proof-qr.js';

describe('the proof URL as a QR code', () => {
  it('is an inline SVG, labelled for screen readers, with no style attribute or script for the CSP to refuse', async () => {
    const url = 'https://shanxi.gov.example/p/crt_abcdefghijklmnopqrstuvwx';
    const svg = await proofQrSvg(url, `QR code of ${url}`);
    expect(svg).toMatch(
      /^<svg class="qr" role="img" aria-label="QR code of https:\/\/shanxi\.gov\.example\/p\/crt_[a-z]+" xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+ \d+"[^>]*><title>QR code of https:/,
    );
    expect(svg).not.toMatch(/style=|<script|javascript:|href=/i);
    expect(svg.endsWith('</svg>')).toBe(true);
  });

  it("encodes exactly the URL: its modules are the library's for that text", async () => {
    const url = 'http://127.0.0.1:8080/p/crt_aaaaaaaaaaaaaaaaaaaaaaaa';
    const svg = await proofQrSvg(url, 'x');
    const expected = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    const path = (s: string) => /<path stroke="#000000" d="([^"]+)"/.exec(s)?.[1];
    expect(path(svg)).toBe(path(expected));
    expect(path(svg)).not.toBe(path(await proofQrSvg(`${url}x`, 'x')));
  });

  it('escapes the label, which names a URL the node was configured with', async () => {
    const svg = await proofQrSvg('http://x/p/crt', 'a "quoted" <label>');
    expect(svg).toContain('aria-label="a &quot;quoted&quot; &lt;label&gt;"');
    expect(svg).toContain('<title>a &quot;quoted&quot; &lt;label&gt;</title>');
  });
});
