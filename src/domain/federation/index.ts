/**
 * Federation: C2SP tlog-policy trust policies with k-of-n quorums, the
 * tlog-witness add-checkpoint protocol and the witness's decision, and the
 * evaluation of a checkpoint's cosignatures under a policy. Pure: no node:*
 * imports, no clock, no I/O.
 */

export { FederationError, type FederationErrorCode } from './federation-error.js';
export {
  formatPolicyNoteText,
  POLICY_NOTE_HEADER,
  type PolicyNoteText,
  parsePolicyNoteText,
  policyUpdate,
  readSignedPolicy,
  type SignedPolicy,
} from './policy-note.js';
export {
  describeQuorum,
  isQuorumMet,
  MAX_POLICY_BYTES,
  MAX_POLICY_GROUPS,
  MAX_POLICY_LOGS,
  MAX_POLICY_WITNESSES,
  type PolicyGroup,
  type PolicyLog,
  type PolicyWitness,
  parseTrustPolicy,
  policyDigest,
  policyForWitnesses,
  QUORUM_NONE,
  type TrustPolicy,
  type WitnessListing,
} from './trust-policy.js';
export {
  type AddCheckpointOutcome,
  type AddCheckpointRequest,
  decideAddCheckpoint,
  type EvidenceKind,
  formatAddCheckpointRequest,
  formatSignatureLine,
  MAX_ADD_CHECKPOINT_BYTES,
  MAX_WITNESS_PROOF_LINES,
  parseAddCheckpointRequest,
  parseAddCheckpointResponse,
  TLOG_SIZE_CONTENT_TYPE,
  type WitnessEvidence,
  type WitnessedCheckpoint,
} from './witness-protocol.js';
export { type Cosigner, type Witnessing, withCosignatures, witnessingOf } from './witnessing.js';
