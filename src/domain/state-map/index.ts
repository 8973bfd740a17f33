/**
 * The state map: an authenticated key-value map (sparse Merkle tree over
 * SHA-256 with shortcut leaves) of the current state of every certification,
 * key and identity, with membership and absence proofs. Specified in
 * docs/state-map.md. Pure: no node:* imports, no clock, no I/O.
 */

export { InMemoryStateMap } from './in-memory-state-map.js';
export {
  commonPrefixBits,
  EMPTY_STATE_ROOT,
  isEmptyStateHash,
  MAX_STATE_KEY_BYTES,
  NOBLE_STATE_HASHER,
  STATE_HASH_SIZE,
  STATE_KEY_BITS,
  type StateHasher,
  stateBit,
  stateKeyBytes,
  stateKeyHash,
  stateLeafHash,
  stateNodeHash,
  stateValueHash,
  stateValueText,
} from './state-hash.js';
export {
  checkStateProof,
  type ProvenState,
  parseStateProof,
  rootFromStateProof,
  type StateProof,
  type StateProofJson,
  type StateProofTerminal,
  stateProofToJson,
  verifyStateProof,
} from './state-proof.js';
export { StateProofError, type StateProofErrorCode } from './state-proof-error.js';
