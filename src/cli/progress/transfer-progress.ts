/**
 * A one-line progress bar for directory transfers (hashing, uploading,
 * downloading) on stderr, drawn only when stderr is a terminal: scripts and
 * logs get no carriage-return noise. Redraws at most ten times a second.
 */
export function transferProgress(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const enabled = stream.isTTY === true;
  let last = 0;
  let drawn = false;
  const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
  return {
    update(done: number, total: number | null): void {
      if (!enabled) return;
      const now = Date.now();
      if (now - last < 100 && (total === null || done < total)) return;
      last = now;
      const width = 30;
      const ratio = total === null || total === 0 ? null : Math.min(1, done / total);
      const bar =
        ratio === null
          ? ''
          : `[${'#'.repeat(Math.round(ratio * width)).padEnd(width, '.')}] ${Math.floor(ratio * 100)}% `;
      stream.write(`\r${label} ${bar}${mib(done)}${total === null ? '' : `/${mib(total)}`} MiB`);
      drawn = true;
    },
    done(): void {
      if (enabled && drawn) stream.write('\n');
      drawn = false;
    },
  };
}
