/**
 * What a node says about itself: /v1/status, readiness (store, event feed and
 * log, each apart, and finality beside them rather than folded in), and the
 * operator's view /v1/operations with the alerts open now.
 */

import { describeQuorum } from '../domain/federation/trust-policy.js';
import type { NodeStatus } from '../protocol/node-status.js';
import type {
  ComponentState,
  MirrorLag,
  OperationsStatus,
  WitnessHealth,
} from '../protocol/operations-status.js';
import { mirrorLags } from './mirror-lags.js';
import type { NodeParts } from './node-parts.js';
import type { NodeStartup } from './node-startup.js';
import { openAlerts } from './open-alerts.js';
import { PACKAGE_VERSION } from './package-version.js';
import { storeError } from './store-probe.js';

/** What /health/ready answers when the node can serve; finality is reported, never a reason to refuse. */
export interface Readiness {
  readonly status: 'ready';
  readonly store: 'ok';
  readonly eventFeed: 'ok';
  readonly log: 'ok';
  readonly finality: OperationsStatus['finality']['state'];
  /** Why finality is degraded; absent when it is not. */
  readonly reason?: string;
}

function component(detail: string | null): ComponentState {
  return { ok: detail === null, detail };
}

class NodeHealth {
  constructor(
    private readonly parts: NodeParts,
    private readonly startup: NodeStartup,
  ) {}

  feedError(): string | null {
    const { projector } = this.parts;
    if (projector.error !== null) return `read models stopped: ${projector.error.message}`;
    if (projector.disconnected !== null)
      return `event feed lost: ${projector.disconnected.message}; reconnecting`;
    return null;
  }

  logError(): string | null {
    const { divergence } = this.parts.sealer;
    return divergence === null ? null : `log sealing halted: ${divergence.message}`;
  }

  async notReadyReason(): Promise<string | null> {
    return (
      this.startup.problem() ?? this.feedError() ?? this.logError() ?? (await storeError(this.parts.store))
    );
  }

  finality(): OperationsStatus['finality'] {
    const { federation } = this.parts;
    const quorum = federation.quorumHealth();
    const state = quorum === null ? 'none' : quorum.met ? 'ok' : 'degraded';
    const down = quorum?.down.map((w) => `${w.name} (${w.error})`).join(', ') ?? '';
    const { checkpointTreeSize, finalTreeSize } = federation.finality();
    return {
      state,
      reason:
        state === 'degraded'
          ? `witness quorum lost (${quorum!.required}); not answering: ${down}; checkpoints are signed but not final`
          : null,
      quorum: quorum?.required ?? null,
      checkpointTreeSize,
      finalTreeSize,
    };
  }

  witnesses(): WitnessHealth[] {
    return this.parts.federation.submissions().map((s) => ({ ...s, up: s.lastError === null }));
  }

  mirrors(): MirrorLag[] {
    return mirrorLags(this.parts.federation.mirrorSightings(), this.parts.sequencer.sequencedSize());
  }

  mirror(): OperationsStatus['mirror'] {
    const m = this.parts.federation.mirrorStatus();
    if (m === null) return null;
    const lagEntries = m.upstreamSize === null ? null : Math.max(0, m.upstreamSize - m.replicatedSize);
    const { upstream, replicatedSize, upstreamSize, lastSyncAt, halted } = m;
    return { upstream, replicatedSize, upstreamSize, lagEntries, lastSyncAt, halted };
  }

  logView(): OperationsStatus['log'] {
    const { sequencer, seal } = this.parts;
    const sequencedSize = sequencer.sequencedSize();
    const latest = sequencer.latestCheckpoint()?.treeSize ?? 0;
    return {
      sequencedSize,
      checkpointAgeSeconds: seal.checkpointAgeSeconds(),
      unsealedLeaves: Math.max(0, sequencedSize - latest),
      sealLatencyMs: seal.percentilesMs(),
    };
  }

  async operations(): Promise<OperationsStatus> {
    const { federation, seal, init } = this.parts;
    const storeProblem = await storeError(this.parts.store);
    const feed = this.feedError();
    const halted = this.logError();
    const mirror = this.mirror();
    const notReady = this.startup.problem() ?? feed ?? halted ?? storeProblem;
    return {
      origin: init.identity.origin,
      role: federation.role,
      ready: notReady === null,
      notReadyReason: notReady,
      components: { store: component(storeProblem), eventFeed: component(feed), log: component(halted) },
      finality: this.finality(),
      log: this.logView(),
      witnesses: this.witnesses(),
      mirrors: this.mirrors(),
      mirror,
      alerts: openAlerts({
        storeError: storeProblem,
        feedError: feed,
        logHalted: halted,
        quorum: federation.quorumHealth(),
        mirrorHalted: mirror?.halted ?? null,
        policyRefused: policyRefusal(federation.mirrorStatus()),
        unsealedWaitMs: seal.waitingMs(),
        staleAfterMs: seal.slowAfterMs,
        evidence: federation.alerts.countsByKind(),
      }),
    };
  }

  readiness(): Readiness {
    const { state, reason } = this.finality();
    return {
      status: 'ready',
      store: 'ok',
      eventFeed: 'ok',
      log: 'ok',
      finality: state,
      ...(reason === null ? {} : { reason }),
    };
  }

  async status(): Promise<NodeStatus> {
    const { store, projector, registry, certifications, sequencer, federation, init } = this.parts;
    const lastPosition = await store.lastPosition();
    const projected = projector.position;
    return {
      name: 'chancery',
      version: PACKAGE_VERSION,
      origin: init.identity.origin,
      store: store.kind,
      authorityId: this.startup.authority()?.id ?? init.identity.authorityId,
      lastPosition: lastPosition === null ? null : lastPosition.toString(),
      projectedPosition: projected === null ? null : projected.toString(),
      identities: registry.size(),
      certifications: certifications.count(),
      ready: this.startup.serving && projector.error === null && projector.disconnected === null,
      logVerifierKey: sequencer.verifierKey,
      role: federation.role,
      witnessVerifierKey: federation.witness?.identity.vkey ?? null,
      ...federation.finality(),
      trustPolicy: federation.policy === null ? null : describeQuorum(federation.policy),
    };
  }
}

export function nodeHealth(parts: NodeParts, startup: NodeStartup) {
  const health = new NodeHealth(parts, startup);
  return {
    status: () => health.status(),
    notReadyReason: () => health.notReadyReason(),
    readiness: async () => health.readiness(),
    operations: () => health.operations(),
  };
}

/** A mirror's refusal of its upstream's trust policy, in one line for the open alert. */
function policyRefusal(mirror: { policyRefused: { reason: string; upstream: string } | null } | null) {
  const refused = mirror?.policyRefused ?? null;
  return refused === null
    ? null
    : `refused the trust policy of ${refused.upstream}, kept its own: ${refused.reason}`;
}
