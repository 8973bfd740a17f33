/**
 * Which authority a node serves under, on a store it may share with others:
 * the log's first event decides. Also how the node's store, log key and
 * store URL are read from flags and environment.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventStore } from '../../../src/infrastructure/eventstore/port.js';
import { initDataDir, type NodeIdentityFile } from '../../../src/node/data-dir.js';
import { settleAuthority } from '../../../src/node/log-authority.js';
import { resolveNodeConfig } from '../../../src/node/node-config.js';
import { openEventStore } from '../../../src/node/open-event-store.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const NOW = new Date('2026-11-21T10:00:00Z');

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chancery-authority-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function sharedStore(dir: string): Promise<EventStore> {
  const store = await openEventStore({ kind: 'sqlite', path: join(dir, 'events.db') });
  cleanups.push(() => store.close());
  return store;
}

const init = (dir: string, authorityCode = 'AUTHORITY') =>
  initDataDir(dir, { origin: 'test/chancery', authorityCode, authorityName: 'Root', now: NOW });
const nodeJson = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'node.json'), 'utf8')) as NodeIdentityFile;

describe('settleAuthority', () => {
  it('founds the log on an empty store with the authority key of the folder', async () => {
    const root = tempDir();
    const store = await sharedStore(root);
    const folder = init(join(root, 'a'));
    const authority = await settleAuthority(store, folder, NOW);
    expect(authority).toEqual({
      id: 'AUTHORITY',
      keyId: folder.authorityKey!.keyId,
      founded: true,
      unusedKeyFile: null,
    });
    const [genesis] = await store.readAll({ maxCount: 1 });
    expect(genesis).toMatchObject({ stream: 'identity-AUTHORITY', type: 'IdentityRegistered' });
    expect(nodeJson(join(root, 'a')).joined).toBeUndefined();
    // Again: nothing more is written.
    expect(await settleAuthority(store, init(join(root, 'a')), NOW)).toMatchObject({ founded: true });
    expect(await store.readAll()).toHaveLength(1);
  });

  it('joins a log founded elsewhere: node.json names that authority and the unused key is removed', async () => {
    const root = tempDir();
    const store = await sharedStore(root);
    const founder = init(join(root, 'a'));
    await settleAuthority(store, founder, NOW);

    // Another code configured here: the log's authority wins, and nothing is registered for this one.
    const joiner = init(join(root, 'b'), 'OTHER');
    expect(joiner.created).toBe(true);
    const authority = await settleAuthority(store, joiner, NOW);
    expect(authority).toEqual({
      id: 'AUTHORITY',
      keyId: founder.authorityKey!.keyId,
      founded: false,
      unusedKeyFile: null,
    });
    expect(nodeJson(join(root, 'b'))).toMatchObject({
      authorityId: 'AUTHORITY',
      authorityKeyId: founder.authorityKey!.keyId,
      joined: true,
      nodeKeyId: joiner.nodeKey.keyId,
    });
    expect(existsSync(join(root, 'b', 'authority.key'))).toBe(false);
    expect(existsSync(join(root, 'b', 'authority.key.pub'))).toBe(false);
    expect(await store.readAll()).toHaveLength(1);

    // A restart of the joined folder: no authority key expected, nothing rewritten.
    const again = init(join(root, 'b'));
    expect(again.authorityKey).toBeNull();
    expect(await settleAuthority(store, again, NOW)).toMatchObject({ founded: false, unusedKeyFile: null });
  });

  it('sets aside, rather than deletes, an older authority key of a folder that joins', async () => {
    const root = tempDir();
    const store = await sharedStore(root);
    await settleAuthority(store, init(join(root, 'a')), NOW);
    init(join(root, 'b'));
    // Not made by this start: it may matter to someone, so it is moved, not removed.
    const older = init(join(root, 'b'));
    expect(older.created).toBe(false);
    const authority = await settleAuthority(store, older, NOW);
    expect(authority.unusedKeyFile).toBe(join(root, 'b', 'authority.key.unused'));
    expect(existsSync(join(root, 'b', 'authority.key.unused'))).toBe(true);
    expect(existsSync(join(root, 'b', 'authority.key.unused.pub'))).toBe(true);
    expect(existsSync(join(root, 'b', 'authority.key'))).toBe(false);
  });

  it('refuses an empty store for a folder that joined another log, and a store that holds no Chancery log', async () => {
    const root = tempDir();
    const first = await sharedStore(join(root, 'one'));
    await settleAuthority(first, init(join(root, 'a')), NOW);
    await settleAuthority(first, init(join(root, 'b')), NOW);

    const empty = await sharedStore(join(root, 'two'));
    await expect(settleAuthority(empty, init(join(root, 'b')), NOW)).rejects.toThrow(
      /node\.json says this node joined a log founded elsewhere, but the event store is empty/,
    );

    const foreign = await sharedStore(join(root, 'three'));
    await foreign.append('orders-1', [{ type: 'OrderPlaced', data: { n: 1 } }], 'no_stream');
    await expect(settleAuthority(foreign, init(join(root, 'c')), NOW)).rejects.toThrow(
      "the event store's first event (OrderPlaced on orders-1) is not the registration of a root authority",
    );
  });
});

describe('resolveNodeConfig: store and log key', () => {
  it('uses sqlite and DATA/node.key by default', () => {
    const config = resolveNodeConfig({ dataDir: '/srv/chancery' }, {});
    expect(config.store).toEqual({ kind: 'sqlite' });
    expect(config.logKeyFile).toBe('/srv/chancery/node.key');
  });

  it('selects EventStoreDB by flag or environment; an EventStoreDB URL alone selects it', () => {
    const url = 'esdb://a:2113,b:2113?tls=false';
    expect(resolveNodeConfig({ store: 'eventstoredb', esdbUrl: url }, {}).store).toEqual({
      kind: 'eventstoredb',
      url,
    });
    expect(resolveNodeConfig({}, { CHANCERY_ESDB_URL: url }).store).toEqual({ kind: 'eventstoredb', url });
    expect(resolveNodeConfig({}, { CHANCERY_STORE: 'eventstoredb', CHANCERY_ESDB_URL: url }).store).toEqual({
      kind: 'eventstoredb',
      url,
    });
    // The flag wins over an inherited URL.
    expect(resolveNodeConfig({ store: 'sqlite' }, { CHANCERY_ESDB_URL: url }).store).toEqual({
      kind: 'sqlite',
    });
  });

  it('selects PostgreSQL by flag or environment; a PostgreSQL URL alone selects it; a schema is optional', () => {
    const url = 'postgres://chancery:secret@db.example:5432/chancery';
    expect(resolveNodeConfig({ store: 'postgres', pgUrl: url }, {}).store).toEqual({ kind: 'postgres', url });
    expect(resolveNodeConfig({}, { CHANCERY_PG_URL: url }).store).toEqual({ kind: 'postgres', url });
    expect(
      resolveNodeConfig({ pgSchema: 'province_log' }, { CHANCERY_STORE: 'postgres', CHANCERY_PG_URL: url })
        .store,
    ).toEqual({ kind: 'postgres', url, schema: 'province_log' });
    expect(resolveNodeConfig({}, { CHANCERY_PG_URL: url, CHANCERY_PG_SCHEMA: 'other' }).store).toEqual({
      kind: 'postgres',
      url,
      schema: 'other',
    });
    expect(resolveNodeConfig({ store: 'sqlite' }, { CHANCERY_PG_URL: url }).store).toEqual({
      kind: 'sqlite',
    });
    // Both URLs at once: --store decides.
    const esdb = 'esdb://a:2113?tls=false';
    expect(() => resolveNodeConfig({}, { CHANCERY_PG_URL: url, CHANCERY_ESDB_URL: esdb })).toThrow(
      'both a PostgreSQL and an EventStoreDB URL are set: choose one with --store',
    );
    expect(
      resolveNodeConfig({ store: 'eventstoredb' }, { CHANCERY_PG_URL: url, CHANCERY_ESDB_URL: esdb }).store,
    ).toEqual({ kind: 'eventstoredb', url: esdb });
  });

  it('refuses an unknown store, a store without its URL, and a URL of the wrong kind, without echoing it', () => {
    expect(() => resolveNodeConfig({ store: 'mysql' }, {})).toThrow(
      'invalid store: mysql (expected sqlite, postgres or eventstoredb)',
    );
    expect(() => resolveNodeConfig({ store: 'eventstoredb' }, {})).toThrow(
      '--store eventstoredb needs --esdb-url esdb://HOST:2113?tls=false (env CHANCERY_ESDB_URL)',
    );
    expect(() => resolveNodeConfig({ store: 'postgres' }, {})).toThrow(
      '--store postgres needs --pg-url postgres://USER@HOST:5432/DATABASE (env CHANCERY_PG_URL)',
    );
    const messageOf = (run: () => unknown) => {
      try {
        run();
      } catch (e) {
        return (e as Error).message;
      }
      return null;
    };
    expect(messageOf(() => resolveNodeConfig({ esdbUrl: 'https://admin:secret@host:2113' }, {}))).toBe(
      'invalid EventStoreDB URL: expected esdb://HOST:PORT?… or esdb+discover://HOST:PORT?…',
    );
    expect(messageOf(() => resolveNodeConfig({ pgUrl: 'mysql://admin:secret@host/db' }, {}))).toBe(
      'invalid PostgreSQL URL: expected postgres://USER:PASSWORD@HOST:PORT/DATABASE',
    );
    expect(messageOf(() => resolveNodeConfig({ pgUrl: 'postgres://h/d', pgSchema: 'Bad-Name' }, {}))).toBe(
      'invalid PostgreSQL schema: "Bad-Name" (expected a lower-case SQL identifier, [a-z_][a-z0-9_]*, at most 48 characters)',
    );
  });

  it('reads the log key from --log-key or CHANCERY_LOG_KEY_FILE, flag first', () => {
    expect(resolveNodeConfig({ dataDir: '/d' }, { CHANCERY_LOG_KEY_FILE: '/keys/log.key' }).logKeyFile).toBe(
      '/keys/log.key',
    );
    expect(
      resolveNodeConfig(
        { dataDir: '/d', logKeyFile: '/run/secrets/log.key' },
        { CHANCERY_LOG_KEY_FILE: '/x' },
      ).logKeyFile,
    ).toBe('/run/secrets/log.key');
  });
});
