import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DCAT_AP_SKIP_REASON, expectExportConformant, loadFixtures } from '../support/dcat-ap-validation.js';
import { jsonOf, type NodeProcess, runCli, startNodeProcess } from './support/cli-process.js';

/**
 * `chancery directory …` as a department runs it, every step a real process:
 * publish, upload (a refusal lists the failing record and pointer), search,
 * request, grant, fetch, audit, revoke.
 */
describe('chancery directory CLI', () => {
  let tmp: string;
  let node: NodeProcess;
  const key = (name: string) => join(tmp, `${name}.key`);

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'chancery-directory-cli-'));
    node = await startNodeProcess(join(tmp, 'data'));
    if (DCAT_AP_SKIP_REASON === undefined) loadFixtures(); // the DCAT-AP shapes and vocabularies, parsed once before the walks
  });

  afterAll(async () => {
    await node?.stop('SIGKILL');
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  const cli = (...args: string[]) => runCli([...args, '--url', node.url]);

  // Each walk starts a dozen and more CLI processes (tsx start-up each): minutes on a loaded 2-core machine.
  const WALK_TIMEOUT_MS = 180_000;

  it(
    'walks publish → upload → search → request → grant → fetch → audit → revoke',
    async () => {
      const authority = join(tmp, 'data', 'authority.key');
      // TRANSPORT starts as an issuer only (as after the quick start) and is given the publisher role below.
      for (const [code, role] of [
        ['TRANSPORT', 'issuer'],
        ['HEALTH', 'consumer'],
      ] as const) {
        jsonOf(await runCli(['keygen', '--out', key(code), '--json']));
        jsonOf(
          await cli(
            'identity',
            'register',
            '--as',
            authority,
            '--code',
            code,
            '--name',
            code,
            '--role',
            role,
            '--key',
            `${key(code)}.pub`,
            '--json',
          ),
        );
      }
      const roles = await cli(
        'identity',
        'update-roles',
        'TRANSPORT',
        '--add',
        'publisher',
        '--as',
        authority,
      );
      expect(roles.code, roles.stderr).toBe(0);
      expect(roles.stdout).toContain('TRANSPORT now holds the roles issuer, publisher');
      const schema = join(tmp, 'counts.schema.json');
      writeFileSync(
        schema,
        JSON.stringify({
          type: 'object',
          required: ['station', 'count'],
          properties: { station: { type: 'string' }, count: { type: 'integer', minimum: 0 } },
        }),
      );
      const { entryId } = jsonOf<{ entryId: string }>(
        await cli(
          'directory',
          'publish',
          '--as',
          key('TRANSPORT'),
          '--title',
          'Traffic counts',
          '--description',
          'Hourly counts per station',
          '--keyword',
          'traffic',
          '--theme',
          'TRAN',
          '--access-rights',
          'restricted',
          '--license',
          'CC-BY-4.0',
          '--schema',
          schema,
          // As the README's example: what harvesters look for.
          '--language',
          'ENG',
          '--bbox',
          '110.35,31.38,116.65,36.37',
          '--temporal-start',
          '2020-01-01',
          '--json',
        ),
      );
      expect(entryId).toMatch(/^ent_[a-z2-7]{24}$/);

      const bad = join(tmp, 'bad.ndjson');
      writeFileSync(bad, '{"station":"A1","count":3}\n{"station":"A2","count":-1}\n');
      const refused = await cli('directory', 'upload', entryId, bad, '--as', key('TRANSPORT'));
      expect(refused.code).toBe(1);
      // Records are numbered from 1, and the message names the bad value.
      expect(refused.stderr).toBe(
        'error RECORDS_INVALID: 1 error in 1 record: record 2 /count is -1; must be >= 0\n' +
          '  record 2 /count: is -1; must be >= 0\n',
      );

      const good = join(tmp, 'counts.json');
      writeFileSync(
        good,
        JSON.stringify([
          { station: 'A1', count: 3 },
          { station: 'A2', count: 5 },
        ]),
      );
      const uploaded = jsonOf<{ version: number; recordCount: number }>(
        await cli('directory', 'upload', entryId, good, '--as', key('TRANSPORT'), '--json'),
      );
      expect(uploaded).toMatchObject({ version: 1, recordCount: 2 });

      const found = await cli('directory', 'search', 'traffic', '--theme', 'TRAN');
      expect(found.code).toBe(0);
      expect(found.stdout).toContain(`${entryId}  Traffic counts  (TRANSPORT, restricted, v1)`);

      const { requestId } = jsonOf<{ requestId: string }>(
        await cli(
          'directory',
          'request',
          entryId,
          '--as',
          key('HEALTH'),
          '--purpose',
          'accident study',
          '--duration',
          '30d',
          '--json',
        ),
      );
      const pending = await cli('directory', 'requests', '--as', key('TRANSPORT'));
      expect(pending.code, pending.stderr).toBe(0);
      expect(pending.stdout).toContain('1 pending request on the entries of TRANSPORT');
      expect(pending.stdout).toContain(`${requestId}  pending  ${entryId}  from HEALTH`);
      expect(pending.stdout).toContain('accident study');
      // A third party learns nothing: the listing is signed and narrowed to the signer's own requests.
      const mine = jsonOf<{ items: unknown[] }>(
        await cli('directory', 'requests', '--as', key('HEALTH'), '--json'),
      );
      expect(mine.items).toEqual([]);
      const { grantId } = jsonOf<{ grantId: string }>(
        await cli('directory', 'grant', requestId, '--as', key('TRANSPORT'), '--expires-in', '7d', '--json'),
      );
      expect(grantId).toBe(`grt_${requestId.slice(4)}`);

      const out = join(tmp, 'fetched.json');
      const fetched = jsonOf<{ version: number }>(
        await cli('directory', 'fetch', entryId, '--as', key('HEALTH'), '--out', out, '--json'),
      );
      expect(fetched.version).toBe(1);
      expect(readFileSync(out, 'utf8')).toBe(readFileSync(good, 'utf8'));
      writeFileSync(out, 'mine');
      const kept = await cli('directory', 'fetch', entryId, '--as', key('HEALTH'), '--out', out);
      expect(kept.code).toBe(1);
      expect(kept.stderr).toContain(
        `${out} already exists: choose another --out, or add --force to overwrite it`,
      );
      expect(readFileSync(out, 'utf8')).toBe('mine');
      jsonOf(
        await cli('directory', 'fetch', entryId, '--as', key('HEALTH'), '--out', out, '--force', '--json'),
      );
      expect(readFileSync(out, 'utf8')).toBe(readFileSync(good, 'utf8'));

      const audit = jsonOf<{ items: { consumerId: string; grantId: string }[] }>(
        await cli('directory', 'audit', entryId, '--as', key('TRANSPORT'), '--json'),
      );
      // Two fetches, the forced one included: every fetch is recorded.
      expect(audit.items).toEqual([
        expect.objectContaining({ consumerId: 'HEALTH', grantId }),
        expect.objectContaining({ consumerId: 'HEALTH', grantId }),
      ]);

      jsonOf(await cli('directory', 'revoke', grantId, '--as', key('TRANSPORT'), '--json'));
      const denied = await cli(
        'directory',
        'fetch',
        entryId,
        '--as',
        key('HEALTH'),
        '--out',
        out,
        '--force',
        '--json',
      );
      expect(denied.code).toBe(1);
      expect(JSON.parse(denied.stderr)).toMatchObject({ code: 'GRANT_REVOKED', status: 403 });

      // The README's directory example, followed to here, exports a DCAT-AP 3 conformant catalog.
      await expectExportConformant(await exported([entryId]));
    },
    WALK_TIMEOUT_MS,
  );

  it(
    'states coverage, languages and contact with flags, and describes the catalog',
    async () => {
      const schema = join(tmp, 'stops.schema.json');
      writeFileSync(schema, JSON.stringify({ type: 'object' }));
      const { entryId } = jsonOf<{ entryId: string }>(
        await cli(
          'directory',
          'publish',
          '--as',
          key('TRANSPORT'),
          '--title',
          'Bus stops',
          '--description',
          'Every stop',
          '--theme',
          'TRAN,road safety',
          '--access-rights',
          'public',
          '--license',
          'CC0-1.0',
          '--schema',
          schema,
          '--language',
          'ENG,zho',
          '--spatial',
          'https://sws.geonames.org/1808520/',
          '--spatial-label',
          'Henan',
          '--bbox',
          '110.35,31.38,116.65,36.37',
          '--temporal-start',
          '2020-01-01',
          '--temporal-end',
          '2025-12-31',
          '--contact-name',
          'Open data desk',
          '--contact-email',
          'data@transport.example',
          '--contact-url',
          'https://transport.example/contact',
          '--update-frequency',
          'monthly',
          '--json',
        ),
      );
      // An update changes only what its flags name: here the end of the coverage and the box.
      jsonOf(
        await cli(
          'directory',
          'update',
          entryId,
          '--as',
          key('TRANSPORT'),
          '--temporal-end',
          '2026-06-30',
          '--bbox',
          '110,31,117,37',
          '--json',
        ),
      );
      const entry = (await (await fetch(`${node.url}/v1/directory/entries/${entryId}`)).json()) as Record<
        string,
        unknown
      >;
      expect(entry).toMatchObject({
        metadataVersion: 2,
        languages: ['ENG', 'ZHO'],
        spatial: { uri: 'https://sws.geonames.org/1808520/', label: 'Henan', bbox: [110, 31, 117, 37] },
        temporal: { start: '2020-01-01', end: '2026-06-30' },
        contactPoint: {
          name: 'Open data desk',
          email: 'data@transport.example',
          url: 'https://transport.example/contact',
        },
        updateFrequency: 'monthly',
      });

      const authority = join(tmp, 'data', 'authority.key');
      jsonOf(
        await cli(
          'directory',
          'describe-catalog',
          '--as',
          authority,
          '--title',
          'Province data directory',
          '--language',
          'ENG',
          '--license',
          'CC-BY-4.0',
          '--spatial',
          'https://sws.geonames.org/1808520/',
          '--theme-taxonomy',
          'http://eurovoc.europa.eu/100141=EuroVoc',
          '--publisher-type',
          'RegionalAuthority',
          '--json',
        ),
      );
      const refused = await cli(
        'directory',
        'describe-catalog',
        '--as',
        key('TRANSPORT'),
        '--language',
        'ENG',
        '--json',
      );
      expect(refused.code).toBe(1);
      expect(JSON.parse(refused.stderr)).toMatchObject({ code: 'ROLE_MISSING', status: 403 });

      const docs = await exported([entryId]);
      expect(docs[0]).toMatchObject({ 'dct:title': 'Province data directory' });
      await expectExportConformant(docs);
    },
    WALK_TIMEOUT_MS,
  );

  /** The catalog's first page and the entries' documents, over HTTP from the running node. */
  async function exported(entryIds: string[]): Promise<object[]> {
    const get = async (path: string) => {
      const res = await fetch(`${node.url}${path}`);
      expect(res.status).toBe(200);
      return (await res.json()) as object;
    };
    return [
      await get('/v1/catalog.jsonld'),
      ...(await Promise.all(entryIds.map((id) => get(`/v1/directory/entries/${id}.jsonld`)))),
    ];
  }
});
