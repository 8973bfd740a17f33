/** What a node says about itself: /v1/status, and why it is not ready (null when it is). */

import { describeQuorum } from '../domain/federation/trust-policy.js';
import type { NodeStatus } from '../protocol/node-status.js';
import type { NodeParts } from './node-parts.js';
import type { NodeStartup } from './node-startup.js';
import { PACKAGE_VERSION } from './package-version.js';

export function nodeHealth(parts: NodeParts, startup: NodeStartup) {
  const { store, projector, sealer, registry, certifications, sequencer, federation, init } = parts;

  const notReadyReason = async (): Promise<string | null> => {
    const startupProblem = startup.problem();
    if (startupProblem !== null) return startupProblem;
    if (projector.error !== null) return `read models stopped: ${projector.error.message}`;
    if (sealer.divergence !== null) return `log sealing halted: ${sealer.divergence.message}`;
    if (projector.disconnected !== null) {
      return `event feed lost: ${projector.disconnected.message}; reconnecting`;
    }
    try {
      await store.lastPosition();
    } catch (error) {
      return `event store unreachable: ${(error as Error).message}`;
    }
    return null;
  };

  const status = async (): Promise<NodeStatus> => {
    const lastPosition = await store.lastPosition();
    const projected = projector.position;
    return {
      name: 'chancery',
      version: PACKAGE_VERSION,
      origin: init.identity.origin,
      store: store.kind,
      authorityId: startup.authority()?.id ?? init.identity.authorityId,
      lastPosition: lastPosition === null ? null : lastPosition.toString(),
      projectedPosition: projected === null ? null : projected.toString(),
      identities: registry.size(),
      certifications: certifications.count(),
      ready: startup.serving && projector.error === null && projector.disconnected === null,
      logVerifierKey: sequencer.verifierKey,
      role: federation.role,
      witnessVerifierKey: federation.witness?.identity.vkey ?? null,
      ...federation.finality(),
      trustPolicy: federation.policy === null ? null : describeQuorum(federation.policy),
    };
  };

  return { status, notReadyReason };
}
