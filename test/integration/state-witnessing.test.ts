/**
 * Witnesses vouch for the state, not only for the tree. Three processes — a
 * primary, a mirror-witness, and this test playing the log-key holder who
 * lies about the current state — and the attacks a witness must refuse:
 *
 *  - a checkpoint signed with the real log key, over the real tree, whose
 *    state map root is not the one the witness's own replay computed: the
 *    witness refuses to cosign it (422), keeps the evidence and raises a
 *    map-root-mismatch alert;
 *  - an upstream that serves such checkpoints (a proxy holding the log key,
 *    in front of the honest primary): the mirror stops replicating, with the
 *    same alert and both notes as evidence;
 *  - finding 5: once its mirror has halted, the witness cosigns nothing any
 *    more, not even the honest primary's next checkpoints, so they are not
 *    final under a policy that needs it.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChanceryClient } from '../../src/client/chancery-client.js';
import {
  ed25519NoteSigner,
  formatCheckpoint,
  formatNote,
  formatVerifierKey,
  parseCheckpoint,
  parseNote,
  SIGNATURE_TYPE_ED25519,
  STATE_MAP_EXTENSION,
  signNote,
  stateMapExtensionLine,
} from '../../src/domain/log/index.js';
import { generateKeyPair, readKeyFile, writeKeyFiles } from '../../src/protocol/key-pair.js';
import { eventually } from '../support/federation-nodes.js';
import { FEDERATION_NODE, type NodeProcess, startNodeProcess } from '../support/node-process.js';
import { startTamperingProxy, type TamperingProxy } from '../support/tampering-proxy.js';

const ORIGIN = 'lying.test/chancery';
const tmp = mkdtempSync(join(tmpdir(), 'chancery-state-witness-'));
const started: NodeProcess[] = [];
let proxy: TamperingProxy | undefined;
afterAll(async () => {
  await Promise.all(started.map((n) => n.stop()));
  await proxy?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** The same checkpoint (origin, size, tree root) re-signed with the log key, committing to another state. */
function withForgedState(
  note: string,
  logKey: ReturnType<typeof generateKeyPair>,
  state: Uint8Array | null = new Uint8Array(32).fill(7),
): string {
  const checkpoint = parseCheckpoint(parseNote(note).text);
  const forged = formatCheckpoint({
    ...checkpoint,
    extensions: [
      ...checkpoint.extensions.filter((line) => !line.startsWith(STATE_MAP_EXTENSION)),
      ...(state === null ? [] : [stateMapExtensionLine(state)]),
    ],
  });
  return formatNote(signNote(forged, [ed25519NoteSigner(ORIGIN, logKey.publicKey, logKey.sign)]));
}

/**
 * An upstream in front of the primary that, once told to lie, re-signs every checkpoint with a forged
 * state, on both routes a mirror reads it from (/checkpoint with tiles, /v1/log/checkpoint without).
 */
async function lyingUpstream(logKey: ReturnType<typeof generateKeyPair>) {
  const server = await startTamperingProxy('');
  proxy = server;
  return {
    url: server.url,
    forward: (url: string) => server.retarget(url),
    lie: () => {
      server.rules = { checkpoint: (note) => withForgedState(note, logKey) };
    },
  };
}

async function alerts(
  node: NodeProcess,
): Promise<{ source: string; kind: string; submitted: string | null }[]> {
  const body = (await (await fetch(`${node.url}/v1/federation/alerts`)).json()) as {
    alerts: { source: string; kind: string; submitted: string | null }[];
  };
  return body.alerts;
}

