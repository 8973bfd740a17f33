/**
 * The log's witness submitter against fake witnesses that decide with the
 * real witness decision: it learns a witness's size from a 409, proves
 * consistency from there, publishes as soon as the quorum is met, never
 * waits on a dead witness, and orders cosignatures by the policy.
 */

import { describe, expect, it } from 'vitest';
import {
  decideAddCheckpoint,
  formatSignatureLine,
  parseAddCheckpointRequest,
  policyForWitnesses,
  TLOG_SIZE_CONTENT_TYPE,
  type WitnessedCheckpoint,
  witnessingOf,
} from '../../../src/domain/federation/index.js';
import { parseCheckpoint, parseNote } from '../../../src/domain/log/index.js';
import { WitnessSubmitter } from '../../../src/infrastructure/federation/witness-submitter.js';
import type { SealedCheckpoint } from '../../../src/infrastructure/sequencer/log-reader.js';
import {
  consistencyProof,
  leaves,
  logVerifier,
  logVkey,
  ORIGIN,
  signedCheckpoint,
  testWitness,
  verify,
} from './federation-fixtures.js';

const tree = leaves(64);
const witnesses = [1, 2, 3].map((n) => testWitness(n));
const urls = witnesses.map((_, i) => `http://w${i + 1}.test`);
const policy = policyForWitnesses(
  logVkey,
  witnesses.map((w, i) => ({ vkey: w.vkey, url: urls[i]! })),
  2,
);

function checkpointOf(size: number): SealedCheckpoint {
  const note = signedCheckpoint(size, tree);
  return { treeSize: size, rootHash: parseCheckpoint(parseNote(note).text).rootHash, note };
}

/** A fake witness over HTTP: the real decision, state in memory. `dead` witnesses refuse connections. */
function witnessNetwork(initial: (WitnessedCheckpoint | null)[], dead: Set<number>) {
  const states = [...initial];
  const requests: { witness: number; oldSize: number }[] = [];
  const fake: typeof fetch = async (input, init) => {
    const index = urls.findIndex((u) => String(input) === `${u}/add-checkpoint`);
    if (dead.has(index)) throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    const request = parseAddCheckpointRequest(String(init?.body));
    requests.push({ witness: index, oldSize: request.oldSize });
    const outcome = decideAddCheckpoint(request, states[index] ?? null, (o) =>
      o === ORIGIN ? [logVerifier] : undefined,
    );
    if (outcome.status === 409)
      return new Response(`${outcome.treeSize}\n`, {
        status: 409,
        headers: { 'content-type': TLOG_SIZE_CONTENT_TYPE },
      });
    if (outcome.status !== 200) return new Response(outcome.reason, { status: outcome.status });
    states[index] = outcome.next;
    const line = formatSignatureLine(witnesses[index]!.cosign(request.checkpoint, 1_900_000_000));
    return new Response(line, { status: 200 });
  };
  return { fake, states, requests };
}

function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out: ${what}`));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

describe('WitnessSubmitter', () => {
  it('learns a witness size from 409, publishes at the quorum without waiting for a dead witness', async () => {
    let latest = checkpointOf(10);
    const held = checkpointOf(6);
    const network = witnessNetwork(
      [null, { origin: ORIGIN, treeSize: 6, rootHash: held.rootHash, note: held.note }, null],
      new Set([2]),
    );
    const published: string[] = [];
    const errors: string[] = [];
    const submitter = new WitnessSubmitter({
      policy,
      log: {
        latestCheckpoint: () => latest,
        consistencyProof: (from, to) => consistencyProof(from, to, tree),
      },
      cosignedNote: () => null,
      publish: async (event) => {
        published.push((event.data as { note: string }).note);
      },
      fetch: network.fake,
      onError: (line) => errors.push(line),
    });
    submitter.start();
    await until('a published note', () => published.length > 0);
    const first = witnessingOf(published[0]!, policy, verify);
    expect(first.quorumMet).toBe(true);
    expect(first.cosigners.map((c) => c.cosigned)).toEqual([true, true, false]);
    // w2 held size 6: asked from 0, answered 409 with 6, then cosigned with a proof from 6.
    expect(network.requests.filter((r) => r.witness === 1).map((r) => r.oldSize)).toEqual([0, 6]);
    expect(network.states[1]?.treeSize).toBe(10);
    expect(errors).toEqual(['witness witness.example/w3: fetch failed (ECONNREFUSED)']);
    expect(submitter.status()[2]).toMatchObject({ name: witnesses[2]!.name, cosignedSize: null });
    expect(submitter.status()[2]!.lastError).toBe('fetch failed (ECONNREFUSED)');

    // The next checkpoint: both live witnesses are asked from the size they cosigned.
    latest = checkpointOf(17);
    submitter.checkpointServed();
    await until('the second note', () => published.some((n) => n.includes('\n17\n')));
    expect(network.requests.slice(-2).map((r) => r.oldSize)).toEqual([10, 10]);
    const second = published.find((n) => n.includes('\n17\n'))!;
    // Log signature first, then cosignatures in policy order.
    expect(parseNote(second).signatures.map((s) => s.keyName)).toEqual([
      ORIGIN,
      witnesses[0]!.name,
      witnesses[1]!.name,
    ]);
    await submitter.stop();
  });

  it('never publishes a checkpoint no witness cosigned, and gives up on a witness holding another root', async () => {
    const latest = checkpointOf(12);
    const fork = signedCheckpoint(12, leaves(12, 3));
    const forkState = {
      origin: ORIGIN,
      treeSize: 12,
      rootHash: parseCheckpoint(parseNote(fork).text).rootHash,
      note: fork,
    };
    const network = witnessNetwork([forkState, forkState, forkState], new Set());
    const published: unknown[] = [];
    const errors: string[] = [];
    const submitter = new WitnessSubmitter({
      policy,
      log: {
        latestCheckpoint: () => latest,
        consistencyProof: (from, to) => consistencyProof(from, to, tree),
      },
      cosignedNote: () => null,
      publish: async (event) => {
        published.push(event);
      },
      fetch: network.fake,
      onError: (line) => errors.push(line),
    });
    submitter.start();
    await until('every witness to be refused', () => errors.length === 3);
    expect(errors[0]).toMatch(/409 at its own size 12: it holds a different checkpoint/);
    expect(published).toEqual([]);
    await submitter.stop();
  });
});
