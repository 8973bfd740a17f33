/**
 * The soak's concurrent load on a node until it is killed: certify writers
 * (one write in three waiting for its seal), a bulk writer (batches through
 * ChanceryClient.certifyBatch, the path `chancery certify-bulk` takes), a
 * dataset uploader (files streamed by DirectoryClient.upload, the path of
 * `chancery directory upload`, one in four above 1 MiB so the validation
 * workers are busy when the kill lands) and a watcher of published
 * checkpoints. Only writes the node acknowledged go into the ledger; a
 * refused or cut-off write promises nothing.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChanceryClient } from '../src/client/chancery-client.js';
import { DirectoryClient } from '../src/client/directory-client.js';
import { batchRoot } from '../src/domain/log/index.js';
import { generateKeyPair, type KeyPair, readKeyFile } from '../src/protocol/key-pair.js';
import type { AckBatch, Ledger } from './soak-ledger.js';

export type SoakSigner = { actor: string; keyPair: KeyPair };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const RECORD_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['station', 'count'],
  properties: { station: { type: 'string' }, count: { type: 'integer', minimum: 0 } },
};

/** Registers the soak's department (issuer and publisher) and publishes the public entry the uploads go to. */
export async function setUpDepartment(url: string, dataDir: string, ledger: Ledger): Promise<SoakSigner> {
  const authorityKey = readKeyFile(join(dataDir, 'authority.key'));
  ledger.authorityKey = authorityKey.publicKeyBase64;
  const authority = new ChanceryClient(url, { actor: 'AUTHORITY', keyPair: authorityKey });
  const key = generateKeyPair();
  await authority.registerIdentity({
    identityId: 'SOAK',
    name: 'Soak',
    roles: ['issuer', 'publisher'],
    publicKeys: [key.publicKeyBase64],
  });
  await authority.accredit('SOAK', ['diploma']);
  const signer = { actor: 'SOAK', keyPair: key };
  const client = new ChanceryClient(url, signer);
  const published = (await client.submit(
    '/v1/directory/entries',
    client.sign('PublishCatalogEntry', {
      title: 'Soak counts',
      description: 'Counts uploaded while the node is killed.',
      keywords: ['soak'],
      themes: ['TECH'],
      license: 'CC-BY-4.0',
      // Public: the checks read every version back anonymously, which adds nothing to the log.
      accessRights: 'public',
      updateFrequency: 'continuous',
      distributions: [{ format: 'NDJSON', mediaType: 'application/x-ndjson' }],
      conformsTo: RECORD_SCHEMA,
    } as never),
  )) as unknown as { entryId: string };
  ledger.entryId = published.entryId;
  return signer;
}

export interface LoadOptions {
  readonly url: string;
  readonly signer: SoakSigner;
  readonly ledger: Ledger;
  readonly writers: number;
  /** Where the uploader writes its files. */
  readonly scratch: string;
  readonly stopped: () => boolean;
}

/** Runs every kind of load until `stopped()`; resolves once each loop has seen the node go. */
export function load(options: LoadOptions): Promise<unknown> {
  return Promise.all([
    ...Array.from({ length: options.writers }, (_, w) => certifyLoop(options, w)),
    bulkLoop(options),
    uploadLoop(options),
    watchLoop(options),
  ]);
}

/** One attempt: an acknowledged write is recorded by `onAck`; a refused or cut one is only counted. */
async function attempt<T>(ledger: Ledger, write: () => Promise<T>, onAck: (result: T) => void) {
  let result: T;
  try {
    result = await write();
  } catch (error) {
    // Refused or cut off by the kill: not acknowledged, so nothing is promised about it.
    if (process.env['SOAK_DEBUG'] === '1') process.stderr.write(`soak: write failed: ${String(error)}\n`);
    ledger.counts.refusedOrCut++;
    return;
  }
  onAck(result);
}

async function certifyLoop({ url, signer, ledger, stopped }: LoadOptions, w: number) {
  const client = new ChanceryClient(url, signer);
  for (let n = 0; !stopped(); n++) {
    const input = {
      recordDigest: randomBytes(32).toString('hex'),
      recordType: 'diploma',
      validFrom: '2026-01-01T00:00:00Z',
    };
    // One write in three waits for its seal, so kills also land on requests waiting for a checkpoint.
    const wait = (w + n) % 3 === 0 ? ('sealed' as const) : undefined;
    await attempt(
      ledger,
      () => client.certify(input, wait === undefined ? {} : { wait }),
      (result) => {
        ledger.acknowledge(result.position!, result.certificationId!);
        ledger.fresh.push(result.certificationId!);
        ledger.counts.certifications++;
      },
    );
  }
}

async function bulkLoop({ url, signer, ledger, stopped }: LoadOptions) {
  const client = new ChanceryClient(url, signer);
  while (!stopped()) {
    const raw = Array.from({ length: 20 + Math.floor(Math.random() * 280) }, () => randomBytes(32));
    const digests = raw.map((d) => d.toString('hex'));
    const root = Buffer.from(batchRoot(raw)).toString('hex');
    const input = { recordType: 'diploma', validFrom: '2026-01-01T00:00:00Z', batchRoot: root, digests };
    await attempt(
      ledger,
      () => client.certifyBatch(input),
      (result) => {
        const batch: AckBatch = { batchId: result.batchId, count: result.count, batchRoot: root, digests };
        ledger.acknowledge(result.position!, result.batchId);
        ledger.freshBatches.push(batch);
        ledger.counts.batches++;
        ledger.counts.batchRecords += result.count;
      },
    );
  }
}

/** NDJSON records of about `bytes` bytes, every one valid under RECORD_SCHEMA. */
function datasetBytes(bytes: number): Buffer {
  const tag = randomBytes(8).toString('hex');
  const line = (i: number) => `{"station":"${tag}-${i}","count":${i}}\n`;
  const lines: string[] = [];
  for (let size = 0, i = 0; size < bytes; i++) {
    lines.push(line(i));
    size += lines[i]!.length;
  }
  return Buffer.from(lines.join(''));
}

async function uploadLoop({ url, signer, ledger, scratch, stopped }: LoadOptions) {
  const directory = new DirectoryClient(url, signer.keyPair);
  for (let n = 0; !stopped(); n++) {
    // One upload in four is above 1 MiB: checked by the validation workers, and longer for a kill to cut.
    const bytes = datasetBytes(n % 4 === 3 ? 1_200_000 : 2_000 + Math.floor(Math.random() * 30_000));
    const file = join(scratch, `upload-${n % 2}.ndjson`);
    writeFileSync(file, bytes);
    await attempt(
      ledger,
      () => directory.upload(ledger.entryId!, file, 'application/x-ndjson'),
      (result) => {
        ledger.acknowledge(result.position, `${result.entryId} v${result.version}`);
        ledger.uploads.push({ entryId: result.entryId, version: result.version, digest: result.digest });
        ledger.counts.uploads++;
        ledger.counts.uploadBytes += result.byteCount;
      },
    );
  }
}

async function watchLoop({ url, ledger, stopped }: LoadOptions) {
  const client = new ChanceryClient(url);
  while (!stopped()) {
    try {
      const info = await client.log();
      const seen = info.checkpoint === null ? null : ledger.verified(info.checkpoint);
      if (seen !== null && seen.treeSize >= (ledger.lastSeen?.treeSize ?? 0)) ledger.lastSeen = seen;
    } catch {
      // The node is gone.
    }
    await sleep(15);
  }
}