describe('witnesses vouch for the state map', () => {
  it('refuse a wrong state map root, halt on an upstream that serves one, and then cosign nothing', async () => {
    const logKey = generateKeyPair();
    const logKeyFile = join(tmp, 'log.key');
    writeKeyFiles(logKeyFile, logKey);
    const logVkey = formatVerifierKey(ORIGIN, SIGNATURE_TYPE_ED25519, logKey.publicKey);
    const upstream = await lyingUpstream(logKey);
    const mirror = await startNodeProcess<{ url: string; witness: string }>(
      FEDERATION_NODE,
      join(tmp, 'mirror'),
      {
        CHANCERY_PORT: '0',
        CHANCERY_ROLE: 'mirror',
        CHANCERY_UPSTREAM: upstream.url,
        CHANCERY_TRUST: logVkey,
        CHANCERY_MIRROR_POLL_MS: '50',
      },
    );
    started.push(mirror);
    const primary = await startNodeProcess(FEDERATION_NODE, join(tmp, 'primary'), {
      CHANCERY_PORT: '0',
      CHANCERY_ORIGIN: ORIGIN,
      CHANCERY_LOG_KEY_FILE: logKeyFile,
      CHANCERY_SEAL_INTERVAL_MS: '50',
      CHANCERY_WITNESSES: `${mirror.url}=${mirror.line.witness}`,
      CHANCERY_WITNESS_QUORUM: '1',
    });
    started.push(primary);
    upstream.forward(primary.url);

    const authority = new ChanceryClient(primary.url, {
      actor: 'AUTHORITY',
      keyPair: readKeyFile(join(primary.dataDir, 'authority.key')),
    });
    const issuer = generateKeyPair();
    await authority.registerIdentity({
      identityId: 'DMV',
      name: 'DMV',
      roles: ['issuer'],
      publicKeys: [issuer.publicKeyBase64],
    });
    await authority.accredit('DMV', ['driving-licence']);
    const honest = await eventually('a final checkpoint the mirror replayed', async () => {
      const status = (await (await fetch(`${primary.url}/v1/status`)).json()) as {
        final: boolean;
        checkpointTreeSize: number;
      };
      const mirrored = (await (await fetch(`${mirror.url}/v1/status`)).json()) as {
        checkpointTreeSize: number;
      };
      return status.final && mirrored.checkpointTreeSize === status.checkpointTreeSize
        ? await (await fetch(`${primary.url}/v1/log/checkpoint`)).text()
        : undefined;
    });
    const size = parseCheckpoint(parseNote(honest).text).treeSize;

    // The log-key holder asks the witness to cosign the real tree with a made-up state.
    const forged = withForgedState(honest, logKey);
    const refused = await fetch(`${mirror.url}/add-checkpoint`, {
      method: 'POST',
      body: `old ${size}\n\n${forged}`,
    });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toMatch(
      /^this mirror's replica contradicts the checkpoint: its state map root at size \d+ is not this mirror's /,
    );
    expect(await alerts(mirror)).toContainEqual(
      expect.objectContaining({ source: 'witness', kind: 'map-root-mismatch', submitted: forged }),
    );

    // Nor may it drop the line: a checkpoint of a log that commits to its state, with no state, vouches
    // for nothing a v2 bundle needs and would let a v1 bundle hide a revocation again.
    const stateless = withForgedState(honest, logKey, null);
    const refusedStateless = await fetch(`${mirror.url}/add-checkpoint`, {
      method: 'POST',
      body: `old ${size}\n\n${stateless}`,
    });
    expect(refusedStateless.status).toBe(422);
    expect(await refusedStateless.text()).toMatch(
      /^this mirror's replica contradicts the checkpoint: it carries no state map root, and this log's checkpoints commit to their state /,
    );
    expect(await alerts(mirror)).toContainEqual(
      expect.objectContaining({ source: 'witness', kind: 'map-root-mismatch', submitted: stateless }),
    );

    // The same lie from upstream stops the mirror, before it accepts or cosigns anything of it.
    upstream.lie();
    await new ChanceryClient(primary.url, { actor: 'DMV', keyPair: issuer }).certify({
      recordDigest: 'ab'.repeat(32),
      recordType: 'driving-licence',
      validFrom: '2026-01-01T00:00:00Z',
    });
    const halted = await eventually('the mirror to halt', async () => {
      const status = (await (await fetch(`${mirror.url}/v1/federation/status`)).json()) as {
        mirror: { halted: string | null };
      };
      return status.mirror.halted ?? undefined;
    });
    expect(halted).toMatch(/^map-root-mismatch: this mirror's state map has root .* the log signed /);
    expect(await alerts(mirror)).toContainEqual(
      expect.objectContaining({ source: 'mirror', kind: 'map-root-mismatch' }),
    );

    // Finding 5: once its mirror has halted, the witness vouches for nothing, not even the honest primary's next
    // checkpoint (it may have cosigned honest checkpoints its replica reached before the halt: that is right).
    const witnessed = (await (await fetch(`${mirror.url}/v1/federation/status`)).json()) as {
      witness: { logs: { treeSize: number }[] };
    };
    const held = witnessed.witness.logs[0]!.treeSize;
    // The checkpoint that seals a write made after the halt. One merely past `held` could be an honest
    // checkpoint of before the halt, which the witness may cosign after `held` was read (that is right).
    const sealed = await new ChanceryClient(primary.url, { actor: 'DMV', keyPair: issuer }).certify(
      { recordDigest: 'cd'.repeat(32), recordType: 'driving-licence', validFrom: '2026-01-01T00:00:00Z' },
      { wait: 'sealed' },
    );
    const latest = sealed.checkpoint!.note;
    const latestSize = parseCheckpoint(parseNote(latest).text).treeSize;
    const submit = async (old: number) => {
      const consistency = (await (
        await fetch(`${primary.url}/v1/log/consistency?from=${old}&to=${latestSize}`)
      ).json()) as { proof: string[] };
      return fetch(`${mirror.url}/add-checkpoint`, {
        method: 'POST',
        body: `old ${old}\n${consistency.proof.map((hash) => `${hash}\n`).join('')}\n${latest}`,
      });
    };
    let vouchedUpTo = held;
    let after = await submit(held);
    // A cosignature of an honest checkpoint the replica had reached before the halt may still have landed
    // after the status was read: the witness then answers 409 with the size it holds, as a submitter learns
    // it (C2SP tlog-witness). Asked again from that size, it must refuse as halted.
    if (after.status === 409) {
      vouchedUpTo = Number((await after.text()).trim());
      after = await submit(vouchedUpTo);
    }
    expect(after.status).toBe(422);
    expect(await after.text()).toMatch(/^this mirror halted and vouches for nothing: map-root-mismatch: /);
    // The federation's view of the latest checkpoint follows the sequencer's a moment later: read the
    // status once it is about the checkpoint the witness refused, or it may still be about an older, final one.
    const status = await eventually('the status to be about the refused checkpoint', async () => {
      const body = (await (await fetch(`${primary.url}/v1/status`)).json()) as {
        final: boolean;
        finalTreeSize: number;
        checkpointTreeSize: number;
      };
      return body.checkpointTreeSize >= latestSize ? body : undefined;
    });
    expect(status.final).toBe(false);
    expect(status.finalTreeSize).toBeLessThanOrEqual(vouchedUpTo);
  });
});
