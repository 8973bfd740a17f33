/**
 * The alerts open on a node right now, worked out from its parts on demand:
 * what /v1/operations, `chancery status` and the console show. Prometheus
 * raises the same conditions from /metrics with deploy/prometheus/alerts.yml.
 */

import type { AlertSeverity, OpenAlert } from '../protocol/operations-status.js';

export type { OpenAlert };

export interface AlertInputs {
  readonly storeError: string | null;
  readonly feedError: string | null;
  readonly logHalted: string | null;
  readonly quorum: {
    readonly required: string;
    readonly met: boolean;
    readonly down: readonly { readonly name: string; readonly error: string }[];
  } | null;
  readonly mirrorHalted: string | null;
  /** Why the mirror refused its upstream's trust policy (it kept its own), or null. */
  readonly policyRefused?: string | null;
  /** Milliseconds the oldest unsealed leaf has waited, and how long is too long. */
  readonly unsealedWaitMs: number;
  readonly staleAfterMs: number;
  readonly evidence: readonly { readonly source: string; readonly kind: string; readonly count: number }[];
}

function alert(
  kind: OpenAlert['kind'],
  severity: AlertSeverity,
  subject: string | null,
  detail: string,
): OpenAlert {
  return { id: subject === null ? kind : `${kind}:${subject}`, kind, severity, subject, detail };
}

export function openAlerts(inputs: AlertInputs): OpenAlert[] {
  const alerts: OpenAlert[] = [];
  if (inputs.storeError !== null)
    alerts.push(alert('store-unavailable', 'critical', null, inputs.storeError));
  if (inputs.feedError !== null) alerts.push(alert('event-feed-lost', 'critical', null, inputs.feedError));
  if (inputs.logHalted !== null) alerts.push(alert('log-halted', 'critical', null, inputs.logHalted));
  if (inputs.mirrorHalted !== null)
    alerts.push(alert('mirror-halted', 'critical', null, inputs.mirrorHalted));
  if (inputs.policyRefused != null)
    alerts.push(alert('policy-refused', 'warning', null, inputs.policyRefused));
  const { quorum } = inputs;
  if (quorum !== null && !quorum.met)
    alerts.push(
      alert('quorum-lost', 'critical', null, `witnesses up cannot meet the quorum (${quorum.required})`),
    );
  for (const w of quorum?.down ?? []) alerts.push(alert('witness-down', 'warning', w.name, w.error));
  if (inputs.unsealedWaitMs > inputs.staleAfterMs)
    alerts.push(
      alert(
        'checkpoint-stale',
        'warning',
        null,
        `a leaf has waited ${Math.round(inputs.unsealedWaitMs / 1000)} s for a checkpoint`,
      ),
    );
  for (const e of inputs.evidence) {
    const kind = e.kind === 'split-view' || e.kind === 'inconsistent' ? e.kind : 'federation-evidence';
    alerts.push(
      alert(
        kind,
        'critical',
        `${e.source}/${e.kind}`,
        `${e.count} recorded by the ${e.source}, with evidence (GET /v1/federation/alerts)`,
      ),
    );
  }
  return alerts;
}
