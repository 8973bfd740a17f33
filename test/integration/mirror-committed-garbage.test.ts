/**
 * The log-key holder commits to a leaf that is not a Chancery entry: the
 * tree, its tiles and its signed checkpoint all agree, so every hash a mirror
 * checks holds, and only the leaf itself is garbage. No other upstream could
 * serve another leaf at that index under that checkpoint, so a mirror that
 * treated it as a bad answer (and failed over to the next upstream, and back)
 * would loop for ever; it must halt, say which entry, keep the signed
 * checkpoint as evidence and raise the alert. Two processes — a primary and
 * a mirror reading tiles through this test, which holds the log key and
 * rewrites one leaf, its hash tile and the checkpoint to match.
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
  leafHash,
  parseCheckpoint,
  parseNote,
  SIGNATURE_TYPE_ED25519,
  signNote,
} from '../../src/domain/log/index.js';
import { rootFromRightEdge } from '../../src/domain/log/tiles-check.js';
import { generateKeyPair, readKeyFile, writeKeyFiles } from '../../src/protocol/key-pair.js';
import { eventually } from '../support/federation-nodes.js';
import { FEDERATION_NODE, type NodeProcess, startNodeProcess } from '../support/node-process.js';
import { startTamperingProxy, type TamperingProxy } from '../support/tampering-proxy.js';

const ORIGIN = 'garbage.test/chancery';
const tmp = mkdtempSync(join(tmpdir(), 'chancery-garbage-leaf-'));
const started: NodeProcess[] = [];
let proxy: TamperingProxy | undefined;

afterAll(async () => {
  await Promise.all(started.map((n) => n.stop()));
  await proxy?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const GARBAGE = new TextEncoder().encode('not a log entry \u0000\u00ff at all');

describe('a leaf the log-key holder committed that is not a Chancery entry', () => {
  it('halts the mirror with the entry named and the signed checkpoint kept, instead of failing over for ever', async () => {
    const logKey = generateKeyPair();
    const logKeyFile = join(tmp, 'log.key');
    writeKeyFiles(logKeyFile, logKey);
    const primary = await startNodeProcess(FEDERATION_NODE, join(tmp, 'primary'), {
      CHANCERY_PORT: '0',
      CHANCERY_ORIGIN: ORIGIN,
      CHANCERY_LOG_KEY_FILE: logKeyFile,
      CHANCERY_SEAL_INTERVAL_MS: '50',
    });
    started.push(primary);
    const authority = new ChanceryClient(primary.url, {
      actor: 'AUTHORITY',
      keyPair: readKeyFile(join(primary.dataDir, 'authority.key')),
    });
    await authority.registerIdentity({
      identityId: 'DMV',
      name: 'DMV',
      roles: ['issuer'],
      publicKeys: [generateKeyPair().publicKeyBase64],
    });
    // The primary is quiet now: its sealed tree is what the lie is built on.
    const honest = await eventually('a checkpoint over every entry', async () => {
      const note = await (await fetch(`${primary.url}/checkpoint`)).text();
      const size = parseCheckpoint(parseNote(note).text).treeSize;
      const ops = (await (await fetch(`${primary.url}/v1/operations`)).json()) as {
        log: { sequencedSize: number };
      };
      return size >= 2 && ops.log.sequencedSize === size ? note : undefined;
    });
    const checkpoint = parseCheckpoint(parseNote(honest).text);
    const size = checkpoint.treeSize;
    expect(size).toBeLessThan(256); // one partial level-0 tile holds the whole tree
    const victim = size - 1;
    const tilePath = `tile/0/000.p/${size}`;
    const honestTile = new Uint8Array(await (await fetch(`${primary.url}/${tilePath}`)).arrayBuffer());
    const forgedTile = honestTile.slice();
    forgedTile.set(leafHash(GARBAGE), victim * 32);
    const forgedRoot = rootFromRightEdge(size, (level, index) => {
      if (level !== 0 || index !== 0) throw new Error(`tile ${level}/${index} is not in a tree of ${size}`);
      return forgedTile;
    });
    const forgedNote = formatNote(
      signNote(formatCheckpoint({ ...checkpoint, rootHash: forgedRoot }), [
        ed25519NoteSigner(ORIGIN, logKey.publicKey, logKey.sign),
      ]),
    );

    proxy = await startTamperingProxy(primary.url, {
      leafBytes: (leafIndex) => (leafIndex === victim ? GARBAGE : undefined),
      hashTile: (path) => (path === tilePath ? forgedTile : undefined),
      checkpoint: () => forgedNote,
    });
    const mirror = await startNodeProcess(FEDERATION_NODE, join(tmp, 'mirror'), {
      CHANCERY_PORT: '0',
      CHANCERY_ROLE: 'mirror',
      CHANCERY_UPSTREAM: proxy.url,
      CHANCERY_TRUST: formatVerifierKey(ORIGIN, SIGNATURE_TYPE_ED25519, logKey.publicKey),
      CHANCERY_MIRROR_POLL_MS: '50',
    });
    started.push(mirror);

    const halted = await eventually('the mirror to halt', async () => {
      const status = (await (await fetch(`${mirror.url}/v1/federation/status`)).json()) as {
        mirror: { halted: string | null };
      };
      return status.mirror.halted ?? undefined;
    });
    expect(halted).toBe(
      `entry-rejected: entry ${victim} is in the tree the log signed (size ${size}) but is not a Chancery ` +
        `log entry: malformed entry at ${victim}: not JSON`,
    );
    const alerts = (await (await fetch(`${mirror.url}/v1/federation/alerts`)).json()) as {
      alerts: { source: string; kind: string; submitted: string | null }[];
    };
    expect(alerts.alerts).toContainEqual(
      expect.objectContaining({ source: 'mirror', kind: 'entry-rejected', submitted: forgedNote }),
    );
    // It stopped reading: a mirror that failed over would keep fetching the same bundle.
    const fetched = proxy.requests.filter((path) => path.startsWith('/tile/entries/')).length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(proxy.requests.filter((path) => path.startsWith('/tile/entries/')).length).toBe(fetched);
    // Nothing past the garbage was applied.
    const replicated = (await (await fetch(`${mirror.url}/v1/status`)).json()) as {
      lastPosition: string | null;
      checkpointTreeSize: number;
    };
    expect(Number(replicated.lastPosition ?? 0)).toBeLessThanOrEqual(victim);
    expect(replicated.checkpointTreeSize).toBeLessThan(size);
  });
});
