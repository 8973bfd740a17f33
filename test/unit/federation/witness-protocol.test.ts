import { describe, expect, it } from 'vitest';
import {
  type AddCheckpointOutcome,
  decideAddCheckpoint,
  FederationError,
  formatAddCheckpointRequest,
  formatSignatureLine,
  parseAddCheckpointRequest,
  parseAddCheckpointResponse,
  type WitnessedCheckpoint,
} from '../../../src/domain/federation/index.js';
import { encodeBase64, parseCheckpoint, parseNote } from '../../../src/domain/log/index.js';
import {
  consistencyProof,
  leaves,
  logVerifier,
  ORIGIN,
  signedCheckpoint,
  testKey,
  testWitness,
} from './federation-fixtures.js';

const trusted = (origin: string) => (origin === ORIGIN ? [logVerifier] : undefined);

function stateOf(note: string): WitnessedCheckpoint {
  const cp = parseCheckpoint(parseNote(note).text);
  return { origin: cp.origin, treeSize: cp.treeSize, rootHash: cp.rootHash, note };
}

function decide(oldSize: number, note: string, state: WitnessedCheckpoint | null, proof?: Uint8Array[]) {
  const size = parseCheckpoint(parseNote(note).text).treeSize;
  const body = formatAddCheckpointRequest({
    oldSize,
    proof: proof ?? consistencyProof(oldSize, size),
    checkpoint: note,
  });
  return decideAddCheckpoint(parseAddCheckpointRequest(body), state, trusted);
}

function expectStatus(outcome: AddCheckpointOutcome, status: number): AddCheckpointOutcome {
  expect(outcome, 'reason' in outcome ? outcome.reason : 'accepted').toMatchObject({ status });
  return outcome;
}

describe('add-checkpoint request format', () => {
  it('round-trips the spec example layout: old line, proof lines, blank line, note', () => {
    const note = signedCheckpoint(20);
    const proof = consistencyProof(13, 20);
    const body = formatAddCheckpointRequest({ oldSize: 13, proof, checkpoint: note });
    expect(body.split('\n')[0]).toBe('old 13');
    expect(body).toBe(`old 13\n${proof.map((h) => `${encodeBase64(h)}\n`).join('')}\n${note}`);
    expect(parseAddCheckpointRequest(body)).toEqual({ oldSize: 13, proof, checkpoint: note });
  });

  it.each([
    ['no blank line', 'old 0\n'],
    ['a signed old size', 'old -1\n\nx'],
    ['leading zeros', 'old 01\n\nx'],
    ['no old line', 'older 1\n\nx'],
    ['a proof line that is not 32 bytes', 'old 1\nAAAA\n\nx'],
    ['non-canonical base64', `old 1\n${'A'.repeat(43)}B\n\nx`],
    ['64 proof lines', `old 1\n${`${encodeBase64(new Uint8Array(32))}\n`.repeat(64)}\nx`],
    ['no checkpoint', 'old 0\n\n'],
  ])('refuses %s', (_what, body) => {
    expect(() => parseAddCheckpointRequest(body)).toThrowError(FederationError);
  });

  it('reads a response of signature lines and refuses anything else', () => {
    const witness = testWitness(1);
    const note = signedCheckpoint(3);
    const line = formatSignatureLine(witness.cosign(note));
    expect(parseAddCheckpointResponse(line)).toEqual([witness.cosign(note)]);
    expect(() => parseAddCheckpointResponse('hello\n')).toThrowError(FederationError);
    expect(() => parseAddCheckpointResponse('')).toThrowError(FederationError);
  });
});

