/**
 * The state map's root in a checkpoint: one C2SP tlog-checkpoint extension
 * line, `chancery-state-map <base64 of the 32-byte root>`. The log signs it
 * with the note; a tlog-cosignature/v1 cosignature covers every extension
 * line, and a Chancery mirror-witness cosigns only when the root is the one
 * it recomputed from its own replay (its additional statement, see
 * docs/state-map.md and docs/federation.md). Clients that do not know the
 * line ignore it, as the spec requires.
 */

import { decodeBase64, encodeBase64 } from './base64.js';
import type { Checkpoint } from './checkpoint.js';
import { LogProofError } from './log-proof-error.js';
import { HASH_SIZE } from './rfc6962.js';

export const STATE_MAP_EXTENSION = 'chancery-state-map';

export function stateMapExtensionLine(root: Uint8Array): string {
  if (root.length !== HASH_SIZE)
    throw new LogProofError('CHECKPOINT_MALFORMED', 'a state map root is 32 bytes');
  return `${STATE_MAP_EXTENSION} ${encodeBase64(root)}`;
}

/**
 * The state map root a checkpoint commits to, or null when it carries none (checkpoints signed before
 * the state map existed). Throws CHECKPOINT_MALFORMED for a malformed line or for two of them: a
 * checkpoint must not commit to two states.
 */
export function stateMapRootOf(checkpoint: Checkpoint): Uint8Array | null {
  const lines = checkpoint.extensions.filter(
    (line) => line === STATE_MAP_EXTENSION || line.startsWith(`${STATE_MAP_EXTENSION} `),
  );
  if (lines.length === 0) return null;
  if (lines.length > 1)
    throw new LogProofError('CHECKPOINT_MALFORMED', 'the checkpoint names two state map roots');
  const root = decodeBase64(lines[0]!.slice(STATE_MAP_EXTENSION.length + 1));
  if (root === undefined || root.length !== HASH_SIZE)
    throw new LogProofError(
      'CHECKPOINT_MALFORMED',
      `the ${STATE_MAP_EXTENSION} line needs base64 of 32 bytes`,
    );
  return root;
}
