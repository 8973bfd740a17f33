/**
 * The parts of a benchmark to run, from a comma list in `variable` (e.g. BENCH_STATE_PARTS=update):
 * every part when unset, empty or `all`; an unknown name is refused, naming the known ones.
 */
export function benchParts<Part extends string>(variable: string, known: readonly Part[]): Set<Part> {
  const raw = process.env[variable];
  if (raw === undefined || raw.trim() === '' || raw.trim() === 'all') return new Set(known);
  const parts = raw.split(',').map((p) => p.trim());
  for (const p of parts) {
    if (!(known as readonly string[]).includes(p))
      throw new Error(`${variable}: unknown part "${p}" (${known.join(', ')}, or all)`);
  }
  return new Set(parts as Part[]);
}
