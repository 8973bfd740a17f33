/**
 * Signs tree heads as C2SP tlog-checkpoint bodies inside C2SP signed notes,
 * with an Ed25519 key whose note key name is the log's origin. The private
 * key stays behind `sign` (node:crypto on the server); this file only formats.
 */

import {
  type Ed25519Sign,
  ed25519NoteSigner,
  formatCheckpoint,
  formatNote,
  formatVerifierKey,
  SIGNATURE_TYPE_ED25519,
  signNote,
  stateMapExtensionLine,
} from '../../domain/log/index.js';

export interface CheckpointSigner {
  readonly origin: string;
  /** The C2SP verifier key (origin+keyid+base64(0x01 ‖ public key)) that checks this signer's notes. */
  readonly verifierKey: string;
  /** The signed note for a tree head, with the state map root as an extension line when there is one. */
  sign(treeSize: number, rootHash: Uint8Array, stateRoot?: Uint8Array): string;
}

export function ed25519CheckpointSigner(
  origin: string,
  publicKey: Uint8Array,
  sign: Ed25519Sign,
): CheckpointSigner {
  const signer = ed25519NoteSigner(origin, publicKey, sign);
  return {
    origin,
    verifierKey: formatVerifierKey(origin, SIGNATURE_TYPE_ED25519, publicKey),
    sign(treeSize, rootHash, stateRoot) {
      const extensions = stateRoot === undefined ? [] : [stateMapExtensionLine(stateRoot)];
      const body = formatCheckpoint({ origin, treeSize, rootHash, extensions });
      return formatNote(signNote(body, [signer]));
    },
  };
}
