import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  batchIncomplete,
  batchUpload,
  sameEvent,
  type UploadedList,
  type UpstreamEntry,
} from '../../../src/application/replay/upstream-entries.js';
import { batchDecider } from '../../../src/domain/certification/batch-decider.js';
import { batchIdFor } from '../../../src/domain/certification/certification-id.js';
import type { CertifyBatch } from '../../../src/domain/certification/commands.js';
import {
  BATCH_DIGESTS_PER_EVENT,
  type BatchSliceEncoding,
} from '../../../src/domain/certification/events.js';
import { batchRoot } from '../../../src/domain/log/index.js';
import type { JsonValue } from '../../../src/domain/shared/json.js';
import { BatchRecordKeys } from '../../../src/infrastructure/projections/batch-record-key.js';

/**
 * A mirror replays a batch from its logged slices: it reads the digest list back, re-decides the write,
 * and needs the decided slices to be upstream's byte for byte, in whichever encoding upstream's log
 * used (base64, or hex in logs written before base64 slices). A dishonest upstream may also serve slices
 * that are malformed, out of order or mixed; the mirror must refuse those rather than guess.
 */

const BATCH_ID = batchIdFor('UNIVERSITY', 'graduation-2026');
const COUNT = BATCH_DIGESTS_PER_EVENT + 88;
const digests = Array.from({ length: COUNT }, (_, i) =>
  createHash('sha256').update(`diploma ${i}`).digest('hex'),
);

function command(overrides: Partial<CertifyBatch> = {}): CertifyBatch {
  return {
    type: 'CertifyBatch',
    actor: { identityId: 'UNIVERSITY', roles: ['issuer'], accreditations: ['diploma'], status: 'active' },
    at: '2026-06-30T09:00:00Z',
    batchId: BATCH_ID,
    recordType: 'diploma',
    validFrom: '2026-07-01T00:00:00Z',
    validUntil: null,
    metadata: null,
    batchRoot: Buffer.from(batchRoot(digests.map((d) => new Uint8Array(Buffer.from(d, 'hex'))))).toString(
      'hex',
    ),
    count: COUNT,
    digests,
    ...overrides,
  };
}

/** The upstream log of a batch written with slices in `encoding`, as a mirror pulls it. */
function upstream(encoding: BatchSliceEncoding, batch: CertifyBatch = command()): UpstreamEntry[] {
  const events = batchDecider.decide({ ...batch, sliceEncoding: encoding }, batchDecider.initialState());
  const envelope = { payload: { type: 'CertifyBatch', count: batch.count }, signature: {} } as JsonValue;
  return events.map((event, i) => ({
    leafIndex: 10 + i,
    type: event.type,
    stream: `batch-${BATCH_ID}`,
    data: event.data as unknown as JsonValue,
    envelope,
  }));
}

/**
 * The upstream log of a batch of `count` digests, several of ParallelDigestIntake's blocks (8,192), with its
 * digests and root: packed with the root already known, so that only batchRoot (the domain's hashing)
 * hashes them here.
 */
function largeBatch(count: number): { many: Buffer[]; root: string; group: UpstreamEntry[] } {
  const many = Array.from({ length: count }, (_, i) => createHash('sha256').update(`record ${i}`).digest());
  const root = Buffer.from(batchRoot(many)).toString('hex');
  const group = upstream(
    'base64',
    command({ count, digests: { packed: Buffer.concat(many), count, root }, batchRoot: root }),
  );
  return { many, root, group };
}

/** The record keys a list read back with a batch id gets from its worker, once they are in. */
async function keysOf(list: UploadedList): Promise<Float64Array> {
  if ('malformed' in list) throw new Error(list.malformed);
  while (list.recordKeys?.entries === null) await new Promise((resolve) => setTimeout(resolve, 5));
  const entries = list.recordKeys?.entries;
  if (entries === undefined || entries === null) throw new Error('no record keys were asked for');
  return entries;
}

