/**
 * The soak's checks after a restart (bench/soak-run.ts), one per kind of
 * acknowledged write: single certifications and batch records have proof
 * bundles that verify against the pinned log and authority keys, batches read
 * back with their root and count, and every dataset version reads back with
 * bytes that hash to the digest the node acknowledged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryClient, sha256OfFile } from '../src/client/directory-client.js';
import { batchRecordIdFor } from '../src/domain/certification/certification-id.js';
import { verifyProofBundle } from '../src/domain/proof/verify-bundle.js';
import { fail, type Ledger, nobleVerify } from './soak-ledger.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GET a JSON resource, retrying while the read models catch up just after a restart. */
async function readBack(url: string, what: string): Promise<unknown> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await fetch(url);
    if (res.status === 200) return res.json();
    if (Date.now() > deadline) fail(`${what} is not there (${res.status})`);
    await sleep(50);
  }
}

/** The proof bundle of an acknowledged certification (single or batch record) verifies in full. */
async function requireVerifiedProof(baseUrl: string, ledger: Ledger, id: string, digest?: string) {
  const bundle = await readBack(`${baseUrl}/v1/proofs/${id}`, `the proof bundle of acknowledged ${id}`);
  const report = verifyProofBundle(bundle, {
    verify: nobleVerify,
    trustedLogKeys: [ledger.vkey!],
    authorityKeys: [ledger.authorityKey!],
    now: Date.now(),
    expectedCertificationId: id,
    ...(digest === undefined ? {} : { documentDigest: digest }),
  });
  if (!report.ok) {
    const failed = report.steps.filter((s) => !s.ok).map((s) => `${s.id}: ${s.detail}`);
    fail(`the proof bundle of acknowledged ${id} does not verify (${failed.join('; ')})`);
  }
}

/** Certifications acknowledged since the last check: their proof bundles verify. */
export async function checkCertifications(baseUrl: string, ledger: Ledger): Promise<void> {
  for (const id of ledger.fresh) {
    await requireVerifiedProof(baseUrl, ledger, id);
    ledger.counts.proofsChecked++;
  }
  ledger.fresh = [];
}

/** Batches acknowledged since the last check: present with their root and count, and a random record proven. */
export async function checkBatches(baseUrl: string, ledger: Ledger): Promise<void> {
  for (const batch of ledger.freshBatches) {
    const view = (await readBack(
      `${baseUrl}/v1/certifications/batches/${batch.batchId}`,
      `acknowledged batch ${batch.batchId}`,
    )) as { batchRoot: string; count: number };
    if (view.batchRoot !== batch.batchRoot || view.count !== batch.count)
      fail(`batch ${batch.batchId} reads back as ${view.count} records under ${view.batchRoot}`);
    const index = Math.floor(Math.random() * batch.count);
    await requireVerifiedProof(baseUrl, ledger, batchRecordIdFor(batch.batchId, index), batch.digests[index]);
    ledger.counts.batchesChecked++;
  }
  ledger.freshBatches = [];
}

/** Every dataset version acknowledged so far reads back (anonymously: the entry is public) with its bytes. */
export async function checkUploads(baseUrl: string, ledger: Ledger): Promise<void> {
  if (ledger.uploads.length === 0) return;
  const reader = new DirectoryClient(baseUrl, null);
  const dir = mkdtempSync(join(tmpdir(), 'chancery-soak-fetch-'));
  try {
    for (const upload of ledger.uploads) {
      const out = join(dir, `v${upload.version}`);
      const what = `dataset version ${upload.version} of ${upload.entryId}`;
      const got = await reader.fetch(upload.entryId, String(upload.version), out).catch((error: Error) => {
        fail(`${what} was acknowledged but cannot be read: ${error.message}`);
      });
      const onDisk = (await sha256OfFile(out)).toString('hex');
      if (got.version !== upload.version || onDisk !== upload.digest)
        fail(`${what} reads back as version ${got.version} hashing to ${onDisk}, not ${upload.digest}`);
      rmSync(out);
      ledger.counts.uploadsChecked++;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
