/**
 * "did you mean --valid-until?" for a mistyped flag. Edit distance is
 * hand-written: a dozen lines, and the only Levenshtein packages installed are
 * transitive dependencies of other tools.
 */

/** Levenshtein distance (insertions, deletions, substitutions), two rows at a time. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known name closest to `typed`, if close enough to be a typo: within a third of its length
 * (rounded up, at most 3 edits), or a known name that starts with what was typed.
 */
export function closest(typed: string, known: readonly string[]): string | null {
  let best: { name: string; distance: number } | null = null;
  for (const name of known) {
    const distance = editDistance(typed, name);
    if (best === null || distance < best.distance) best = { name, distance };
  }
  if (best === null) return null;
  const allowed = Math.min(3, Math.ceil(best.name.length / 3));
  if (best.distance <= allowed) return best.name;
  const prefixed = known.filter((name) => name.startsWith(typed));
  return typed.length >= 3 && prefixed.length === 1 ? prefixed[0]! : null;
}
