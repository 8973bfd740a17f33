/**
 * C2SP tlog-checkpoint: the note text a log signs for each tree head.
 *
 *   <origin>\n
 *   <tree size, decimal, no leading zeros>\n
 *   <base64 of the 32-byte RFC 6962 root hash>\n
 *   [<extension line>\n]...
 *
 * Only the body is handled here; signatures are the signed-note layer's job.
 */

import { decodeBase64, encodeBase64 } from './base64.js';
import { LogProofError } from './log-proof-error.js';
import { isWellFormedText } from './note-keys.js';
import { HASH_SIZE } from './rfc6962.js';

export interface Checkpoint {
  /** The log's identity, e.g. `shanxi.gov.example/chancery`. */
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Uint8Array;
  /** Opaque, non-empty lines after the root hash (NOT RECOMMENDED by the spec; usually none). */
  readonly extensions: readonly string[];
}

// No sign, no leading zeros (except "0" itself), at most 16 digits so Number() below stays exact-or-rejected.
const TREE_SIZE = /^(0|[1-9][0-9]{0,15})$/;

function malformed(message: string): LogProofError {
  return new LogProofError('CHECKPOINT_MALFORMED', message);
}

function checkLine(line: string, what: string): void {
  // Empty lines are forbidden in the body; an empty origin or extension would shift every later field.
  if (line.length === 0) throw malformed(`${what} is empty`);
  for (let i = 0; i < line.length; i++) {
    // Control characters (and a stray newline inside a field) would change the line structure of the signed text.
    if (line.charCodeAt(i) < 0x20) throw malformed(`${what} contains a control character`);
  }
  if (!isWellFormedText(line)) throw malformed(`${what} is not valid UTF-8`);
}

/**
 * Parses a checkpoint body (the note text, final newline included). Throws
 * CHECKPOINT_MALFORMED for: no final newline, fewer than three lines, any
 * empty line, control characters, a tree size that is signed, has leading
 * zeros or exceeds 2^53 − 1, and a root hash that is not strict base64 of 32 bytes.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw malformed('checkpoint must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw malformed('checkpoint needs origin, tree size and root hash lines');
  const [origin, size, root, ...extensions] = lines as [string, string, string, ...string[]];
  checkLine(origin, 'origin');
  // One spelling per size: a signed "007" and "7" must not both be acceptable.
  if (!TREE_SIZE.test(size)) throw malformed('tree size must be a decimal number without leading zeros');
  const treeSize = Number(size);
  // Sizes beyond 2^53 − 1 cannot be represented exactly, so proofs against them could not be checked.
  if (!Number.isSafeInteger(treeSize)) throw malformed('tree size exceeds 2^53 - 1');
  const rootHash = decodeBase64(root);
  if (rootHash === undefined || rootHash.length !== HASH_SIZE) {
    throw malformed(`root hash must be base64 of ${HASH_SIZE} bytes`);
  }
  extensions.forEach((line, i) => {
    checkLine(line, `extension line ${i + 1}`);
  });
  return { origin, treeSize, rootHash, extensions };
}

/** Formats a checkpoint body; throws CHECKPOINT_MALFORMED on values parseCheckpoint would reject. */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, treeSize, rootHash, extensions } = checkpoint;
  checkLine(origin, 'origin');
  if (!Number.isSafeInteger(treeSize) || treeSize < 0)
    throw malformed('tree size must be a safe non-negative integer');
  if (rootHash.length !== HASH_SIZE) throw malformed(`root hash must be ${HASH_SIZE} bytes`);
  extensions.forEach((line, i) => {
    checkLine(line, `extension line ${i + 1}`);
  });
  return [origin, String(treeSize), encodeBase64(rootHash), ...extensions]
    .map((line) => `${line}\n`)
    .join('');
}
