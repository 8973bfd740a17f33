import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { EU_THEMES } from '../src/api/presenters/dcat-vocabularies.js';
import { ingestDataset } from '../src/application/directory/dataset-ingest.js';
import { RecordSchemas } from '../src/application/directory/record-schemas.js';
import { RecordValidationPool } from '../src/application/directory/record-validation-pool.js';
import { BlobStore } from '../src/infrastructure/blobs/blob-store.js';
import { parseQuery } from '../src/infrastructure/projections/catalog-query.js';
import { CatalogReadModel, FACETS } from '../src/infrastructure/projections/catalog-read-model.js';
import { searchCatalog } from '../src/infrastructure/projections/catalog-search.js';
import { openNodeDatabase } from '../src/infrastructure/projections/node-database.js';
import { percentile } from './lib/stats.js';
import { type Benchmark, type BenchRow, scaled } from './lib/types.js';

/**
 * The data directory: (1) record validation and ingest (split, JSON.parse,
 * ajv, SHA-256, write to a blob) in records/s beside ajv's raw rate for the
 * same schema and records in the same run, target ≥ 50%. The baselines are
 * one thread; ingest checks records in the validation workers (one per core)
 * and is also shown with every batch on the event loop, and for the first
 * upload (workers starting). (2) catalog search latency (FTS5 + filters +
 * facet counts) with 100,000 entries.
 *
 * Environment: BENCH_DIRECTORY_RECORDS (default 400000), BENCH_DIRECTORY_ENTRIES (default 100000).
 */

const SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['id', 'station', 'hour', 'count', 'vehicle'],
  additionalProperties: false,
  properties: {
    id: { type: 'integer', minimum: 1 },
    station: { type: 'string', pattern: '^[A-Z]{2}-[0-9]{4}$' },
    hour: { type: 'string', format: 'date-time' },
    count: { type: 'integer', minimum: 0 },
    vehicle: { enum: ['car', 'truck', 'bus', 'bike'] },
  },
};
const VEHICLES = ['car', 'truck', 'bus', 'bike'];

/**
 * The machine's ceiling for the same work: JSON.parse + ajv over the same
 * lines in `threads` threads at once, each on its own copy, no I/O and no
 * pipeline. Two vCPUs are not always two cores' worth of throughput.
 */
