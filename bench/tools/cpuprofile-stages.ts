/**
 * The node's CPU per certification by stage of its hot path (issue 14's
 * breakdown: HTTP, JSON, schema, canonicalisation, verify, append, read
 * models, log), from a .cpuprofile of the node's main thread.
 *
 * Each sample is charged to the innermost frame on its stack that names a
 * stage: a library whose work is a stage (canonicalize, ajv's compiled
 * validators, JSON.parse/stringify, node:crypto), else the source folder of
 * the nearest of our own frames, else the HTTP server's code. So a SQLite
 * call made by the event store counts as append, one made by a read model as
 * read models. The Ed25519 verifications themselves run on libuv's threadpool
 * (src/infrastructure/crypto) and are not in a main-thread profile: the
 * caller reports them as node CPU minus main-thread CPU. 'crypto' is what
 * node:crypto costs the event loop: SHA-256 calls and handing verifications
 * to the threadpool.
 */
import type { Profile } from './cpuprofile-summary.js';

export const STAGES = [
  'HTTP',
  'JSON',
  'schema',
  'canonicalisation',
  'crypto',
  'pipeline',
  'append',
  'read models',
  'log',
  'GC',
  'other',
] as const;
export type Stage = (typeof STAGES)[number];

interface Frame {
  readonly functionName: string;
  readonly url: string;
}

const SOURCE_STAGES: readonly [RegExp, Stage][] = [
  [/\/(?:src|dist)\/infrastructure\/eventstore\//, 'append'],
  [/\/(?:src|dist)\/infrastructure\/(projections|log-state|state-map)\//, 'read models'],
  [/\/(?:src|dist)\/(infrastructure\/sequencer|domain\/log)\//, 'log'],
  [/\/(?:src|dist)\/domain\/canonical\//, 'canonicalisation'],
  [/\/(?:src|dist)\/infrastructure\/crypto\//, 'crypto'],
  [/\/(?:src|dist)\/api\/hardening\/json-/, 'JSON'],
  [/\/(?:src|dist)\/(application|domain)\//, 'pipeline'],
  [/\/(?:src|dist)\/(api|node)\//, 'HTTP'],
];

const LIBRARY_STAGES: readonly [RegExp, Stage][] = [
  [/node_modules\/canonicalize\//, 'canonicalisation'],
  [/node_modules\/(ajv|ajv-formats|fast-uri)\//, 'schema'],
  [/node_modules\/(secure-json-parse|fast-json-stringify)\//, 'JSON'],
  [/node:internal\/crypto\//, 'crypto'],
  [/node_modules\/(fastify|@fastify\/[^/]+|find-my-way|avvio|light-my-request|pino[^/]*)\//, 'HTTP'],
  [/node:(internal\/http|_http|internal\/streams|net|internal\/stream_base)/, 'HTTP'],
];

function stageOfFrame(frame: Frame): Stage | null {
  const { functionName: name, url } = frame;
  if (name === '(garbage collector)') return 'GC';
  // JSON.parse / JSON.stringify are builtins without a URL.
  if (url === '' && (name === 'parse' || name === 'stringify')) return 'JSON';
  // Ajv compiles each schema into functions named validate<N>, which have no source file.
  if (/^validate\d*$/.test(name) && url === '') return 'schema';
  for (const [pattern, stage] of LIBRARY_STAGES) if (pattern.test(url)) return stage;
  // Our own code, as tsx runs it (src/) or as `npm start` and the benchmarks' nodes run it (dist/).
  if (url.includes('/node_modules/')) return null;
  for (const [pattern, stage] of SOURCE_STAGES) if (pattern.test(url)) return stage;
  return null;
}

/** Microseconds of main-thread time per stage; '(idle)' and '(program)' samples are left out. */
export function stageTimes(profile: Profile): Map<Stage, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const cache = new Map<number, Stage | null>();
  const stageOfNode = (id: number): Stage | null => {
    if (cache.has(id)) return cache.get(id)!;
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)' || frame.functionName === '(program)') return null;
    const up = parent.get(id);
    const stage = stageOfFrame(frame) ?? (up === undefined ? 'other' : stageOfNode(up));
    cache.set(id, stage);
    return stage;
  };
  const times = new Map<Stage, number>(STAGES.map((s) => [s, 0]));
  profile.samples.forEach((id, i) => {
    const stage = stageOfNode(id);
    if (stage !== null) times.set(stage, times.get(stage)! + (profile.timeDeltas[i] ?? 0));
  });
  return times;
}
