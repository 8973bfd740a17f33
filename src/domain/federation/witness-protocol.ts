/**
 * C2SP tlog-witness `add-checkpoint`: the request and response formats, and
 * the witness's decision as a pure function of the request and the last
 * checkpoint it cosigned for the origin.
 *
 * Request body:
 *   old <size>\n
 *   <base64 consistency proof hash>\n        (0 to 63 lines)
 *   \n
 *   <checkpoint: a signed note>
 *
 * The decision follows the spec's order and status codes: 404 unknown origin,
 * 403 no trusted log signature, 400 old size above the checkpoint's, 409 old
 * size other than the witness's (body: its size), 422 a proof that does not
 * verify, 409 a second root for the size it holds, 200 with the new state to
 * persist before answering. Refusals that are evidence of a split view carry
 * both signed notes.
 *
 * Pure: no node:* imports, no clock, no I/O. Signing happens in the caller,
 * after the decision, so this function never holds a key.
 */

import {
  type Checkpoint,
  decodeBase64,
  emptyRoot,
  encodeBase64,
  HASH_SIZE,
  hashesEqual,
  LogProofError,
  type NoteSignature,
  type NoteVerifier,
  parseCheckpoint,
  parseNote,
  verifyConsistency,
  verifyNote,
} from '../log/index.js';
import { writeUint32 } from '../log/note-keys.js';
import { FederationError } from './federation-error.js';

/** The spec's bound on proof lines: a consistency proof between two sizes below 2^63 never needs more. */
export const MAX_WITNESS_PROOF_LINES = 63;
/** A checkpoint with a log signature and a large witness network's cosignatures stays well under this. */
export const MAX_ADD_CHECKPOINT_BYTES = 64 * 1024;
/** Content type of a 409 answer: the witness's tree size in decimal and a newline. */
export const TLOG_SIZE_CONTENT_TYPE = 'text/x.tlog.size';

export interface AddCheckpointRequest {
  readonly oldSize: number;
  readonly proof: readonly Uint8Array[];
  /** The checkpoint as a signed note, exactly as sent. */
  readonly checkpoint: string;
}

// No sign, no leading zeros, at most 16 digits: the size must then still be a safe integer.
const SIZE = /^(0|[1-9][0-9]{0,15})$/;

function requestMalformed(message: string): FederationError {
  return new FederationError('WITNESS_REQUEST_MALFORMED', message);
}

/**
 * Parses an add-checkpoint body. Throws WITNESS_REQUEST_MALFORMED on anything
 * but `old N`, at most 63 strict-base64 32-byte hashes, a blank line and a
 * non-empty note; the note itself is parsed by the decision.
 */
export function parseAddCheckpointRequest(body: string): AddCheckpointRequest {
  if (typeof body !== 'string') throw requestMalformed('the body must be text');
  // Bound the work: a real request is a few hundred bytes plus the note's signatures.
  if (body.length > MAX_ADD_CHECKPOINT_BYTES)
    throw requestMalformed(`the body exceeds ${MAX_ADD_CHECKPOINT_BYTES} bytes`);
  const blank = body.indexOf('\n\n');
  if (blank < 0) throw requestMalformed('no blank line between the proof and the checkpoint');
  const head = body.slice(0, blank).split('\n');
  const checkpoint = body.slice(blank + 2);
  const [oldLine, ...proofLines] = head as [string, ...string[]];
  const old = /^old (.*)$/.exec(oldLine);
  if (old === null || !SIZE.test(old[1]!))
    throw requestMalformed('the first line must be "old <size>" in decimal');
  const oldSize = Number(old[1]);
  if (!Number.isSafeInteger(oldSize)) throw requestMalformed('the old size exceeds 2^53 - 1');
  if (proofLines.length > MAX_WITNESS_PROOF_LINES)
    throw requestMalformed(`more than ${MAX_WITNESS_PROOF_LINES} proof lines`);
  const proof = proofLines.map((line, i) => {
    const hash = decodeBase64(line);
    if (hash === undefined || hash.length !== HASH_SIZE)
      throw requestMalformed(`proof line ${i + 1} is not base64 of ${HASH_SIZE} bytes`);
    return hash;
  });
  if (checkpoint.length === 0) throw requestMalformed('the checkpoint is missing');
  return { oldSize, proof, checkpoint };
}

export function formatAddCheckpointRequest(request: AddCheckpointRequest): string {
  const proof = request.proof.map((hash) => `${encodeBase64(hash)}\n`).join('');
  return `old ${request.oldSize}\n${proof}\n${request.checkpoint}`;
}

/** One signature line, "— <name> base64(keyID ‖ signature)\n", as a witness answers and a note carries. */
export function formatSignatureLine(signature: NoteSignature): string {
  const bytes = new Uint8Array(4 + signature.signature.length);
  bytes.set(writeUint32(signature.keyId), 0);
  bytes.set(signature.signature, 4);
  return `\u2014 ${signature.keyName} ${encodeBase64(bytes)}\n`;
}

/**
 * Parses a 200 answer: one or more signature lines. The lines are read with
 * the signed-note parser by appending them to a placeholder text, so they
 * obey exactly the note's syntax. Throws WITNESS_RESPONSE_MALFORMED.
 */
export function parseAddCheckpointResponse(body: string): NoteSignature[] {
  if (typeof body !== 'string' || body.length === 0 || body.length > MAX_ADD_CHECKPOINT_BYTES) {
    throw new FederationError('WITNESS_RESPONSE_MALFORMED', 'the answer is empty or too large');
  }
  try {
    return [...parseNote(`witness answer\n\n${body}`).signatures];
  } catch (error) {
    if (error instanceof LogProofError)
      throw new FederationError(
        'WITNESS_RESPONSE_MALFORMED',
        `the answer is not signature lines: ${error.message}`,
      );
    throw error;
  }
}