const CEILING_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  (await import(workerData.tsx)).register();
  const { RecordSchemas } = await import(workerData.schemas);
  const { validate } = new RecordSchemas().check(workerData.schema);
  const lines = workerData.lines;
  for (let r = 0; r < 2; r++) for (const l of lines) validate(JSON.parse(l));
  parentPort.postMessage('ready');
  const ms = await new Promise((resolve) => parentPort.once('message', resolve));
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < ms) {
    for (let i = 0; i < 10000; i++) if (!validate(JSON.parse(lines[(n + i) % lines.length]))) throw new Error('invalid');
    n += 10000;
  }
  parentPort.postMessage(n / ((performance.now() - start) / 1000));
})();`;

async function parseAjvAllThreads(threads: number, lines: string[], ms: number): Promise<number> {
  const workerData = {
    tsx: import.meta.resolve('tsx/esm/api'),
    schemas: new URL('../src/application/directory/record-schemas.ts', import.meta.url).href,
    schema: SCHEMA,
    lines: lines.slice(0, 100_000),
  };
  const workers = Array.from(
    { length: threads },
    () => new Worker(CEILING_WORKER, { eval: true, workerData }),
  );
  try {
    const failed = new Promise<never>((_, reject) => {
      for (const w of workers) w.once('error', reject);
    });
    const message = (w: Worker) => new Promise<unknown>((resolve) => w.once('message', resolve));
    await Promise.race([Promise.all(workers.map(message)), failed]);
    const rates = workers.map(message);
    for (const w of workers) w.postMessage(ms);
    const all = (await Promise.race([Promise.all(rates), failed])) as number[];
    return all.reduce((a, b) => a + b, 0);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
const line = (i: number) =>
  `{"id":${i + 1},"station":"AB-${String(i % 10000).padStart(4, '0')}","hour":"2026-01-01T${String(i % 24).padStart(2, '0')}:00:00Z","count":${i % 500},"vehicle":"${VEHICLES[i % 4]}"}\n`;

function ndjsonBody(count: number): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(line(i));
  return Buffer.from(parts.join(''));
}

const WORDS = [
  'traffic',
  'water',
  'school',
  'hospital',
  'budget',
  'census',
  'air',
  'quality',
  'roads',
  'energy',
  'crime',
  'housing',
  'bus',
  'river',
  'forest',
  'tax',
];
const THEMES = Object.keys(EU_THEMES);
const LICENSES = ['CC-BY-4.0', 'CC0-1.0', 'OGL-3.0'];
const ACCESS = ['public', 'restricted', 'non-public'] as const;
const FORMATS = ['CSV', 'JSON', 'NDJSON', 'XLSX'];

export const benchmark: Benchmark = {
  name: 'directory',
  order: 60,
  description: 'Directory: validation+ingest records/s vs raw ajv; search p50/p99 at 100k entries',
  async run(ctx) {
    const rows: BenchRow[] = [];
    const count = scaled(ctx.scale, Number(process.env['BENCH_DIRECTORY_RECORDS'] ?? 400_000), 10_000);
    const body = ndjsonBody(count);
    const schema = new RecordSchemas().check(SCHEMA as never);
    const { validate } = schema;
    const lines = body
      .toString('utf8')
      .split('\n')
      .filter((l) => l !== '');
    const parsed = lines.map((l) => JSON.parse(l) as unknown);

    // Baselines are the best of three passes, so neither is measured with a cold JIT.
    const best = (pass: () => void) => {
      let fastest = Number.POSITIVE_INFINITY;
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        pass();
        fastest = Math.min(fastest, performance.now() - started);
      }
      return count / (fastest / 1000);
    };
    // Baseline A: ajv alone over records already in memory as objects, one thread.
    const rawAjv = best(() => {
      for (const record of parsed) if (!validate(record)) throw new Error('record invalid');
    });
    // Baseline B: JSON.parse + ajv over the same lines: the least any validator of text must do on one thread.
    const parseAjv = best(() => {
      for (const l of lines) if (!validate(JSON.parse(l))) throw new Error('record invalid');
    });

    const pool = new RecordValidationPool();
    ctx.onCleanup(() => pool.close());
    const ceiling = await parseAjvAllThreads(pool.size, lines, scaled(ctx.scale, 2000, 500));

    const blobs = new BlobStore(join(ctx.tmpDir, 'blobs'));
    const digest = createHash('sha256').update(body).digest();
    const chunks = Array.from({ length: Math.ceil(body.length / 65536) }, (_, i) =>
      body.subarray(i * 65536, (i + 1) * 65536),
    );
    const ingestOnce = async (withPool: RecordValidationPool | null) => {
      const started = performance.now();
      const result = await ingestDataset(Readable.from(chunks), {
        mediaType: 'application/x-ndjson',
        schema,
        pool: withPool,
        blobs,
        expectedDigest: digest,
        expectedLength: body.length,
        maxBytes: 4 * 1024 ** 3,
        maxRecordBytes: 1024 * 1024,
        maxErrors: 10,
      });
      const seconds = (performance.now() - started) / 1000;
      if (result.recordCount !== count) throw new Error(`ingested ${result.recordCount} of ${count}`);
      return seconds;
    };
    // Cold: the node's first large upload starts the workers, which compile the schema (inside the timing).
    const coldSeconds = await ingestOnce(pool);
    // Warm: workers running with the schema compiled, as for every upload within their idle time.
    // Best of three, like the baselines.
    let ingestSeconds = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) ingestSeconds = Math.min(ingestSeconds, await ingestOnce(pool));
    // One thread: the same pipeline with every batch checked on the event loop (best of three).
    let oneThreadSeconds = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) oneThreadSeconds = Math.min(oneThreadSeconds, await ingestOnce(null));
    const ingest = count / ingestSeconds;
    const mib = body.length / 1024 / 1024;
    rows.push(
      { id: 'ajv-raw', metric: 'ajv validate (objects in memory, one thread)', value: rawAjv, unit: 'rec/s' },
      { id: 'ajv-parse', metric: 'JSON.parse + ajv validate (one thread)', value: parseAjv, unit: 'rec/s' },
      {
        id: 'ajv-parse-threads',
        metric: `JSON.parse + ajv validate, ${pool.size} threads at once (the machine's ceiling)`,
        value: ceiling,
        unit: 'rec/s',
        baselines: [{ label: 'parse+ajv 1 thread', value: parseAjv }],
      },
      {
        id: 'ingest',
        metric: `streamed ingest: split+parse+validate+sha256+write (${mib.toFixed(0)} MiB, ${pool.size} workers)`,
        value: ingest,
        unit: 'rec/s',
        baselines: [
          { label: 'ajv raw', value: rawAjv },
          { label: 'parse+ajv', value: parseAjv },
          { label: `parse+ajv ×${pool.size} threads`, value: ceiling },
        ],
        note: `${(mib / ingestSeconds).toFixed(0)} MiB/s; workers running, schema compiled`,
      },
      {
        id: 'ingest-cold',
        metric: 'streamed ingest, first upload (workers start, compile the schema)',
        value: count / coldSeconds,
        unit: 'rec/s',
        baselines: [{ label: 'ajv raw', value: rawAjv }],
        note: 'under tsx the workers also compile their TypeScript at start',
      },
      {
        id: 'ingest-1thread',
        metric: 'streamed ingest, every batch checked on the event loop',
        value: count / oneThreadSeconds,
        unit: 'rec/s',
        baselines: [
          { label: 'ajv raw', value: rawAjv },
          { label: 'parse+ajv', value: parseAjv },
        ],
      },
    );
    ctx.headline(
      `ingest ${Math.round(ingest)} rec/s = ${((ingest / rawAjv) * 100).toFixed(0)}% of raw ajv (target ≥ 50%), ${((ingest / parseAjv) * 100).toFixed(0)}% of parse+ajv, ${((ingest / ceiling) * 100).toFixed(0)}% of parse+ajv on ${pool.size} threads`,
    );

    // Search at 100k entries: project synthetic events straight into a read model.
    const entries = scaled(ctx.scale, Number(process.env['BENCH_DIRECTORY_ENTRIES'] ?? 100_000), 1000);
    const db = openNodeDatabase(join(ctx.tmpDir, 'node.db'));
    ctx.onCleanup(() => {
      db.close();
    });
    const catalog = new CatalogReadModel(db);
    catalog.migrate(db);
    const t0 = performance.now();
    db.exec('BEGIN');
    for (let i = 0; i < entries; i++) {
      const w = (k: number) => WORDS[(i * 7 + k * 13) % WORDS.length]!;
      catalog.apply({
        stream: `directory-entry-e${i}`,
        revision: 0n,
        position: BigInt(i + 1),
        type: 'CatalogEntryPublished',
        recordedAt: '2026-01-01T00:00:00Z',
        metadata: null,
        data: {
          entryId: `ent_${String(i).padStart(24, 'a')}`,
          publisherId: `DEPT-${i % 40}`,
          metadataVersion: 1,
          schemaDigest: 'c'.repeat(64),
          publishedAt: new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          metadata: {
            title: `${w(0)} ${w(1)} dataset ${i}`,
            description: `Records of ${w(2)} and ${w(3)} collected by department ${i % 40}.`,
            keywords: [w(4), w(5)],
            themes: [THEMES[i % THEMES.length]!],
            contactPoint: null,
            license: LICENSES[i % LICENSES.length]!,
            accessRights: ACCESS[i % 3]!,
            updateFrequency: 'monthly',
            spatial: null,
            temporal: null,
            distributions: [{ format: FORMATS[i % FORMATS.length]! }],
            conformsTo: { type: 'object' },
          },
        },
      });
      if (i % 5000 === 4999) db.exec('COMMIT; BEGIN');
    }
    db.exec('COMMIT');
    ctx.log(`seeded ${entries} entries in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const queries = [
      { q: 'traffic', filters: [] },
      { q: 'water quality', filters: [] },
      { q: 'school OR hospital', filters: [['theme', 'EDUC']] },
      { q: '', filters: [['publisher', 'DEPT-7']] },
      { q: '', filters: [] },
      { q: 'budget -tax', filters: [['accessRights', 'public']] },
      { q: 'en*', filters: [['format', 'CSV']] },
    ] as const;
    const samples = scaled(ctx.scale, 700, 70);
    const latencies = new Float64Array(samples);
    for (let i = 0; i < samples; i++) {
      const query = queries[i % queries.length]!;
      const parsedQuery = parseQuery(query.q);
      const started = performance.now();
      searchCatalog(db, catalog, {
        query: parsedQuery,
        filters: query.filters.map(([f, v]) => [f, v] as const),
        sort: parsedQuery.match === null ? 'metadata_modified desc' : 'score desc',
        rows: 20,
        start: 0,
        cursor: null,
        facets: [...FACETS],
        facetLimit: 20,
      });
      latencies[i] = performance.now() - started;
    }
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    // Per query shape, for the JSON (the slowest shapes are the broad text queries ranked by bm25).
    const byShape = Object.fromEntries(
      queries.map((query, shape) => {
        const mine = latencies.filter((_, i) => i % queries.length === shape);
        return [
          `p50 ${query.q || '*:*'} ${query.filters.map((f) => f.join('=')).join(' ')}`.trim(),
          percentile(mine, 50),
        ];
      }),
    );
    rows.push(
      {
        id: 'search-first',
        metric: 'first search after start (loads the facet index from SQLite)',
        value: latencies[0]!,
        unit: 'ms',
      },
      { id: 'search-p50', metric: `search p50 (${entries} entries, FTS5 + facets)`, value: p50, unit: 'ms' },
      {
        id: 'search-p99',
        metric: `search p99 (${entries} entries, FTS5 + facets)`,
        value: p99,
        unit: 'ms',
        note: `${samples} queries, 7 shapes`,
        extra: byShape,
      },
    );
    ctx.headline(`search at ${entries} entries: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);
    return rows;
  },
};
