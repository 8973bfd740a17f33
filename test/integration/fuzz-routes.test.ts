import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../support/test-node.js';

/**
 * Property: whatever anyone sends to any route of the node's OpenAPI
 * document (generated path parameters, query strings, headers and bodies),
 * the node never answers 5xx, every 4xx is problem+json with a catalogue
 * code, and the store does not move. Fixed seed; FUZZ_RUNS cases (default
 * 3,000 in `npm test`; `npm run fuzz` runs many more with a fresh seed).
 */

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 3_000);
const SEED = process.env['FUZZ_SEED'] === undefined ? 0x11_2026 : Number(process.env['FUZZ_SEED']);

interface Route {
  readonly method: string;
  readonly path: string;
}

let t: TestNode;
let routes: Route[];

beforeAll(async () => {
  t = await startTestNode();
  await t.issuer('DMV', ['driving-licence']);
  // A signed checkpoint exists, so log reads answer rather than 503 CHECKPOINT_NOT_YET.
  await t.seal();
  const doc = JSON.parse((await t.get('/docs/json')).body) as {
    paths: Record<string, Record<string, unknown>>;
  };
  routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.keys(methods)
      .filter((m) => ['get', 'post', 'put', 'delete', 'patch'].includes(m))
      .map((method) => ({ method: method.toUpperCase(), path })),
  );
});

afterAll(async () => {
  await t.close();
});

const printable = fc.string({
  unit: fc.constantFrom(...' !"#$%&\'()*+,-./0123456789:;<=>?@AZaz[\\]^_`{|}~'),
});
const anyText = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), printable);
const idLike = fc.oneof(
  anyText,
  fc.constantFrom(
    'crt_aaaaaaaaaaaaaaaaaaaaaaaa',
    'ent_aaaaaaaaaaaaaaaaaaaaaaaa',
    'DMV',
    'AUTHORITY',
    '0',
    '-1',
    'latest',
  ),
  fc.nat().map(String),
);

/** A path segment as a client could send it: percent-encoded where it must be (a lone surrogate cannot be). */
function segment(value: string): string {
  try {
    return encodeURIComponent(value) || '_';
  } catch {
    return '%ED%A0%80';
  }
}

const jsonBody = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .record({ payload: fc.dictionary(printable, fc.jsonValue()), signature: fc.jsonValue() })
    .map((v) => JSON.stringify(v)),
  fc.nat({ max: 200 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  fc.constantFrom('{"n":1e400}', '{"s":"\\ud800"}', '{"__proto__":{}}', '{', '', 'null', '[]'),
  anyText,
);

const request = fc.record({
  routeIndex: fc.nat(),
  params: fc.array(idLike, { minLength: 4, maxLength: 4 }),
  query: fc.dictionary(
    fc.constantFrom(
      'limit',
      'cursor',
      'start',
      'end',
      'wait',
      'format',
      'q',
      'index',
      'size',
      'first',
      'second',
      'x',
    ),
    anyText,
    { maxKeys: 3 },
  ),
  headers: fc.dictionary(
    fc.constantFrom(
      'signature-input',
      'signature',
      'content-digest',
      'accept',
      'accept-language',
      'x-anything',
    ),
    printable,
    { maxKeys: 3 },
  ),
  contentType: fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/x-ndjson',
    'text/plain',
    'application/octet-stream',
    undefined,
  ),
  body: jsonBody,
});

describe('fuzzing every route of the OpenAPI document', () => {
  it(`never a 5xx, always problem+json for 4xx, store unmoved (${RUNS} cases, seed ${SEED})`, async () => {
    expect(routes.length).toBeGreaterThan(20);
    const before = await t.lastPosition();
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const route = routes[r.routeIndex % routes.length]!;
        let n = 0;
        const path = route.path.replace(/\{[^}]+\}/g, () => segment(r.params[n++ % 4]!));
        const query = new URLSearchParams(r.query).toString();
        const url = `${path}${query === '' ? '' : `?${query}`}`;
        const hasBody = route.method !== 'GET';
        const res = await t.node.app.inject({
          method: route.method as 'GET',
          url,
          headers: {
            ...r.headers,
            ...(hasBody && r.contentType !== undefined ? { 'content-type': r.contentType } : {}),
          },
          ...(hasBody ? { payload: r.body } : {}),
        });
        seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1);
        const where = `${route.method} ${url} → ${res.statusCode} ${res.body.slice(0, 300)}`;
        // 503 is backpressure, not a failure: allowed only as a problem with Retry-After. Never a 500.
        if (res.statusCode === 503) expect(res.headers['retry-after'], where).toBeDefined();
        else expect(res.statusCode, where).toBeLessThan(500);
        // The citizen page answers people: its refusals are an HTML page, by design (proof-page-handlers.ts).
        const humanPage =
          route.path.startsWith('/p/') && String(res.headers['content-type']).startsWith('text/html');
        if (res.statusCode >= 400 && !humanPage) {
          expect(String(res.headers['content-type']), where).toMatch(/^application\/problem\+json/);
          expect(JSON.parse(res.body), where).toMatchObject({ code: expect.stringMatching(/^[A-Z_]+$/) });
        }
        expect(await t.lastPosition(), where).toBe(before);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    console.log(`fuzzed ${routes.length} routes, statuses: ${JSON.stringify(Object.fromEntries(seen))}`);
  }, 600_000);
});
