/**
 * Transparency-log primitives: RFC 6962 hashing and proofs over the Go tlog
 * stored-hash layout, and the C2SP signed-note, tlog-checkpoint,
 * tlog-cosignature/v1 and tlog-proof formats. Pure: no node:* imports, no
 * clock, no I/O; signatures come in through Ed25519Sign / Ed25519Verify.
 */

export { decodeBase64, encodeBase64 } from './base64.js';
export { batchLeafHash, batchRoot, RootAccumulator, verifyBatchPath } from './batch-tree.js';
export { type Checkpoint, formatCheckpoint, parseCheckpoint } from './checkpoint.js';
export {
  COSIGNATURE_V1_SIZE,
  cosignatureVerifier,
  cosignedMessage,
  createCosignature,
  formatWitnessKey,
  type ParsedCosignature,
  parseCosignature,
  parseWitnessKey,
  verifyCosignature,
  type WitnessKey,
  witnessCosigner,
  witnessKeyId,
} from './cosignature.js';
export type { Ed25519Sign, Ed25519Verify } from './ed25519-ports.js';
export { LogProofError, type LogProofErrorCode } from './log-proof-error.js';
export {
  ed25519NoteSigner,
  ed25519NoteVerifier,
  formatNote,
  MAX_NOTE_SIGNATURES,
  type NoteSignature,
  type NoteSigner,
  type NoteVerifier,
  parseNote,
  type SignedNote,
  signNote,
  type VerifiedNote,
  verifyNote,
} from './note.js';
export {
  computeKeyId,
  type Ed25519SignatureType,
  formatKeyId,
  formatSignerKey,
  formatVerifierKey,
  isValidKeyName,
  parseSignerKey,
  parseVerifierKey,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
  type SignerKey,
  type VerifierKey,
} from './note-keys.js';
export {
  consistencyProofLength,
  inclusionProofLength,
  isConsistencyValid,
  isInclusionValid,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from './proof-verification.js';
export {
  emptyRoot,
  HASH_SIZE,
  hashesEqual,
  leafHash,
  nodeHash,
  RFC6962_HASHER,
  type TreeHasher,
} from './rfc6962.js';
export { STATE_MAP_EXTENSION, stateMapExtensionLine, stateMapRootOf } from './state-map-extension.js';
export {
  type HashReader,
  MAX_STORED_TREE_SIZE,
  proveRecord,
  proveTree,
  splitStoredHashIndex,
  storedHashCount,
  storedHashes,
  storedHashIndex,
  treeHash,
} from './stored-hashes.js';
export {
  formatTlogProof,
  MAX_TLOG_PROOF_HASHES,
  parseTlogProof,
  TLOG_PROOF_HEADER,
  type TlogProof,
} from './tlog-proof.js';
