/**
 * The store series of a node on the machine's real PostgreSQL: group-commit
 * sizes and append latency are on /metrics as they are on SQLite, counted
 * from real appends (each group commit one PostgreSQL transaction).
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveNode, startLiveNode } from '../support/federation-nodes.js';
import { certifySome } from '../support/metrics-network.js';
import { parseExposition, sampleValue } from '../support/metrics-parse.js';
import { createTestDatabase, type TestDatabase, uniqueSchema } from '../support/postgres-server.js';

describe('/metrics of a node on PostgreSQL', () => {
  let db: TestDatabase;
  let node: LiveNode;

  beforeAll(async () => {
    db = await createTestDatabase('metrics');
    node = await startLiveNode({
      env: { CHANCERY_STORE: 'postgres', CHANCERY_PG_URL: db.url, CHANCERY_PG_SCHEMA: uniqueSchema('m') },
    });
  }, 60_000);

  afterAll(async () => {
    await node?.close();
    await db?.drop();
  });

  it('exports chancery_store_group_commit_size, moved by real appends', async () => {
    const before = parseExposition(await node.text('/metrics'));
    await certifySome(node, 'PGISSUER', 3);
    const after = parseExposition(await node.text('/metrics'));
    const family = after.get('chancery_store_group_commit_size');
    expect(family?.type).toBe('histogram');
    const count = (f: typeof after) => sampleValue(f, 'chancery_store_group_commit_size_count') ?? 0;
    // Registration, accreditation and three certifications: at least five appends, in at least one commit each.
    expect(count(after) - count(before)).toBeGreaterThanOrEqual(1);
    expect(
      sampleValue(after, 'chancery_store_group_commit_size_sum')! -
        (sampleValue(before, 'chancery_store_group_commit_size_sum') ?? 0),
    ).toBeGreaterThanOrEqual(5);
    expect(sampleValue(after, 'chancery_store_group_commit_size_bucket', { le: '+Inf' })).toBe(count(after));
    expect(
      sampleValue(after, 'chancery_store_append_duration_seconds_count', { outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(5);
  }, 60_000);
});
