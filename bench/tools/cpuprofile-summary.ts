/**
 * Summarises a V8 .cpuprofile (node --cpu-prof; BENCH_CPU_PROF=1 npm run bench -- certify
 * writes them to .bench/profiles/): top functions by self time, and self time
 * per package / source folder.
 *
 *   npx tsx bench/tools/cpuprofile-summary.ts <file.cpuprofile | folder> [top=25]
 *       [--callers=<function name>] [--inclusive=<name>,<name>,…]
 *
 * --callers shows, for a function with much self time, which call paths
 * (three frames up) that time came through; --inclusive gives the total
 * time of whole functions (e.g. authenticate,readStream,flush).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  readonly name: string;
  readonly where: string;
  readonly micros: number;
}

export interface ProfileSummary {
  readonly totalMicros: number;
  readonly functions: SelfTime[];
  readonly groups: { readonly group: string; readonly micros: number }[];
}

const root = process.cwd();

function shortUrl(url: string): string {
  if (url.length === 0) return '';
  const path = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  return path.startsWith(root) ? relative(root, path) : path;
}

/** node_modules/<pkg>, src/<layer>/<folder>, node:internal, or a V8 pseudo-frame like (garbage collector). */
function groupOf(frame: CallFrame): string {
  const url = shortUrl(frame.url);
  if (url.length === 0) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return 'node_modules/' + (rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]);
  }
  if (url.startsWith('node:')) return url.split('/')[0]!.replace(/^node:internal$/, 'node:internal');
  const parts = url.split('/');
  if (parts[0] === 'src') return parts.slice(0, Math.min(3, parts.length - 1)).join('/');
  return parts.slice(0, -1).join('/') || url;
}

export function summarise(profile: Profile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = parents(profile);
  const selfById = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfById.set(id, (selfById.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const functions = new Map<string, SelfTime>();
  const groups = new Map<string, number>();
  let total = 0;
  for (const [id, micros] of selfById) {
    const frame = byId.get(id)!.callFrame;
    total += micros;
    let where = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '';
    const name = frame.functionName || '(anonymous)';
    // Native bindings have no URL and generic names (run, all, exec): name them by their JS caller.
    if (where === '' && !name.startsWith('(')) {
      const up = parent.get(id);
      const caller = up === undefined ? undefined : byId.get(up)?.callFrame;
      if (caller !== undefined)
        where = `native, called by ${caller.functionName || '(anonymous)'} ${shortUrl(caller.url)}`;
    }
    const key = `${name}\u0000${where}`;
    const prev = functions.get(key);
    functions.set(key, { name, where, micros: (prev?.micros ?? 0) + micros });
    // Native time counts towards the package that called it (better-sqlite3, node:internal for crypto…).
    const up = frame.url === '' && !name.startsWith('(') ? parent.get(id) : undefined;
    const callerFrame = up === undefined ? undefined : byId.get(up)?.callFrame;
    const group = callerFrame === undefined ? groupOf(frame) : `${groupOf(callerFrame)} (native)`;
    groups.set(group, (groups.get(group) ?? 0) + micros);
  }
  return {
    totalMicros: total,
    functions: [...functions.values()].sort((a, b) => b.micros - a.micros),
    groups: [...groups.entries()]
      .map(([group, micros]) => ({ group, micros }))
      .sort((a, b) => b.micros - a.micros),
  };
}

export function renderSummary(summary: ProfileSummary, top: number): string {
  const pct = (us: number) => `${((100 * us) / summary.totalMicros).toFixed(1).padStart(5)}%`;
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  const lines = [
    `total sampled ${(summary.totalMicros / 1e6).toFixed(2)} s`,
    '',
    'top functions by self time:',
  ];
  for (const f of summary.functions.slice(0, top))
    lines.push(`${pct(f.micros)} ${ms(f.micros)}  ${f.name}  ${f.where}`);
  lines.push('', 'self time by package / folder:');
  for (const g of summary.groups.slice(0, top)) lines.push(`${pct(g.micros)} ${ms(g.micros)}  ${g.group}`);
  return lines.join('\n');
}

/** Self time of `name`, split by the chain of its `depth` nearest callers. */
function parents(profile: Profile): Map<number, number> {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  return parent;
}

export function callersOf(profile: Profile, name: string, depth = 3): { path: string; micros: number }[] {
  const parent = parents(profile);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const paths = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    if (node.callFrame.functionName !== name) return;
    const chain: string[] = [];
    let up = parent.get(id);
    while (up !== undefined && chain.length < depth) {
      const f = byId.get(up)!.callFrame;
      chain.push(`${f.functionName || '(anonymous)'}${f.url ? ` (${shortUrl(f.url)})` : ''}`);
      up = parent.get(up);
    }
    const key = chain.join(' ← ');
    paths.set(key, (paths.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return [...paths.entries()].map(([path, micros]) => ({ path, micros })).sort((a, b) => b.micros - a.micros);
}

/** Inclusive (total) time of each named function: samples with it anywhere on the stack, counted once. */
export function inclusiveTimes(
  profile: Profile,
  names: readonly string[],
): { name: string; micros: number }[] {
  const parent = parents(profile);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map(names.map((n) => [n, 0]));
  profile.samples.forEach((id, i) => {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = byId.get(at)!.callFrame.functionName;
      if (totals.has(name)) seen.add(name);
    }
    for (const name of seen) totals.set(name, totals.get(name)! + (profile.timeDeltas[i] ?? 0));
  });
  return names.map((name) => ({ name, micros: totals.get(name)! }));
}

function profilesIn(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(path, f));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const callers = process.argv.find((a) => a.startsWith('--callers='))?.slice('--callers='.length);
  const inclusive = process.argv
    .find((a) => a.startsWith('--inclusive='))
    ?.slice('--inclusive='.length)
    .split(',');
  const target = positional[0];
  const top = Number(positional[1] ?? 25);
  if (target === undefined) {
    process.stderr.write(
      'usage: npx tsx bench/tools/cpuprofile-summary.ts <file.cpuprofile | folder> [top]\n',
    );
    process.exit(2);
  }
  for (const file of profilesIn(target)) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    process.stdout.write(`== ${relative(root, file)}\n${renderSummary(summarise(profile), top)}\n\n`);
    if (inclusive !== undefined) {
      const total = summarise(profile).totalMicros;
      process.stdout.write('inclusive time:\n');
      for (const t of inclusiveTimes(profile, inclusive)) {
        const pct = ((100 * t.micros) / total).toFixed(1).padStart(5);
        process.stdout.write(`${pct}% ${(t.micros / 1000).toFixed(0).padStart(7)} ms  ${t.name}\n`);
      }
      process.stdout.write('\n');
    }
    if (callers !== undefined) {
      process.stdout.write(`callers of ${callers}:\n`);
      for (const c of callersOf(profile, callers).slice(0, top)) {
        process.stdout.write(`${(c.micros / 1000).toFixed(0).padStart(7)} ms  ${c.path}\n`);
      }
      process.stdout.write('\n');
    }
  }
}
