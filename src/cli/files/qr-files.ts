/**
 * QR codes of proof URLs, with the well-kept `qrcode` library: paper
 * certificates in China carry one. Error correction M (15%) survives a
 * smudged print and keeps a long URL at a size a phone reads easily.
 */
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import QRCode from 'qrcode';

export const QR_OPTIONS = { errorCorrectionLevel: 'M', margin: 2 } as const;

/** The options of the terminal rendering: half-height blocks, so it fits an 80×24 terminal. */
export const TERMINAL_QR_OPTIONS = { ...QR_OPTIONS, type: 'terminal', small: true } as const;

export const QR_FORMATS = ['svg', 'png'] as const;
export type QrFormat = (typeof QR_FORMATS)[number];

/** The QR code as text for a terminal. */
export function terminalQr(url: string): Promise<string> {
  return QRCode.toString(url, TERMINAL_QR_OPTIONS);
}

/** The file format from a path's extension (.svg or .png), or null for any other. */
export function qrFormatOf(path: string): QrFormat | null {
  const ext = extname(path).slice(1).toLowerCase();
  return (QR_FORMATS as readonly string[]).includes(ext) ? (ext as QrFormat) : null;
}

/** Writes the QR code of `url` to `path` as SVG or PNG; never over an existing file. */
export async function writeQr(path: string, url: string, format: QrFormat): Promise<void> {
  const body =
    format === 'svg'
      ? await QRCode.toString(url, { ...QR_OPTIONS, type: 'svg' })
      : await QRCode.toBuffer(url, { ...QR_OPTIONS, type: 'png', width: 512 });
  await writeFile(path, body, { flag: 'wx' });
}
