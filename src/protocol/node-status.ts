/** What `GET /v1/status` answers: shared by the node that serves it and the client that reads it. */
export interface NodeStatus {
  name: 'chancery';
  version: string;
  origin: string;
  store: string;
  authorityId: string;
  lastPosition: string | null;
  projectedPosition: string | null;
  identities: number;
  certifications: number;
  ready: boolean;
  /** C2SP verifier key of the log: what a citizen or witness pins to check checkpoints. */
  logVerifierKey: string;
  /** primary: writes and seals the log; mirror: a verified replica and a witness. */
  role: 'primary' | 'mirror';
  /** A mirror-witness's cosignature/v1 verifier key, for trust policies; null on a primary. */
  witnessVerifierKey: string | null;
  /** Tree size of the latest checkpoint this node serves (0 before the first). */
  checkpointTreeSize: number;
  /** Largest tree size under a checkpoint the trust policy's witness quorum cosigned. */
  finalTreeSize: number;
  /** Whether the latest checkpoint is final (cosigned by the quorum). */
  final: boolean;
  /**
   * The witness quorum of the trust policy the node follows, in words ("1 of w1", "no cosignature
   * required"); null when it has none yet (a mirror before upstream has one): nothing is final then.
   */
  trustPolicy?: string | null;
}
