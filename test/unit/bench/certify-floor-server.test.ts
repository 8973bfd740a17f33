/**
 * The certify benchmark sets node CPU per certification beside the CPU of a
 * server doing only what no certifying server can skip
 * (bench/fixtures/certify-floor-server.ts). That baseline is honest only if
 * it really does that work: it must refuse a payload its signature does not
 * cover, and acknowledge only what is committed, so that a kill -9 right
 * after the 201 loses nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startCertifyFloorServer } from '../../../bench/lib/certify-floor-child.js';
import { presign } from '../../../bench/lib/certify-setup.js';
import { canonicalJson } from '../../../src/domain/canonical/canonical-json.js';
import { generateKeyPair } from '../../../src/protocol/key-pair.js';

describe('the certify benchmark floor server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chancery-floor-'));
  const cleanups: (() => void | Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits a validly signed certification before its 201, and refuses one its signature does not cover', async () => {
    const keyPair = generateKeyPair();
    const dbFile = join(dir, 'floor.db');
    let acceptedPayload: Record<string, unknown> = {};
    const server = await startCertifyFloorServer(
      { repoRoot: process.cwd(), onCleanup: (fn) => cleanups.push(fn) },
      keyPair.publicKeyBase64,
      dbFile,
    );
    try {
      const [good, other] = presign({ actor: 'BENCH-ISSUER', keyPair }, 2).map(
        (body) => JSON.parse(body.toString()) as { payload: Record<string, unknown>; signature: unknown },
      );
      const post = (body: unknown) =>
        fetch(`${server.url}/v1/certifications`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      acceptedPayload = good!.payload;
      const accepted = await post(good);
      expect(accepted.status).toBe(201);
      expect(await accepted.json()).toEqual({ seq: 1 });
      // Another record's digest under this record's signature.
      const forged = await post({
        ...good,
        payload: { ...good!.payload, recordDigest: other!.payload['recordDigest'] },
      });
      expect(forged.status).toBe(401);
      expect(await forged.json()).toEqual({ code: 'SIGNATURE_INVALID' });
    } finally {
      // SIGKILL: nothing the server acknowledged may depend on a clean exit.
      await server.stop();
    }
    const db = new Database(dbFile, { readonly: true });
    try {
      // Read after a kill -9: what the 201 acknowledged is on disk, in the signed RFC 8785 form.
      expect(db.prepare('SELECT seq, command_id, payload FROM commands').all()).toEqual([
        {
          seq: 1,
          command_id: acceptedPayload['commandId'],
          payload: canonicalJson(acceptedPayload),
        },
      ]);
    } finally {
      db.close();
    }
  }, 60_000);
});
