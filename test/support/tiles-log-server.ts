/**
 * A log of any size served over real HTTP with the node's /v1/log and tlog-tiles routes, for tests
 * that need tens of thousands of entries: leaves are appended straight through the sequencer's hash
 * store (what the sequencer does per event), and one checkpoint is signed with a throw-away key.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { installProblemHandlers } from '../../src/api/problems/error-handler.js';
import { logRoutes } from '../../src/api/routes/log-routes.js';
import { tilesRoutes } from '../../src/api/routes/tiles-routes.js';
import { createValidators } from '../../src/api/schemas/validator.js';
import { type NodeDatabase, openNodeDatabase } from '../../src/infrastructure/projections/node-database.js';
import { ed25519CheckpointSigner } from '../../src/infrastructure/sequencer/checkpoint-signer.js';
import { Sequencer } from '../../src/infrastructure/sequencer/sequencer.js';
import { TilesSource } from '../../src/infrastructure/sequencer/tiles-source.js';
import { generateKeyPair } from '../../src/protocol/key-pair.js';

export interface TilesLogServer {
  readonly url: string;
  readonly verifierKey: string;
  readonly sequencer: Sequencer;
  /** Appends leaves made by `leafOf` until the log has `size`, then signs a checkpoint of it. */
  growTo(size: number): void;
  close(): Promise<void>;
}

export const syntheticLeaf = (i: number) => new TextEncoder().encode(JSON.stringify({ leaf: i }));

function append(db: NodeDatabase, sequencer: Sequencer, size: number, leafOf: (i: number) => Uint8Array) {
  while (sequencer.sequencedSize() < size) {
    const end = Math.min(size, sequencer.sequencedSize() + 1000);
    db.exec('BEGIN');
    for (let n = sequencer.sequencedSize(); n < end; n++) sequencer.hashes.append(BigInt(n + 1), leafOf(n));
    db.exec('COMMIT');
  }
}

async function listen(sequencer: Sequencer): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify({ logger: false });
  const validators = createValidators();
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? validators.body : validators.query).compile(schema as object),
  );
  installProblemHandlers(app);
  await app.register(async (scope) => logRoutes(scope, { log: sequencer }));
  const tiles = new TilesSource(sequencer.hashes, sequencer);
  await app.register(async (scope) => tilesRoutes(scope, { log: sequencer, tiles }));
  return { app, url: await app.listen({ host: '127.0.0.1', port: 0 }) };
}

export async function startTilesLogServer(
  leafOf: (i: number) => Uint8Array = syntheticLeaf,
): Promise<TilesLogServer> {
  const dir = mkdtempSync(join(tmpdir(), 'chancery-tiles-'));
  const db = openNodeDatabase(join(dir, 'node.db'));
  const key = generateKeyPair();
  const signer = ed25519CheckpointSigner('tiles.example/log', key.publicKey, key.sign);
  const sequencer = new Sequencer(db, signer.origin, signer.verifierKey);
  sequencer.migrate(db);
  const { app, url } = await listen(sequencer);
  let revision = 0n;
  return {
    url,
    verifierKey: signer.verifierKey,
    sequencer,
    growTo(size) {
      append(db, sequencer, size, leafOf);
      const rootHash = sequencer.rootAt(size);
      const note = signer.sign(size, rootHash);
      sequencer.adopt({
        origin: signer.origin,
        treeSize: size,
        rootHash,
        note,
        revision,
        position: revision,
      });
      revision++;
    },
    async close() {
      await app.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
