import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { v7 as timeOrderedUuid } from 'uuid';
import type { BatchWriteResult, CertifyBatchStreamInput } from '../../../client/index.js';
import { batchIdFor } from '../../../domain/certification/certification-id.js';
import { MAX_BATCH_RECORDS } from '../../../domain/certification/events.js';
import { CliError, UsageError } from '../../command-line/cli-errors.js';
import type { CommandSpec } from '../../command-line/command-spec.js';
import { nowSeconds, parseTimeArg } from '../../command-line/dates.js';
import { displayPath, fieldLines } from '../../command-line/output.js';
import { describeFsError } from '../../files/fs-errors.js';
import { AS_OPTION, connectAs } from '../../node-access/actor.js';
import { NodeConnection } from '../../node-access/node-connection.js';
import { progressBar } from '../../progress/progress-bar.js';
import { BatchRootPipeline } from './batch-root-pipeline.js';
import { DIGEST_SIZE } from './batch-tree.js';
import { type BulkInput, listBulkInputs } from './bulk-inputs.js';
import { readDigestManifest } from './digest-manifest.js';
import { type QrDir, qrDirOf, writeQrCodes } from './qr-dir.js';
import { type BatchReceipts, type Receipt, receiptAt, writeReceipts } from './receipts-file.js';
import { RECORD_ID_CHARS, writeBatchRecordIds } from './record-ids.js';

/** Read size per call: the file's content is never held beyond one chunk. */
const CHUNK_BYTES = 1024 * 1024;
/** Files hashed between two turns of the event loop, so the progress bar and signals are served. */
const FILES_PER_TURN = 256;

/**
 * SHA-256 of one file, read in chunks with synchronous calls. Deliberately
 * synchronous: a folder of 100,000 small files costs three thread-pool round
 * trips per file through fs/promises (open, read, close), about 3.5× slower
 * than these calls on the CLI's own thread, where nothing else is waiting.
 */