describe('the witness decision (C2SP tlog-witness)', () => {
  const tree = leaves(40);

  it('cosigns a first checkpoint from old size 0 with an empty proof', () => {
    const note = signedCheckpoint(10, tree);
    const outcome = expectStatus(decide(0, note, null), 200);
    if (outcome.status !== 200) return;
    expect(outcome.next).toEqual(stateOf(note));
    expect(outcome.checkpointText).toBe(parseNote(note).text);
  });

  it('cosigns consistent growth, for every old size against every larger size', () => {
    for (let old = 1; old < 20; old++) {
      for (const size of [old + 1, old + 7, 33]) {
        expectStatus(decide(old, signedCheckpoint(size, tree), stateOf(signedCheckpoint(old, tree))), 200);
      }
    }
  });

  it('cosigns the same size and root again (idempotent)', () => {
    const note = signedCheckpoint(10, tree);
    expectStatus(decide(10, note, stateOf(note)), 200);
  });

  it('answers 409 with its size when the old size is not what it cosigned', () => {
    const state = stateOf(signedCheckpoint(10, tree));
    const outcome = expectStatus(decide(5, signedCheckpoint(20, tree), state), 409);
    expect(outcome).toMatchObject({ treeSize: 10 });
    expect(outcome).not.toHaveProperty('evidence');
    // A client that knows nothing starts from 0 and learns the size.
    expect(decide(0, signedCheckpoint(20, tree), state)).toMatchObject({ status: 409, treeSize: 10 });
    // Never cosigned: the size is 0.
    expect(decide(3, signedCheckpoint(20, tree), null)).toMatchObject({ status: 409, treeSize: 0 });
  });

  it('refuses a smaller checkpoint than the one it cosigned (no rollback) with 409', () => {
    const state = stateOf(signedCheckpoint(20, tree));
    expect(decide(10, signedCheckpoint(15, tree), state)).toMatchObject({ status: 409, treeSize: 20 });
  });

  it('answers 409 and records both notes for a second root at the size it cosigned (split view)', () => {
    const cosigned = signedCheckpoint(10, tree);
    const fork = signedCheckpoint(10, leaves(10, 4));
    const outcome = expectStatus(decide(10, fork, stateOf(cosigned)), 409);
    expect(outcome).toMatchObject({
      treeSize: 10,
      evidence: { kind: 'split-view', origin: ORIGIN, cosigned, submitted: fork, proof: [] },
    });
    // Whatever old size comes with it, a second root for the held size is evidence.
    expect(decide(0, fork, stateOf(cosigned))).toMatchObject({
      status: 409,
      evidence: { kind: 'split-view' },
    });
  });

  it('answers 422 and records evidence when a log-signed checkpoint is inconsistent with the cosigned one', () => {
    const cosigned = signedCheckpoint(10, tree);
    const forked = leaves(30, 6);
    const fork = signedCheckpoint(30, forked);
    // The fork's own proof is consistent with the fork, not with what the witness cosigned.
    const outcome = expectStatus(decide(10, fork, stateOf(cosigned), consistencyProof(10, 30, forked)), 422);
    expect(outcome).toMatchObject({
      evidence: { kind: 'inconsistent', cosigned, submitted: fork },
    });
    // A proof of the wrong length is refused as well.
    expectStatus(decide(10, signedCheckpoint(30, tree), stateOf(cosigned), []), 422);
  });

  it('answers 422 for a non-empty proof from size 0 or between equal sizes, and a non-empty root at size 0', () => {
    const note = signedCheckpoint(10, tree);
    expectStatus(decide(0, note, null, consistencyProof(5, 10, tree)), 422);
    expectStatus(decide(10, note, stateOf(note), consistencyProof(5, 10, tree)), 422);
    expectStatus(decide(0, signedCheckpoint(0, tree), null), 200);
  });

  it('answers 400 when the old size exceeds the checkpoint size', () => {
    expectStatus(decide(11, signedCheckpoint(10, tree), null, []), 400);
  });

  it('answers 404 for an origin it does not serve, 403 for a note the log did not sign', () => {
    const note = signedCheckpoint(10, tree);
    const foreign = note.replaceAll(ORIGIN, 'other.example/log');
    expectStatus(decideAddCheckpoint({ oldSize: 0, proof: [], checkpoint: foreign }, null, trusted), 404);
    const forged = signedCheckpoint(10, tree, testKey(66));
    expectStatus(decide(0, forged, null), 403);
    // A signature line by the right key name but a broken signature is refused too.
    const broken = note.replace(/(\u2014 \S+ )(.)/, (_m, p, c) => `${p}${c === 'A' ? 'B' : 'A'}`);
    expectStatus(decideAddCheckpoint({ oldSize: 0, proof: [], checkpoint: broken }, null, trusted), 403);
  });

  it('answers 400 for a note that is not a checkpoint', () => {
    expectStatus(decideAddCheckpoint({ oldSize: 0, proof: [], checkpoint: 'hello\n' }, null, trusted), 400);
  });
});