describe('a mirror reading a batch back from its slices', () => {
  it.each(['base64', 'hex'] as const)('re-decides %s slices byte for byte', async (encoding) => {
    const group = upstream(encoding);
    expect(Object.keys(group[1]!.data as object)).toContain(
      encoding === 'base64' ? 'digestsBase64' : 'digests',
    );
    const upload = await batchUpload(group);
    if ('malformed' in upload) throw new Error(upload.malformed);
    expect(upload.encoding).toBe(encoding);
    expect(upload.digests.count).toBe(COUNT);
    const replayed = batchDecider.decide(
      command({ digests: upload.digests, sliceEncoding: upload.encoding }),
      batchDecider.initialState(),
    );
    expect(replayed).toHaveLength(group.length);
    expect(replayed.map((event, i) => sameEvent(group[i]!, event))).toEqual(replayed.map(() => true));
  });

  it('waits while the slices hold fewer digests than the signed count, in either encoding', () => {
    for (const encoding of ['base64', 'hex'] as const) {
      const group = upstream(encoding);
      expect(batchIncomplete(group)).toBe(false);
      expect(batchIncomplete(group.slice(0, 2))).toBe(true);
    }
  });

  it.each([
    [
      'a slice that is not canonical base64',
      (group: UpstreamEntry[]) => {
        const data = group[1]!.data as { digestsBase64: string };
        group[1] = {
          ...group[1]!,
          data: { ...data, digestsBase64: `${data.digestsBase64.slice(0, -4)}AAA` },
        };
      },
      'slice at leaf 11 is not a list of SHA-256 digests',
    ],
    [
      'slices in two encodings',
      (group: UpstreamEntry[]) => {
        group[2] = upstream('hex')[2]!;
      },
      'slice at leaf 12 mixes hex and base64 slices in one batch',
    ],
    [
      'slices out of order',
      (group: UpstreamEntry[]) => {
        [group[1], group[2]] = [
          { ...group[2]!, leafIndex: 11 },
          { ...group[1]!, leafIndex: 12 },
        ];
      },
      `slice at leaf 11 starts at ${BATCH_DIGESTS_PER_EVENT}, not at 0`,
    ],
  ])('refuses %s', async (_, tamper, message) => {
    const group = upstream('base64');
    tamper(group);
    expect(await batchUpload(group)).toEqual({ malformed: message });
  });

  it('hashes a large batch to the root of hashing leaf by leaf, letting the event loop turn meanwhile', async () => {
    // Several blocks and a tail: the worker's share and this thread's.
    const count = 3 * 8192 + 37;
    const { many, root, group } = largeBatch(count);
    let turns = 0;
    let counting = true;
    const turn = () => {
      turns++;
      if (counting) setImmediate(turn);
    };
    setImmediate(turn);
    const upload = await batchUpload(group);
    counting = false;
    if ('malformed' in upload) throw new Error(upload.malformed);
    expect(upload.digests.count).toBe(count);
    expect(upload.digests.root).toBe(root);
    expect(Buffer.from(upload.digests.packed).equals(Buffer.concat(many))).toBe(true);
    // Read in one piece, as it was, the loop would not have turned at all.
    expect(turns).toBeGreaterThanOrEqual(2);
    upload.release();
  });

  it("has the hashing worker compute the batch's record keys, which the read model adopts, until released", async () => {
    const count = 3 * 8192 + 37;
    const { group } = largeBatch(count);
    const upload = await batchUpload(group, BATCH_ID);
    if ('malformed' in upload) throw new Error(upload.malformed);
    try {
      expect(upload.recordKeys?.batchId).toBe(BATCH_ID);
      const entries = await keysOf(upload);
      const own = new BatchRecordKeys(BATCH_ID, count);
      own.fillTo(count);
      const adopting = new BatchRecordKeys(BATCH_ID, count);
      expect(adopting.adopt(entries)).toBe(true);
      expect(Array.from(adopting.sorted())).toEqual(Array.from(own.sorted()));
    } finally {
      upload.release();
    }
    // Released, the intake's worker is gone: a batch read after it has one of its own to compute keys with.
    const again = await batchUpload(group, BATCH_ID);
    expect((await keysOf(again)).length).toBe(count);
    if (!('malformed' in again)) again.release();
  });

  it('asks for no record keys without a batch id, and lets go of its worker on a malformed slice', async () => {
    const count = 3 * 8192;
    const { group } = largeBatch(count);
    const plain = await batchUpload(group);
    if ('malformed' in plain) throw new Error(plain.malformed);
    expect(plain.recordKeys).toBeUndefined();
    plain.release();
    const data = group.at(-1)!.data as { from: number };
    group[group.length - 1] = { ...group.at(-1)!, data: { ...data, from: data.from + 1 } };
    expect(await batchUpload(group, BATCH_ID)).toEqual({
      malformed: `slice at leaf ${group.at(-1)!.leafIndex} starts at ${data.from + 1}, not at ${data.from}`,
    });
    // Its worker was let go: the next batch still gets one, and its keys.
    const next = await batchUpload(largeBatch(count).group, BATCH_ID);
    expect((await keysOf(next)).length).toBe(count);
    if (!('malformed' in next)) next.release();
  });
});
