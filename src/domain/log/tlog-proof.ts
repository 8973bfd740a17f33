/**
 * C2SP tlog-proof@v1: an offline-verifiable "this entry is in the log" file
 * (extension .tlog-proof), offered beside the JSON proof bundle.
 *
 *   c2sp.org/tlog-proof@v1\n
 *   [extra <base64 of opaque, unauthenticated data>\n]
 *   index <leaf index, decimal, no leading zeros>\n
 *   [<base64 inclusion proof hash>\n]...      leaf's sibling first, root's child last
 *   \n
 *   <the checkpoint signed note, verbatim, cosignatures included>
 *
 * Parsing checks syntax only. The consumer still verifies the note against its
 * trusted log and witness keys (verifyNote), reads the checkpoint
 * (parseCheckpoint) and checks inclusion (verifyInclusion), which also checks
 * the proof's exact length for the checkpoint's tree size.
 */

import { decodeBase64, encodeBase64 } from './base64.js';
import { LogProofError } from './log-proof-error.js';
import { parseNote } from './note.js';
import { HASH_SIZE } from './rfc6962.js';

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

/**
 * Bound on inclusion proof lines, checked before decoding any: a tree of up to
 * 2^53 − 1 leaves has audit paths of at most 53 hashes.
 */
export const MAX_TLOG_PROOF_HASHES = 64;

export interface TlogProof {
  /** Opaque application data; NOT authenticated by anything in the proof. Absent, or at least one byte. */
  readonly extra?: Uint8Array;
  readonly index: number;
  readonly inclusionProof: readonly Uint8Array[];
  /** The checkpoint's signed note, exactly as the log (and witnesses) signed it. */
  readonly checkpointNote: string;
}

// Same rule as checkpoint sizes: one spelling per number, and at most 16 digits before Number().
const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;

function malformed(message: string): LogProofError {
  return new LogProofError('TLOG_PROOF_MALFORMED', message);
}

/**
 * Parses a tlog-proof. Throws TLOG_PROOF_MALFORMED on a wrong header, an
 * empty or non-canonical extra, a bad index line, a proof line that is not
 * strict base64 of 32 bytes, more than MAX_TLOG_PROOF_HASHES proof lines, or
 * no blank line before the checkpoint; the note's own NOTE_* codes if the
 * checkpoint note is malformed.
 */
export function parseTlogProof(text: string): TlogProof {
  if (typeof text !== 'string') throw malformed('proof must be a string');
  // Proof lines are never empty, so the first blank line is the one before the checkpoint.
  const split = text.indexOf('\n\n');
  if (split < 0) throw malformed('no blank line before the checkpoint');
  const lines = text.slice(0, split).split('\n');
  const checkpointNote = text.slice(split + 2);

  if (lines[0] !== TLOG_PROOF_HEADER) throw malformed(`first line must be ${TLOG_PROOF_HEADER}`);
  let next = 1;
  let extra: Uint8Array | undefined;
  if (lines[next]?.startsWith('extra ')) {
    extra = decodeBase64(lines[next]!.slice('extra '.length));
    // Absent extra data is spelled by omitting the line; an empty payload would be a second spelling.
    if (extra === undefined || extra.length === 0) throw malformed('extra must be non-empty strict base64');
    next++;
  }
  const indexLine = lines[next];
  const digits = indexLine?.startsWith('index ') ? indexLine.slice('index '.length) : undefined;
  // One spelling per index, and no value past 2^53 − 1 where JS numbers stop being exact.
  if (digits === undefined || !DECIMAL.test(digits) || !Number.isSafeInteger(Number(digits))) {
    throw malformed('expected "index <decimal without leading zeros>"');
  }
  const index = Number(digits);
  next++;

  const hashLines = lines.slice(next);
  // Bound the work before decoding: no real tree needs more hashes than this.
  if (hashLines.length > MAX_TLOG_PROOF_HASHES) {
    throw malformed(`more than ${MAX_TLOG_PROOF_HASHES} inclusion proof hashes`);
  }
  const inclusionProof = hashLines.map((line, i) => {
    const hash = decodeBase64(line);
    if (hash === undefined || hash.length !== HASH_SIZE) {
      throw malformed(`proof line ${i + 1} is not base64 of a ${HASH_SIZE}-byte hash`);
    }
    return hash;
  });

  // The checkpoint must itself be a well-formed signed note (signatures are checked by the consumer).
  parseNote(checkpointNote);
  return extra === undefined
    ? { index, inclusionProof, checkpointNote }
    : { extra, index, inclusionProof, checkpointNote };
}

/** Formats a tlog-proof; throws the codes parseTlogProof would for the same values. */
export function formatTlogProof(proof: TlogProof): string {
  const { extra, index, inclusionProof, checkpointNote } = proof;
  if (extra !== undefined && extra.length === 0) throw malformed('extra must be omitted rather than empty');
  if (!Number.isSafeInteger(index) || index < 0) throw malformed('index must be a safe non-negative integer');
  if (inclusionProof.length > MAX_TLOG_PROOF_HASHES) {
    throw malformed(`more than ${MAX_TLOG_PROOF_HASHES} inclusion proof hashes`);
  }
  for (const hash of inclusionProof) {
    if (hash.length !== HASH_SIZE) throw malformed(`inclusion proof hashes must be ${HASH_SIZE} bytes`);
  }
  parseNote(checkpointNote);
  let out = `${TLOG_PROOF_HEADER}\n`;
  if (extra !== undefined) out += `extra ${encodeBase64(extra)}\n`;
  out += `index ${index}\n`;
  for (const hash of inclusionProof) out += `${encodeBase64(hash)}\n`;
  return `${out}\n${checkpointNote}`;
}