/** What a witness keeps per log: the latest checkpoint it cosigned. */
export interface WitnessedCheckpoint {
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Uint8Array;
  /** The signed note that was cosigned, as submitted. */
  readonly note: string;
}

export type EvidenceKind =
  /** Two log-signed checkpoints of one size with different roots. */
  | 'split-view'
  /** A log-signed checkpoint whose consistency proof from the cosigned one does not verify. */
  | 'inconsistent';

/** What a witness records when a log-signed checkpoint contradicts one it cosigned. */
export interface WitnessEvidence {
  readonly kind: EvidenceKind;
  readonly origin: string;
  /** The note the witness had cosigned. */
  readonly cosigned: string;
  /** The contradicting note, as submitted. */
  readonly submitted: string;
  /** The submitted consistency proof, base64. */
  readonly proof: readonly string[];
  readonly detail: string;
}

export type AddCheckpointOutcome =
  | {
      readonly status: 200;
      /** Persist this before answering; then cosign `checkpointText`. */
      readonly next: WitnessedCheckpoint;
      readonly checkpointText: string;
    }
  | { readonly status: 400 | 403 | 404 | 422; readonly reason: string; readonly evidence?: WitnessEvidence }
  | {
      readonly status: 409;
      readonly reason: string;
      /** The witness's tree size: the body of the answer, and where the client must start again. */
      readonly treeSize: number;
      readonly evidence?: WitnessEvidence;
    };

/**
 * The witness's decision on one add-checkpoint request. `logKeys(origin)`
 * returns the trusted verifiers of an origin, or undefined for an origin the
 * witness does not serve; `state` is what the witness last cosigned for the
 * checkpoint's origin (null if nothing yet). Never throws.
 */
export function decideAddCheckpoint(
  request: AddCheckpointRequest,
  state: WitnessedCheckpoint | null,
  logKeys: (origin: string) => readonly NoteVerifier[] | undefined,
): AddCheckpointOutcome {
  let text: string;
  let checkpoint: Checkpoint;
  try {
    text = parseNote(request.checkpoint).text;
    checkpoint = parseCheckpoint(text);
  } catch (error) {
    return { status: 400, reason: `the checkpoint cannot be read: ${(error as Error).message}` };
  }
  const verifiers = logKeys(checkpoint.origin);
  if (verifiers === undefined || verifiers.length === 0)
    return { status: 404, reason: `this witness does not serve the log ${checkpoint.origin}` };
  try {
    verifyNote(request.checkpoint, verifiers);
  } catch (error) {
    return {
      status: 403,
      reason: `the checkpoint is not signed by the log's key: ${(error as Error).message}`,
    };
  }
  if (state !== null && state.origin !== checkpoint.origin)
    return {
      status: 400,
      reason: `state for ${state.origin} given for a checkpoint of ${checkpoint.origin}`,
    };

  const { oldSize } = request;
  const size = checkpoint.treeSize;
  if (oldSize > size)
    return { status: 400, reason: `old size ${oldSize} exceeds the checkpoint size ${size}` };
  const held = state?.treeSize ?? 0;

  // A log-signed second root for the size this witness holds is a split view, whatever old size came with it.
  if (state !== null && size === held && !hashesEqual(checkpoint.rootHash, state.rootHash)) {
    return {
      status: 409,
      treeSize: held,
      reason: `a different root for tree size ${size}, which this witness cosigned: split view`,
      evidence: evidence('split-view', state, request, `two roots for tree size ${size}`),
    };
  }
  if (oldSize !== held)
    return { status: 409, treeSize: held, reason: `old size ${oldSize}, but this witness is at ${held}` };

  if (oldSize === size) {
    if (request.proof.length !== 0)
      return { status: 422, reason: 'the proof must be empty when the old size is the checkpoint size' };
    // Never cosigned: the only size-0 checkpoint is the empty tree.
    if (state === null && !hashesEqual(checkpoint.rootHash, emptyRoot()))
      return { status: 422, reason: 'a checkpoint of size 0 must have the empty-tree root' };
    return accepted(checkpoint, request, text);
  }
  if (oldSize === 0) {
    // Every tree extends the empty one: there is nothing to prove, and the spec wants no proof.
    if (request.proof.length !== 0) return { status: 422, reason: 'the proof must be empty from size 0' };
    return accepted(checkpoint, request, text);
  }
  try {
    verifyConsistency(oldSize, size, request.proof, state!.rootHash, checkpoint.rootHash);
  } catch (error) {
    const reason = `the consistency proof from ${oldSize} to ${size} does not verify: ${(error as Error).message}`;
    // The note is the log's own signed word; with a proof that fails against what it signed before, keep both.
    return { status: 422, reason, evidence: evidence('inconsistent', state!, request, reason) };
  }
  return accepted(checkpoint, request, text);
}

function accepted(checkpoint: Checkpoint, request: AddCheckpointRequest, text: string): AddCheckpointOutcome {
  return {
    status: 200,
    next: {
      origin: checkpoint.origin,
      treeSize: checkpoint.treeSize,
      rootHash: checkpoint.rootHash,
      note: request.checkpoint,
    },
    checkpointText: text,
  };
}

function evidence(
  kind: EvidenceKind,
  state: WitnessedCheckpoint,
  request: AddCheckpointRequest,
  detail: string,
): WitnessEvidence {
  return {
    kind,
    origin: state.origin,
    cosigned: state.note,
    submitted: request.checkpoint,
    proof: request.proof.map(encodeBase64),
    detail,
  };
}
