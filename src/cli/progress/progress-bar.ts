/**
 * A one-line progress bar for long CLI steps (hashing, uploading, fetching).
 * It draws only when its stream is a terminal, redraws at most every 100 ms,
 * and erases itself when done, so piped or redirected stderr, and --json runs
 * in scripts, stay clean.
 */

const WIDTH = 30;
const REDRAW_MS = 100;

export interface ProgressBar {
  /** `done` of `total` units so far; an unknown (null) or zero total draws the count alone. */
  update(done: number, total: number | null): void;
  /** Erases the bar; safe to call more than once. */
  done(): void;
}

export function progressBar(
  label: string,
  out: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
): ProgressBar {
  const enabled = out.isTTY === true;
  let lastDraw = 0;
  let drawn = false;
  return {
    update(done, total) {
      if (!enabled) return;
      const now = Date.now();
      if ((total === null || done < total) && now - lastDraw < REDRAW_MS) return;
      lastDraw = now;
      drawn = true;
      if (total === null || total <= 0) {
        out.write(`\r${label} ${format(done)}\u001b[K`);
        return;
      }
      const count = `${format(done)}/${format(total)}`;
      const fraction = Math.min(1, Math.max(0, done / total));
      const filled = Math.round(fraction * WIDTH);
      const bar = '#'.repeat(filled) + '-'.repeat(WIDTH - filled);
      out.write(`\r${label} [${bar}] ${count} ${Math.floor(fraction * 100)}%\u001b[K`);
    },
    done() {
      if (enabled && drawn) out.write('\r\u001b[K');
      drawn = false;
    },
  };
}

function format(n: number): string {
  return n.toLocaleString('en-US');
}
