/**
 * What `GET /v1/operations` answers: the operator's view of one node (readiness
 * by component, finality apart from it, witnesses, mirror lag and the alerts
 * open now). Shared by the node, `chancery status` and the console.
 */

export type AlertSeverity = 'critical' | 'warning';

export type OpenAlertKind =
  | 'quorum-lost'
  | 'witness-down'
  | 'mirror-halted'
  | 'policy-refused'
  | 'store-unavailable'
  | 'event-feed-lost'
  | 'log-halted'
  | 'checkpoint-stale'
  | 'split-view'
  | 'inconsistent'
  | 'federation-evidence';

export interface OpenAlert {
  /** Stable for as long as the condition lasts: the kind, and the subject when there is one. */
  readonly id: string;
  readonly kind: OpenAlertKind;
  readonly severity: AlertSeverity;
  readonly subject: string | null;
  readonly detail: string;
}

/** A part the node needs in order to serve: ok, or why not. */
export interface ComponentState {
  readonly ok: boolean;
  readonly detail: string | null;
}

/** ok: the witnesses that answered can make checkpoints final; degraded: they cannot; none: this node asks no witnesses. */
export type FinalityState = 'ok' | 'degraded' | 'none';

export interface WitnessHealth {
  readonly name: string;
  readonly url: string;
  readonly up: boolean;
  readonly cosignedSize: number | null;
  readonly lastSuccessAt: string | null;
  readonly lastLatencyMs: number | null;
  readonly lastError: string | null;
}

/**
 * A primary's view of one mirror-witness's replication, from the mirror's own
 * /v1/operations: entries it replayed and verified, and how many of this
 * node's entries it has not yet.
 */
export interface MirrorLag {
  readonly name: string;
  readonly url: string;
  /** The last probe was answered with a size. */
  readonly up: boolean;
  /** From the last answer that had one; null before the first. */
  readonly replicatedSize: number | null;
  /** This node's log size minus replicatedSize (never below 0); null without a size. */
  readonly lagEntries: number | null;
  readonly checkedAt: string | null;
  readonly error: string | null;
}

export interface OperationsStatus {
  readonly origin: string;
  readonly role: 'primary' | 'mirror';
  readonly ready: boolean;
  readonly notReadyReason: string | null;
  readonly components: {
    readonly store: ComponentState;
    readonly eventFeed: ComponentState;
    readonly log: ComponentState;
  };
  readonly finality: {
    readonly state: FinalityState;
    readonly reason: string | null;
    /** The trust policy's quorum in words, or null without a policy. */
    readonly quorum: string | null;
    readonly checkpointTreeSize: number;
    readonly finalTreeSize: number;
  };
  readonly log: {
    readonly sequencedSize: number;
    readonly checkpointAgeSeconds: number;
    readonly unsealedLeaves: number;
    /** Over the latest seals this node saw, in ms; null before the first. */
    readonly sealLatencyMs: { readonly p50: number; readonly p99: number } | null;
  };
  readonly witnesses: readonly WitnessHealth[];
  /** Primary: each mirror-witness's replication lag; empty elsewhere. */
  readonly mirrors: readonly MirrorLag[];
  readonly mirror: {
    readonly upstream: string;
    readonly replicatedSize: number;
    readonly upstreamSize: number | null;
    readonly lagEntries: number | null;
    readonly lastSyncAt: string | null;
    readonly halted: string | null;
  } | null;
  readonly alerts: readonly OpenAlert[];
}