function sha256Into(input: BulkInput, buffer: Buffer, digests: Uint8Array, index: number): void {
  const hash = createHash('sha256');
  let fd: number | undefined;
  try {
    fd = openSync(input.path, 'r');
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      hash.update(buffer.subarray(0, read));
    }
  } catch (error) {
    throw new CliError(`cannot read ${input.name}: ${describeFsError(error)}; nothing was certified`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  digests.set(hash.digest(), index * DIGEST_SIZE);
}

/** Hashes every input into one count × 32-byte buffer, in input order. */
async function hashAll(
  inputs: readonly BulkInput[],
  onProgress: (done: number) => void,
): Promise<Uint8Array> {
  const digests = new Uint8Array(inputs.length * DIGEST_SIZE);
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  for (let i = 0; i < inputs.length; i++) {
    sha256Into(inputs[i]!, buffer, digests, i);
    if ((i + 1) % FILES_PER_TURN === 0 || i + 1 === inputs.length) {
      onProgress(i + 1);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return digests;
}

function* receiptsOf(batch: BatchReceipts): Generator<Receipt> {
  for (let i = 0; i < batch.names.length; i++) yield receiptAt(batch, i);
}

/** Ids derived between two turns of the event loop: about 20 ms, so the upload keeps being written meanwhile. */
const IDS_PER_TURN = 16_384;

/**
 * The certification ids of a batch's records (record-ids.ts), derived a slice at a time while the upload
 * is under way: they depend only on the batch id, which the CLI knows before the node answers. Stops
 * early (the ids are then incomplete) once `stopped()` says the upload failed.
 */
async function recordIdsOf(batchId: string, count: number, stopped: () => boolean): Promise<Uint8Array> {
  const ids = new Uint8Array(count * RECORD_ID_CHARS);
  for (let from = 0; from < count && !stopped(); from += IDS_PER_TURN) {
    const to = Math.min(count, from + IDS_PER_TURN);
    writeBatchRecordIds(batchId, from, to, ids.subarray(from * RECORD_ID_CHARS));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return ids;
}

/**
 * Streams the batch to the node and derives its records' ids meanwhile. The batch id follows from the
 * actor and the command id (batchIdFor), so the ids need not wait for the node's answer; the receipts
 * are still written only once it accepted the batch. They are derived once the body is sent: while
 * it streams, the node checks the root on both cores of a small machine (ParallelDigestIntake), and
 * after it the node writes the batch on one, and this process would otherwise only wait.
 */
async function certifyDerivingIds(
  node: NodeConnection,
  bulk: BulkSource,
  fields: Omit<CertifyBatchStreamInput, 'packedDigests'>,
): Promise<{ result: BatchWriteResult; batch: BatchReceipts }> {
  const count = bulk.names.length;
  const commandId = timeOrderedUuid();
  const expectedBatchId = batchIdFor(node.signer!.actor, commandId);
  let failed = false;
  let bodySent = () => {};
  const sent = new Promise<void>((resolve) => (bodySent = resolve));
  const upload = node
    .call((c) =>
      c.certifyBatchStream({ ...fields, packedDigests: bulk.packed }, { commandId, onBodySent: bodySent }),
    )
    .catch((error: unknown) => {
      failed = true;
      throw error;
    })
    .finally(bodySent);
  const derive = sent.then(() => recordIdsOf(expectedBatchId, count, () => failed));
  const [result, derived] = await Promise.all([upload, derive]);
  // A node deriving batch ids otherwise still gets receipts that match what it answered.
  const ids =
    result.batchId === expectedBatchId ? derived : await recordIdsOf(result.batchId, count, () => false);
  return {
    result,
    batch: { names: bulk.names, packed: bulk.packed, ids, proofUrlBase: result.proofUrlBase },
  };
}

/** What a run certifies: the digests packed in order, and what the receipts call each record. */
interface BulkSource {
  readonly kind: 'folder' | 'manifest' | 'digests';
  readonly path: string;
  readonly names: readonly string[];
  readonly packed: Uint8Array;
  /** Lower-case hex RFC 6962 root over the digests, in order. */
  readonly batchRoot: string;
}

/** Hashes a folder's or a manifest's files, or reads a digest manifest (--digests) as it is. */
async function collect(
  source: string | undefined,
  digestsFile: string | undefined,
  command: string,
): Promise<BulkSource> {
  if ((source === undefined) === (digestsFile === undefined))
    throw new UsageError('give either FOLDER|MANIFEST or --digests FILE (one of them)', command);
  if (digestsFile !== undefined) {
    // The root is hashed on a second core while the manifest is still being read.
    const pipeline = new BatchRootPipeline();
    try {
      const manifest = await readDigestManifest(digestsFile, (packed, count) =>
        pipeline.offer(packed, count),
      );
      const batchRoot = await pipeline.root(manifest.packed, manifest.count);
      return {
        kind: 'digests',
        path: digestsFile,
        names: manifest.names,
        packed: manifest.packed,
        batchRoot,
      };
    } finally {
      pipeline.close();
    }
  }
  const path = source!;
  const { kind, inputs } = await listBulkInputs(path);
  if (inputs.length === 0) throw new CliError(`${path} has no files to certify`);
  if (inputs.length > MAX_BATCH_RECORDS) {
    throw new CliError(
      `${path} has ${inputs.length.toLocaleString('en-US')} files; a batch holds at most ` +
        `${MAX_BATCH_RECORDS.toLocaleString('en-US')}: split it into several manifests`,
    );
  }
  const bar = progressBar('hashing ');
  const packed = await hashAll(inputs, (done) => bar.update(done, inputs.length));
  bar.done();
  const batchRoot = await new BatchRootPipeline().root(packed, inputs.length);
  return { kind, path, names: inputs.map((input) => input.name), packed, batchRoot };
}

async function writeQrCodesOrSay(qr: QrDir, receipts: Iterable<Receipt>): Promise<number> {
  try {
    return await writeQrCodes(qr, receipts);
  } catch (error) {
    throw new CliError(
      `the batch is certified and its receipts written, but the QR codes could not be written to ${qr.dir}: ${describeFsError(error)}`,
    );
  }
}

export const certifyBulkCommand: CommandSpec = {
  name: 'certify-bulk',
  summary:
    'Certify many records in one signed command: every file of FOLDER, every file MANIFEST lists, or ' +
    'every digest --digests FILE lists. Files are hashed here and never uploaded; only their digests are.',
  scope: 'client',
  optionalPositionals: ['FOLDER|MANIFEST'],
  options: {
    as: AS_OPTION,
    digests: {
      type: 'string',
      value: 'FILE',
      description: 'certify the digests a manifest lists (plain hex lines, CSV or NDJSON) instead of files',
    },
    type: {
      type: 'string',
      value: 'TYPE',
      required: true,
      description: 'record type the issuer is accredited for, e.g. diploma',
    },
    'valid-from': {
      type: 'string',
      value: 'D',
      description: 'YYYY-MM-DD (midnight UTC) or RFC 3339; default now',
    },
    'valid-until': {
      type: 'string',
      value: 'D',
      description: 'YYYY-MM-DD (midnight UTC) or RFC 3339; default open',
    },
    receipts: {
      type: 'string',
      value: 'FILE',
      description: 'where to write the receipts (default ./receipts-<batch id>.csv); never overwritten',
    },
    'qr-dir': {
      type: 'string',
      value: 'DIR',
      description: 'also write a QR code of each proof URL to DIR/<certification id>.svg (or .png)',
    },
    'qr-format': { type: 'string', value: 'svg|png', description: "the QR files' format (default svg)" },
  },
  details: `A FOLDER is certified file by file: every regular file under it, at any depth, in the
order of their paths relative to FOLDER ('/'-separated, byte order). Symbolic links are
skipped. A MANIFEST is a text file with one path per line, relative to the manifest's
folder (absolute paths work too); blank lines and lines starting with # are skipped, and
the order of the lines is the order of the batch. At most ${MAX_BATCH_RECORDS.toLocaleString('en-US')} records per batch.

--digests FILE certifies records by their SHA-256 digests, as a registry exports them from
its database; no file is read or hashed. Blank lines and lines starting with # are
skipped; the first other line decides the format:
  plain   one digest per line: 64 hex characters
  NDJSON  the line starts with {: every line is an object with "digest" (or "sha256")
          and optionally "id", e.g. {"id":"D-2026-0001","digest":"9f86…"}
  CSV     otherwise the line is a header with a "digest" (or "sha256") column and
          optionally an "id" column, e.g. id,digest
The id, when given, is the receipts' file column; otherwise that column says "line N".

The CLI computes the RFC 6962 root over the digests (node:crypto), signs one
CertifyBatch command with the root and the count, and streams it to the node: the
signed command in a header, then the raw 32-byte digests. The node checks the command
before it reads the digests, recomputes the root as they arrive and refuses any
mismatch. Each record gets its own certification id and proof URL, and can be revoked on
its own with 'chancery certification revoke ID'.

The receipts file is CSV with a header, one line per record in batch order:
  file,sha256,certification_id,proof_url
It is written only once the node has accepted the batch. With --qr-dir, a QR code of each
record's proof URL is written beside it, named by the certification id.

example:
  chancery certify-bulk diplomas-2026/ --as university.key --type diploma --valid-from 2026-07-01
  chancery certify-bulk --digests export.csv --as registry.key --type birth-record`,
  async run(args) {
    const source = args.positionals[0];
    const recordType = args.required('type');
    const validFromArg = args.string('valid-from');
    const validUntilArg = args.string('valid-until');
    const validFrom =
      validFromArg === undefined ? nowSeconds() : parseTimeArg('--valid-from', validFromArg, args.command);
    const validUntil =
      validUntilArg === undefined ? undefined : parseTimeArg('--valid-until', validUntilArg, args.command);
    const receiptsArg = args.string('receipts');
    const qr = qrDirOf(args.string('qr-dir'), args.string('qr-format'), args.command);
    // Checked before any work: a receipts file from an earlier batch must never be lost.
    if (receiptsArg !== undefined && existsSync(receiptsArg)) {
      throw new UsageError(
        `--receipts ${receiptsArg} already exists: not overwriting receipts`,
        args.command,
      );
    }

    const bulk = await collect(source, args.string('digests'), args.command);
    const count = bulk.names.length;
    const node = await connectAs(new NodeConnection(args.url), args.required('as'));
    const { batchRoot } = bulk;
    const { result, batch } = await certifyDerivingIds(node, bulk, {
      recordType,
      validFrom,
      ...(validUntil === undefined ? {} : { validUntil }),
      batchRoot,
    });
    const receipts = receiptsArg ?? `receipts-${result.batchId}.csv`;
    try {
      await writeReceipts(receipts, batch);
    } catch (error) {
      throw new CliError(
        `batch ${result.batchId} is certified, but the receipts could not be written to ${receipts}: ` +
          `${describeFsError(error)}. Record i's id is batchRecordIdFor(${result.batchId}, i).`,
      );
    }
    const qrCount = qr === null ? 0 : await writeQrCodesOrSay(qr, receiptsOf(batch));
    const first = receiptAt(batch, 0).proofUrl;
    return {
      json: {
        ...result,
        source: { kind: bulk.kind, path: bulk.path },
        receipts,
        ...(qr === null ? {} : { qrDir: qr.dir, qrCount }),
      },
      text: [
        `certified ${count.toLocaleString('en-US')} records in batch ${result.batchId}${result.replayed ? ' (already done: replayed)' : ''}`,
        ...fieldLines([
          ['batch root', batchRoot],
          ['receipts', `${displayPath(receipts)} (file, sha256, certification id, proof URL)`],
          ['first proof', first],
          ...(qr === null ? [] : ([['QR codes', `${qrCount} in ${displayPath(qr.dir)}`]] as const)),
        ]),
      ],
    };
  },
};
